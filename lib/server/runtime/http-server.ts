// The HTTP front door: one node:http server per replica. Paths of the data
// plane are answered by lean handlers first (docs/decisions/002-lean-http-front-door.md);
// every other request goes to Next.js.
import http from 'node:http';
import next from 'next';
import { CLIENT_ADDRESS_HEADER, cameThroughTrustedProxy, clientAddress, FORWARDED_HEADERS, type TrustedProxies } from '../client-address';
import { isClientDisconnect, silenceAbortedRequestLogs } from '../disconnects';

export type FrontDoor = { server: http.Server; close: () => Promise<void> };

/** Answers a request and returns true, or returns false to let the next handler (finally Next.js) answer. */
export type LeanHandler = (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => boolean | Promise<boolean>;

function pathnameOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

/**
 * Decides the client's address once, for every handler: forwarded headers are
 * believed only from trusted proxies and removed from anyone else's request.
 */
export function stampClientAddress(req: http.IncomingMessage, trusted: TrustedProxies): void {
  const peer = req.socket.remoteAddress;
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(peer, req.headers['x-forwarded-for'], trusted);
  if (!cameThroughTrustedProxy(peer, trusted)) for (const name of FORWARDED_HEADERS) delete req.headers[name];
}

export type FrontDoorOptions = {
  dir: string;
  port: number;
  host: string;
  dev: boolean;
  lean?: LeanHandler[];
  trustedProxies?: TrustedProxies;
  /** A client that went away before its request was read: counted, and logged as one line. */
  onClientDisconnect?: (where: string) => void;
};

export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const app = next({ dev: options.dev, dir: options.dir, hostname: options.host === '0.0.0.0' ? 'localhost' : options.host, port: options.port });
  await app.prepare();
  const handleWithNext = app.getRequestHandler();
  const lean = options.lean ?? [];
  const trusted = options.trustedProxies ?? { kind: 'none' };
  if (options.onClientDisconnect) silenceAbortedRequestLogs();
  const fail = (req: http.IncomingMessage, res: http.ServerResponse, error: unknown) => {
    // Counted where it happened (the gateway, or the 'aborted' listener below): not an error of ours.
    if (isClientDisconnect(error, req)) return void res.destroy();
    console.error('[standby] unhandled request error', { url: req.url, error });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('Internal error');
  };
  const server = http.createServer(async (req, res) => {
    const pathname = pathnameOf(req.url);
    stampClientAddress(req, trusted);
    try {
      for (const handler of lean) if (await handler(req, res, pathname)) return;
      // A client gone before its request was complete ('aborted' also fires when one leaves while its answer is rendered).
      req.once('aborted', () => {
        if (!req.complete) options.onClientDisconnect?.(pathname);
      });
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
