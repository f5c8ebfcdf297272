// One replica of the incidents benchmark: an HTTP server answering
// GET /live?incident=<id> with liveResponse, the very function behind
// GET /api/incidents/live (one LISTEN per process, fanned out in memory).
// Started by bench/incidents.ts with DATABASE_URL pointing at its database.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeLiveHub, liveHub, liveResponse } from '@/lib/incidents/live-hub';
import { serveIpc } from './harness';

async function main() {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/live') return void res.writeHead(404).end();
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const response = liveResponse(url.searchParams.get('incident'), abort.signal, null);
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    } catch {
      /* the client went away */
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serveIpc(
    { watchers: () => liveHub().watchers() },
    { port: (server.address() as AddressInfo).port, pid: process.pid },
    async () => {
      server.closeAllConnections();
      await closeLiveHub();
    },
  );
}

main().catch((error) => {
  console.error('[bench incidents replica]', error);
  process.exit(1);
});
