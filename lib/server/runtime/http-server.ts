// The HTTP front door: one node:http server per replica. Paths of the data
// plane are answered by lean handlers first (docs/decisions/002-lean-http-front-door.md);
// every other request goes to Next.js.
import http from 'node:http';
import next from 'next';

export type FrontDoor = { server: http.Server; close: () => Promise<void> };

/** Answers a request and returns true, or returns false to let the next handler (finally Next.js) answer. */
export type LeanHandler = (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => boolean | Promise<boolean>;

function pathnameOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

export async function startFrontDoor(options: { dir: string; port: number; host: string; dev: boolean; lean?: LeanHandler[] }): Promise<FrontDoor> {
  const app = next({ dev: options.dev, dir: options.dir, hostname: options.host === '0.0.0.0' ? 'localhost' : options.host, port: options.port });
  await app.prepare();
  const handleWithNext = app.getRequestHandler();
  const lean = options.lean ?? [];
  const fail = (req: http.IncomingMessage, res: http.ServerResponse, error: unknown) => {
    console.error('[standby] unhandled request error', { url: req.url, error });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('Internal error');
  };
  const server = http.createServer(async (req, res) => {
    const pathname = pathnameOf(req.url);
    try {
      for (const handler of lean) if (await handler(req, res, pathname)) return;
      await handleWithNext(req, res);
    } catch (error) {
      fail(req, res, error);
    }
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
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
