// The benchmark's upstream: a minimal OpenAI-compatible server that answers at
// once with a fixed small chat.completion (or a fixed short SSE stream when the
// request asks to stream), so that whatever sits in front of it is what gets
// measured. It serves any number of named upstreams under /<name>/v1, each of
// which the orchestrator can make fail with 503 and whose requests it can log
// (for the failover scenario). Started by bench/run.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { now, serveIpc } from './harness';

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the bench upstream.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
});

const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'bench-model', choices, ...extra })}\n\n`;
const STREAM = [
  chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
  ...['Hello', ' from the', ' bench upstream.'].map((text) => chunk([{ index: 0, delta: { content: text }, finish_reason: null }])),
  chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
  chunk([], { usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } }),
  'data: [DONE]\n\n',
];

const OVERLOADED = JSON.stringify({ error: { message: 'The bench upstream is failing on purpose.', type: 'server_error', param: null, code: null } });

const failing = new Set<string>();
/** Upstreams that stall: a stream gets its headers and then nothing, a complete answer nothing at all, until the caller leaves. */
const stalling = new Set<string>();
let logging = false;
/** [upstream name, arrival time (epoch ms), status sent] of each request while logging. */
let log: [string, number, number][] = [];
const served = new Map<string, number>();

const server = http.createServer((req, res) => {
  const arrived = now();
  const url = req.url ?? '/';
  const slash = url.indexOf('/', 1);
  const name = slash > 0 ? url.slice(1, slash) : '';
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (!url.endsWith('/v1/chat/completions') || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      return;
    }
    served.set(name, (served.get(name) ?? 0) + 1);
    if (failing.has(name)) {
      if (logging) log.push([name, arrived, 503]);
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(OVERLOADED);
      return;
    }
    if (stalling.has(name)) {
      if (logging) log.push([name, arrived, 0]);
      if (Buffer.concat(chunks).includes('"stream":true')) res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' }).flushHeaders();
      return;
    }
    if (logging) log.push([name, arrived, 200]);
    // The gateway and the clients send compact JSON; a substring test keeps the upstream's own cost out of the figures.
    if (Buffer.concat(chunks).includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      for (let i = 0; i < STREAM.length - 1; i += 1) res.write(STREAM[i]);
      res.end(STREAM[STREAM.length - 1]);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(COMPLETION);
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveIpc(
    {
      /** Makes `name` answer every request with 503 (or heals it); returns when, as this process saw it. */
      setFailing: ({ name, on }: { name: string; on: boolean }) => {
        if (on) failing.add(name);
        else failing.delete(name);
        return { at: now() };
      },
      /** Makes `name` stall (or answer again); returns when, as this process saw it. */
      setStalling: ({ name, on }: { name: string; on: boolean }) => {
        if (on) stalling.add(name);
        else stalling.delete(name);
        return { at: now() };
      },
      setLogging: ({ on }: { on: boolean }) => {
        logging = on;
        if (on) log = [];
        return { at: now() };
      },
      takeLog: () => {
        const taken = log;
        log = [];
        return taken;
      },
      served: () => Object.fromEntries(served),
    },
    { port },
  );
});
