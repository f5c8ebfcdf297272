// The simulated upstreams of the demo estate: local fake providers that speak
// OpenAI Chat Completions and Anthropic Messages under /simulated/<name>/v1,
// with the faults an operator injects from the Simulator page. Served by the
// lean front door (lib/server/runtime/http-server.ts) before Next.js, so that
// a demo's traffic costs what a real upstream's would: no router, no React.
// Nothing here calls a real provider.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { encodeSse } from '@/lib/gateway/sse';
import { decideFault, isMalformedChunk, NO_FAULTS, type Faults, type StreamFaults } from '@/lib/simulator/faults';
import {
  anthropicMessage,
  anthropicStream,
  contentPolicyReply,
  contextLengthReply,
  malformed,
  modelList,
  openAiCompletion,
  openAiStream,
  parseAnthropicRequest,
  parseOpenAiRequest,
  planReply,
  rateLimitReply,
  rejection,
  serverErrorReply,
  type ErrorReply,
  type Frame,
  type StreamPlan,
} from './replies';
import { emptyCounters, publishSimulatorStats, type SimOutcome, type SimulatorStats, type UpstreamCounters } from '@/lib/simulator/stats';
import { findSimulatedUpstream, SIMULATED_NAME_PATTERN, type SimulatedProtocol } from '@/lib/simulator/upstreams';

export type SimulatorOptions = {
  /** The faults in force for an upstream, read on every request (an in-memory cache: see store.ts). */
  loadFaults: (name: string) => Faults;
  /** One draw in [0, 1) per decision; tests pass their own. */
  random?: () => number;
  /** Pause between chunks of answer text, so streams are real streams. */
  chunkDelayMs?: number;
  maxBodyBytes?: number;
  /** Make the counters readable by the Simulator page of this process (default true). */
  publishStats?: boolean;
};

export type Simulator = {
  /** Answers `path` if it is under /simulated/ and returns true; returns false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean;
  stats(): SimulatorStats;
  /** Drops the connections it holds open on purpose (no response, stalled streams), as on shutdown. */
  close(): void;
};

type Endpoint = 'chat' | 'messages' | 'models';
const ENDPOINTS = new Map<string, Endpoint>([
  ['/v1/chat/completions', 'chat'],
  ['/v1/messages', 'messages'],
  ['/v1/models', 'models'],
]);

const PREFIX = '/simulated';
const DEFAULT_MODELS = ['simulated-model'];
/** Counters for names beyond this many are not kept, so a scan of random paths cannot grow memory. */
const MAX_COUNTED_UPSTREAMS = 200;

class ClientGone extends Error {}

export function createSimulator(options: SimulatorOptions): Simulator {
  const random = options.random ?? Math.random;
  const chunkDelayMs = options.chunkDelayMs ?? 5;
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const since = new Date().toISOString();
  const counters = new Map<string, UpstreamCounters>();
  const held = new Set<ServerResponse>();

  const countersFor = (name: string): UpstreamCounters | null => {
    let entry = counters.get(name);
    if (!entry && counters.size < MAX_COUNTED_UPSTREAMS) counters.set(name, (entry = emptyCounters()));
    return entry ?? null;
  };

  const stats = (): SimulatorStats => ({ since, upstreams: structuredClone(Object.fromEntries(counters)) });
  if (options.publishStats !== false) publishSimulatorStats(stats);

  function loadFaults(name: string): Faults {
    try {
      return options.loadFaults(name);
    } catch (error) {
      console.error('[standby] simulator: could not read faults, serving without them', { upstream: name, error });
      return NO_FAULTS;
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, name: string, endpoint: Endpoint | undefined, count: UpstreamCounters | null, signal: AbortSignal) {
    const record = (outcome: SimOutcome) => {
      if (count) count.outcomes[outcome]++;
    };
    const headerProtocol: SimulatedProtocol = req.headers['anthropic-version'] ? 'anthropic_messages' : 'openai_chat';
    const protocol: SimulatedProtocol =
      endpoint === 'chat' ? 'openai_chat' : endpoint === 'messages' ? 'anthropic_messages' : (findSimulatedUpstream(name)?.protocol ?? headerProtocol);
    const requestId = randomUUID();
    const baseHeaders = { 'x-standby-simulated': name, 'x-request-id': requestId };

    const send = (reply: ErrorReply) => {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...baseHeaders, ...reply.headers });
      res.end(JSON.stringify(reply.body));
    };
    const refuse = (status: Parameters<typeof rejection>[1], message: string, param: string | null = null) => {
      record('rejected');
      send(rejection(protocol, status, message, param));
    };

    if (!SIMULATED_NAME_PATTERN.test(name)) return refuse(404, `There is no simulated upstream named '${name.slice(0, 64)}'.`);
    if (!endpoint) return refuse(404, `This simulated upstream serves POST /v1/chat/completions, POST /v1/messages and GET /v1/models.`);

    const faults = loadFaults(name);
    if (faults.noResponse) {
      // A black hole: the request is accepted and nothing ever comes back, not even an error.
      record('no_response');
      req.resume();
      return;
    }

    const method = endpoint === 'models' ? 'GET' : 'POST';
    if (req.method !== method) {
      res.setHeader('allow', method);
      return refuse(405, `Use ${method} for this endpoint.`);
    }
    const body = endpoint === 'models' ? Buffer.alloc(0) : await readBody(req, maxBodyBytes);
    if (body === null) {
      res.setHeader('connection', 'close');
      return refuse(413, `The request body is larger than ${maxBodyBytes} bytes.`);
    }
    await pause(faults.addedLatencyMs, signal);

    if (!hasCredentials(req)) {
      return refuse(
        401,
        protocol === 'anthropic_messages'
          ? 'x-api-key header is required'
          : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    }

    if (endpoint === 'models') {
      // Health probes read this endpoint: an upstream that is down or rate limited says so here too.
      const decision = decideFault(faults, random());
      if (decision.kind === 'server_error') {
        record('server_error');
        return send(serverErrorReply(protocol, decision.status));
      }
      if (decision.kind === 'rate_limited') {
        record('rate_limited');
        return send(rateLimitReply(protocol, decision.retryAfterSeconds));
      }
      record('ok');
      return send({ status: 200, headers: {}, body: modelList(protocol, findSimulatedUpstream(name)?.models ?? DEFAULT_MODELS) });
    }

    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return refuse(400, protocol === 'anthropic_messages' ? 'The request body is not valid JSON.' : "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)");
    }
    const parsed = protocol === 'anthropic_messages' ? parseAnthropicRequest(json) : parseOpenAiRequest(json);
    if (!parsed.ok) return refuse(400, parsed.message, parsed.param);
    const request = parsed.request;

    const decision = decideFault(faults, random(), { promptTokens: request.promptTokens });
    switch (decision.kind) {
      case 'no_response':
        return; // handled above; kept for exhaustiveness
      case 'server_error':
        record('server_error');
        return send(serverErrorReply(protocol, decision.status));
      case 'rate_limited':
        record('rate_limited');
        return send(rateLimitReply(protocol, decision.retryAfterSeconds));
      case 'content_policy':
        record('content_policy');
        return send(contentPolicyReply(protocol));
      case 'context_length':
        record('context_length');
        return send(contextLengthReply(protocol, decision.limit, decision.promptTokens));
      case 'answer':
        break;
    }

    const reply = planReply(name, request);
    const meta = {
      id: protocol === 'anthropic_messages' ? `msg_sim_${requestId.replace(/-/g, '')}` : `chatcmpl-sim-${requestId}`,
      created: Math.floor(Date.now() / 1000),
      upstream: name,
    };
    if (!request.stream) {
      record('ok');
      await pause(decision.firstTokenDelayMs, signal);
      const answer = protocol === 'anthropic_messages' ? anthropicMessage(meta, request, reply) : openAiCompletion(meta, request, reply);
      return send({ status: 200, headers: {}, body: answer });
    }

    const plan = protocol === 'anthropic_messages' ? anthropicStream(meta, request, reply) : openAiStream(meta, request, reply);
    const ending = streamEnding(decision, plan);
    record(ending === 'complete' ? 'ok' : ending);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...baseHeaders });
    res.flushHeaders();
    await streamReply(res, plan, decision, signal, () => {
      if (count) count.malformedChunks++;
    });
  }

  /** How a stream will end, decided before it starts so the counters say what the client got. */
  function streamEnding(faults: StreamFaults, plan: StreamPlan): 'complete' | 'stream_cut' | 'stream_stall' | 'stream_without_done' {
    const cut = faults.cutAfterChunks === null ? Infinity : Math.min(faults.cutAfterChunks, plan.text.length);
    const stall = faults.stallAfterChunks === null ? Infinity : Math.min(faults.stallAfterChunks, plan.text.length);
    if (cut !== Infinity && cut <= stall) return 'stream_cut';
    if (stall !== Infinity) return 'stream_stall';
    return faults.omitDone ? 'stream_without_done' : 'complete';
  }

  async function streamReply(res: ServerResponse, plan: StreamPlan, faults: StreamFaults, signal: AbortSignal, onMalformed: () => void) {
    const write = (frame: Frame) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(new ClientGone());
        // The callback fires once the bytes are handed to the socket, so a cut that follows cannot swallow them.
        res.write(encodeSse(frame.data, frame.event), (error) => (error ? reject(new ClientGone()) : resolve()));
      });

    await pause(faults.firstTokenDelayMs, signal);
    for (const frame of plan.head) await write(frame);
    let sent = 0;
    const interrupt = (): 'cut' | 'stall' | null => {
      if (faults.cutAfterChunks !== null && sent >= faults.cutAfterChunks) return 'cut';
      if (faults.stallAfterChunks !== null && sent >= faults.stallAfterChunks) return 'stall';
      return null;
    };
    for (const frame of plan.text) {
      if (interrupt()) break;
      if (isMalformedChunk(faults, random())) {
        onMalformed();
        await write(malformed(frame));
      } else {
        await write(frame);
      }
      sent++;
      await pause(chunkDelayMs, signal);
    }
    // A cut or stall set past the end of the text still happens: before the finish and usage.
    const cutOrStall = interrupt() ?? (faults.cutAfterChunks !== null ? 'cut' : faults.stallAfterChunks !== null ? 'stall' : null);
    if (cutOrStall === 'cut') {
      res.destroy();
      return;
    }
    if (cutOrStall === 'stall') return; // the connection stays open, silent, until the client gives up
    for (const frame of plan.tail) await write(frame);
    if (!faults.omitDone) await write(plan.done);
    res.end();
  }

  return {
    handle(req, res, rawPath) {
      const path = rawPath.split('?')[0];
      if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
      const match = /^\/simulated\/([^/]*)(\/.*)?$/.exec(path);
      const name = match ? decodeSegment(match[1]) : '';
      const endpoint = match ? ENDPOINTS.get((match[2] ?? '').replace(/\/+$/, '')) : undefined;

      const count = SIMULATED_NAME_PATTERN.test(name) ? countersFor(name) : null;
      if (count) {
        count.requests++;
        count.lastRequestAt = new Date().toISOString();
        count.open++;
      }
      held.add(res);
      const controller = new AbortController();
      res.once('close', () => {
        held.delete(res);
        if (count) count.open--;
        controller.abort();
      });

      serve(req, res, name, endpoint, count, controller.signal).catch((error: unknown) => {
        if (error instanceof ClientGone || controller.signal.aborted) return; // the client left; nothing to tell it
        console.error('[standby] simulator request failed', { path, error });
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'The simulator failed unexpectedly.', type: 'server_error', param: null, code: null } }));
        } else {
          res.destroy();
        }
      });
      return true;
    },
    stats,
    close() {
      for (const res of held) res.destroy();
      held.clear();
    },
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Like real providers, any non-empty key is taken: Bearer (OpenAI), x-api-key (Anthropic) or api-key (Azure). */
function hasCredentials(req: IncomingMessage): boolean {
  const { authorization } = req.headers;
  if (typeof authorization === 'string' && /^Bearer\s+\S/i.test(authorization.trim())) return true;
  return ['x-api-key', 'api-key'].some((name) => {
    const value = req.headers[name];
    return typeof value === 'string' && value.trim() !== '';
  });
}

/** The body, or null when it is larger than `limit` (the rest is read and dropped, so the 413 can be sent). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        resolve(null);
      } else {
        chunks.push(chunk);
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', () => reject(new ClientGone()));
    req.once('close', () => {
      if (!req.complete) reject(new ClientGone());
    });
  });
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    throw new ClientGone();
  }
}
