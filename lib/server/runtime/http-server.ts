// The HTTP front door: one node:http server per replica. Paths of the data
// plane are answered by lean handlers (docs/decisions/002-lean-http-front-door.md);
// every other request goes to Next.js.
import http from 'node:http';
import next from 'next';

export type FrontDoor = { server: http.Server; close: () => Promise<void> };

export async function startFrontDoor(options: { dir: string; port: number; host: string; dev: boolean }): Promise<FrontDoor> {
  const app = next({ dev: options.dev, dir: options.dir, hostname: options.host === '0.0.0.0' ? 'localhost' : options.host, port: options.port });
  await app.prepare();
  const handleWithNext = app.getRequestHandler();
  const server = http.createServer((req, res) => {
    handleWithNext(req, res).catch((error: unknown) => {
      console.error('[standby] unhandled request error', { url: req.url, error });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error');
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${options.port} is already in use: set PORT to another port.`) : error),
    );
    server.listen(options.port, options.host, resolve);
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }).then(() => app.close?.()),
  };
}
