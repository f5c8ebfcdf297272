import 'server-only';
// LISTEN on a Postgres channel with a dedicated connection (Prisma cannot
// LISTEN), reconnecting with backoff. After each (re)connection it calls
// onConnected, so a listener can catch up on anything it missed while away.
import pg from 'pg';
import { env } from './env';

export type Listener = { connected: () => boolean; close: () => Promise<void> };

export function listen(channel: string, handlers: { onNotify: (payload: string) => void; onConnected?: () => void; onDisconnected?: (error: unknown) => void }): Listener {
  let client: pg.Client | null = null;
  let closed = false;
  let connected = false;
  let backoff = 250;
  let retry: NodeJS.Timeout | null = null;

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: env().DATABASE_URL, connectionTimeoutMillis: 3_000, keepAlive: true });
    const lost = (error: unknown) => {
      if (client !== next) return;
      client = null;
      connected = false;
      handlers.onDisconnected?.(error);
      next.end().catch(() => {});
      schedule();
    };
    next.on('error', lost);
    next.on('end', () => lost(new Error('connection ended')));
    next.on('notification', (message) => {
      if (message.channel === channel) handlers.onNotify(message.payload ?? '');
    });
    try {
      client = next;
      await next.connect();
      await next.query(`LISTEN ${next.escapeIdentifier(channel)}`);
      connected = true;
      backoff = 250;
      handlers.onConnected?.();
    } catch (error) {
      lost(error);
    }
  };

  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, backoff);
    retry.unref();
    backoff = Math.min(backoff * 2, 5_000);
  };

  void connect();
  return {
    connected: () => connected,
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}
