// Preloaded into Portkey's gateway (--require) by bench/run.ts. Its start
// script (build/start-server.js) calls serve({ port }) with no hostname, which
// listens on every interface; the benchmark keeps every server on loopback, so
// a listen() given a port and no host is bound to 127.0.0.1 instead.
const net = require('node:net');

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function' || args[1] === undefined)) {
    const callback = args.find((a) => typeof a === 'function');
    return listen.call(this, args[0], '127.0.0.1', ...(callback ? [callback] : []));
  }
  if (args[0] && typeof args[0] === 'object' && !args[0].host && !args[0].path) {
    return listen.call(this, { ...args[0], host: '127.0.0.1' }, ...args.slice(1));
  }
  return listen.apply(this, args);
};
