// The floor for any gateway on this machine: a bare node:http + undici proxy
// with no logic (parse the body, set the model, forward, parse and re-send the
// answer; pipe a stream). It pays for one more process hop and nothing else,
// so the Standby gateway's figures minus this one are what its own work costs.
// Started by bench/run.ts with the upstream's chat completions URL in BENCH_UPSTREAM.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { serveIpc } from './harness';

const upstream = process.env.BENCH_UPSTREAM ?? '';
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 512 });

const server = http.createServer(async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; stream?: boolean };
    body.model = 'bench-model';
    const answer = await request(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), dispatcher });
    if (body.stream) {
      res.writeHead(answer.statusCode, { 'content-type': 'text/event-stream; charset=utf-8' });
      for await (const chunk of answer.body) res.write(chunk);
      res.end();
      return;
    }
    const json: unknown = JSON.parse(await answer.body.text());
    res.writeHead(answer.statusCode, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  } catch (error) {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(error));
  }
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => serveIpc({}, { port: (server.address() as AddressInfo).port }));
