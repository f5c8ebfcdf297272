// `import 'server-only'` marks modules that must never reach a browser bundle.
// Next's bundler resolves it to an empty module on the server; plain Node (the
// custom server, the worker, the CLI and the tests) would load its throwing
// browser entry instead. Those processes are server-side by definition, so the
// module is pre-registered here as empty.
const resolved = require.resolve('server-only');
require.cache[resolved] = { id: resolved, filename: resolved, loaded: true, exports: {} };
