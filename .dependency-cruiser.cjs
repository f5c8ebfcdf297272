// The import boundaries `npm run lint` enforces (docs/architecture.md has the
// picture). Each rule names a layer, never a list of today's folders, so a new
// domain under lib/ is covered the day it is created:
//
//   app  ->  components  ->  lib/<domain>  ->  lib/routing  ->  lib/server
//                                          ->  lib/shared
//   worker, simulator, scripts, prisma (the processes and their entries) use lib;
//   lib never uses them, nor app or components.
//
// Tests are leaves (nothing imports a test), so they are not cruised here: a
// test may set up a scenario across domains without making them depend on
// each other. ESLint keeps lib's tests away from app and components.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Two folders that import each other, directly or round a circle, are one tangle: move the shared part down (often to lib/routing or lib/shared).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      comment: 'Modules that import each other load in an order nobody chose.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-is-below-the-pages',
      comment: 'lib/ is used by app/ and components/, never the other way round.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(app|components)/' },
    },
    {
      name: 'lib-is-below-the-processes',
      comment: 'lib/ is what the processes (worker/, simulator/, scripts/, the seed in prisma/) are made of; it never imports them.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(worker|simulator|scripts|prisma|bench|e2e)/' },
    },
    {
      name: 'components-are-below-app',
      severity: 'error',
      from: { path: '^components/' },
      to: { path: '^app/' },
    },
    {
      name: 'processes-do-not-import-the-ui',
      comment: 'worker/, simulator/ and prisma/ run without Next: no pages, no components.',
      severity: 'error',
      from: { path: '^(worker|simulator|prisma)/' },
      to: { path: '^(app|components)/' },
    },
    {
      name: 'the-worker-does-not-import-the-simulator',
      comment: 'The simulated upstreams run only when asked for (simulator/index.ts); nothing of a replica depends on them.',
      severity: 'error',
      from: { path: '^(worker|prisma)/' },
      to: { path: '^simulator/' },
    },
    {
      name: 'routing-model-depends-on-no-domain',
      comment: 'lib/routing is the model every domain speaks; it may use lib/server and lib/shared, nothing else in lib.',
      severity: 'error',
      from: { path: '^lib/routing/' },
      to: { path: '^lib/', pathNot: '^lib/(routing|server|shared)/' },
    },
    {
      name: 'server-depends-on-nothing-in-lib',
      comment: 'lib/server is the ground floor (database, environment, sessions, errors): it imports nothing else in lib.',
      severity: 'error',
      from: { path: '^lib/server/' },
      to: { path: '^lib/', pathNot: '^lib/server/' },
    },
    {
      name: 'shared-depends-on-nothing-in-lib',
      comment: 'lib/shared is what the browser and every domain may use (formatters, live-data fetching): it imports nothing else in lib.',
      severity: 'error',
      from: { path: '^lib/shared/' },
      to: { path: '^lib/', pathNot: '^lib/shared/' },
    },
    {
      name: 'no-test-code-in-the-product',
      comment: 'Harnesses and fixtures live in test/, used by tests only.',
      severity: 'error',
      from: {},
      to: { path: '^test/' },
    },
  ],
  options: {
    // Type-only imports are dependencies too: they tie the folders as much as values do.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)node_modules/|\\.test\\.tsx?$|^(e2e|bench)/|^\\.next|^\\.standby/' },
    doNotFollow: { path: '(^|/)node_modules/|^lib/server/generated/|^test/' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
