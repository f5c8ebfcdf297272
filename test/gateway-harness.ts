// Shared by the gateway's integration tests (gateway*.integration.test.ts): the
// real gateway handler on a real node:http server, a real BreakerRegistry that
// keeps its transitions in memory, a recorder that keeps samples in memory, and
// local upstreams on one more server: the simulator (simulator/) with faults
// scripted per request, and tiny custom upstreams for what the simulator cannot
// do (a reset before the headers, keep-alives, streams that end oddly).
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { generateToken } from '@/lib/access/tokens';
import { DEFAULT_FAILOVER_ON } from '@/lib/failover/schemas';
import { faultsSchema, type Faults, type FaultsInput } from '@/lib/simulator/faults';
import { createSimulator } from '@/simulator/server';
import { DEFAULT_BREAKER_CONFIG, UNDEGRADED } from '@/lib/routing/defaults';
import { type BreakerConfig, type TargetBudget, type RoutingSnapshot, type SnapshotChainEntry, type SnapshotService, type SnapshotTarget, type SnapshotToken, type Timeouts } from '@/lib/routing/model';
import { BreakerRegistry, type TransitionRecord } from '@/lib/gateway/breaker-registry';
import type { AdaptiveLimitSetting } from '@/lib/routing/adaptive-limits';
import type { ErrorClass } from '@/lib/routing/error-classes';
import { createGatewayState, type GatewayDeps } from '@/lib/gateway/context';
import { createGatewayHandler } from '@/lib/gateway/handler';
import type { RequestOutcome, SampleRecord } from '@/lib/gateway/recorder';
import type { GatewayQueue } from '@/lib/gateway/retry-queue';
import type { ProviderKind } from '@/lib/routing/enums';
import { endpointPolicyOf } from '@/lib/server/endpoint-policy';
import { setEndpointPolicy } from '@/lib/server/guarded-connect';

/** One request an upstream received, in arrival order. */
export type Hit = { upstream: string; at: number; body: Record<string, unknown> };

export type CustomUpstream = (ctx: { req: http.IncomingMessage; res: http.ServerResponse; body: Record<string, unknown>; n: number }) => void | Promise<void>;

export type TargetSpec = {
  /** A readable label, part of the target's (and its upstream's) unique name. */
  label: string;
  /** Simulated upstream (default) or a custom one registered with `custom()` under the target's name. */
  upstream?: 'sim' | 'custom';
  apiStyle?: 'openai_chat' | 'anthropic_messages';
  providerKind?: ProviderKind;
  contextWindow?: number;
  breaker?: Partial<BreakerConfig>;
  budget?: Partial<TargetBudget>;
  timeouts?: Partial<Timeouts>;
  failoverOn?: ErrorClass[];
  latencyLimitMs?: number | null;
  adaptiveLimits?: AdaptiveLimitSetting;
};

export type TestTarget = SnapshotTarget & { hits: () => Hit[] };

/** Generous by default, so that a slow machine never fails over by accident; tests that need a timeout make it small. */
export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 2_000, headerMs: 5_000, firstTokenMs: 5_000, streamIdleMs: 5_000, totalMs: 20_000 };
export const DEFAULT_BUDGET: TargetBudget = { maxRetries: 2, baseBackoffMs: 20, maxBackoffMs: 2_000 };

const suffix = () => randomBytes(4).toString('hex');

export type Harness = Awaited<ReturnType<typeof startHarness>>;

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function shut(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function startHarness(options: { maxBodyBytes?: number; queue?: GatewayQueue; onClientDisconnect?: (where: string) => void; metrics?: GatewayDeps['metrics'] } = {}) {
  // The upstreams below listen on loopback, which Admin → Settings must allow (the routing snapshot sets this in production).
  setEndpointPolicy(endpointPolicyOf(['127.0.0.0/8']));
  // ---------------------------------------------------------------- upstreams
  const hits: Hit[] = [];
  const scripts = new Map<string, Faults[]>();
  const customs = new Map<string, CustomUpstream>();
  const customCounts = new Map<string, number>();

  const loadFaults = (name: string): Faults => {
    const script = scripts.get(name);
    if (!script || script.length === 0) return faultsSchema.parse({});
    return script.length > 1 ? script.shift()! : script[0];
  };
  const simulator = createSimulator({ loadFaults, publishStats: false, chunkDelayMs: 2 });

  const upstreamServer = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const match = /^\/(simulated|custom)\/([^/]+)\//.exec(path);
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const hit: Hit = { upstream: match[2], at: Date.now(), body: {} };
    hits.push(hit);
    const chunks: Buffer[] = [];
    // Listening as well as the simulator: both see every byte of the body.
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        hit.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        hit.body = {};
      }
      if (match[1] !== 'custom') return;
      const handler = customs.get(match[2]);
      const n = (customCounts.get(match[2]) ?? 0) + 1;
      customCounts.set(match[2], n);
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      Promise.resolve(handler({ req, res, body: hit.body, n })).catch(() => res.destroy());
    });
    if (match[1] === 'simulated') simulator.handle(req, res, path);
  });
  const upstreamOrigin = await listen(upstreamServer);

  // ---------------------------------------------------------------- routing snapshot
  const snapshot: RoutingSnapshot = { loadedAt: Date.now(), services: new Map(), targets: new Map(), overrides: [], breakers: new Map(), tokens: new Map() };
  let snapshotAvailable = true;

  function addToken(services: string[] = [], extra: Partial<SnapshotToken> = {}): string {
    const { token, tokenHash } = generateToken(randomBytes);
    snapshot.tokens.set(tokenHash, { id: randomUUID(), name: `token-${suffix()}`, services, expiresAt: null, ...extra });
    return token;
  }
  const token = addToken();

  function makeTarget(spec: TargetSpec): { target: TestTarget; entry: Omit<SnapshotChainEntry, 'position'> } {
    const name = `${spec.label}-${suffix()}`;
    const apiStyle = spec.apiStyle ?? 'openai_chat';
    const upstream = spec.upstream ?? 'sim';
    const target: TestTarget = {
      id: randomUUID(),
      name,
      providerName: apiStyle === 'anthropic_messages' ? 'anthropic' : 'openai',
      providerKind: spec.providerKind ?? (apiStyle === 'anthropic_messages' ? 'anthropic' : 'openai'),
      apiStyle,
      failureDomain: null,
      regionCode: 'test',
      endpointUrl: `${upstreamOrigin}/${upstream === 'sim' ? 'simulated' : 'custom'}/${name}/v1`,
      model: `model-${name}`,
      apiKey: 'sk-test-key',
      enabled: true,
      contextWindow: spec.contextWindow ?? 128_000,
      rpm: 1_000,
      tpm: 1_000_000,
      qualityClass: 'standard',
      breaker: { ...DEFAULT_BREAKER_CONFIG, ...spec.breaker },
      probeIntervalMs: 15_000,
      hits: () => hits.filter((hit) => hit.upstream === name),
    };
    const entry = {
      targetId: target.id,
      failoverOn: spec.failoverOn ?? [...DEFAULT_FAILOVER_ON],
      latencyLimitMs: spec.latencyLimitMs ?? null,
      budget: { ...DEFAULT_BUDGET, ...spec.budget },
      timeouts: { ...DEFAULT_TIMEOUTS, ...spec.timeouts },
      adaptiveLimits: spec.adaptiveLimits,
    };
    return { target, entry };
  }

  /** A new service with a chain of new targets, in the given order. */
  function addService(specs: TargetSpec[], extra: Partial<SnapshotService> = {}): { name: string; service: SnapshotService; targets: TestTarget[] } {
    const made = specs.map(makeTarget);
    const service: SnapshotService = {
      id: randomUUID(),
      name: `svc-${suffix()}`,
      enabled: true,
      routingVersion: 1,
      degradation: UNDEGRADED,
      chain: made.map(({ entry }, position) => ({ ...entry, position })),
      ...extra,
    };
    for (const { target } of made) snapshot.targets.set(target.id, target);
    snapshot.services.set(service.name, service);
    return { name: service.name, service, targets: made.map(({ target }) => target) };
  }

  // ---------------------------------------------------------------- gateway
  const transitions: TransitionRecord[] = [];
  const samples: SampleRecord[] = [];
  const outcomes: RequestOutcome[] = [];
  const tokenUses: { tokenId: string; at: number }[] = [];
  const randomCalls: number[] = [];
  const control = { random: (): number => 0.5 };
  // The breakers' clock runs ahead of the wall clock by what a test skipped (advanceBreakerClock),
  // so a test moves past openMs at once instead of waiting for it: nothing depends on speed.
  let skippedMs = 0;
  const breakers = new BreakerRegistry(
    'test-replica',
    (targetId) => snapshot.targets.get(targetId)?.breaker ?? DEFAULT_BREAKER_CONFIG,
    async (transition) => {
      transitions.push(transition);
    },
    undefined,
    () => Date.now() + skippedMs,
  );
  const state = createGatewayState();
  const handle = createGatewayHandler({
    snapshot: () => (snapshotAvailable ? snapshot : null),
    state,
    breakers: {
      acquire: (targetId, now = Date.now()) => breakers.acquire(targetId, now + skippedMs),
      report: (targetId, ok, acquiredAt, now = Date.now()) => breakers.report(targetId, ok, acquiredAt + skippedMs, now + skippedMs),
      view: breakers.view,
    },
    recorder: { record: (sample) => samples.push(sample), recordRequest: (outcome) => outcomes.push(outcome), tokenUsed: (tokenId, at) => tokenUses.push({ tokenId, at }) },
    queue: options.queue,
    metrics: options.metrics,
    maxBodyBytes: options.maxBodyBytes,
    onClientDisconnect: options.onClientDisconnect,
    random: () => {
      const value = control.random();
      randomCalls.push(value);
      return value;
    },
  });
  const gatewayServer = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    void handle(req, res, path).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  const gatewayOrigin = await listen(gatewayServer);

  return {
    upstreamOrigin,
    gatewayOrigin,
    snapshot,
    token,
    addToken,
    addService,
    breakers,
    transitions,
    samples,
    /** One per request that reached routing (RequestOutcome), in order. */
    outcomes,
    tokenUses,
    /** The gateway's in-process path, as the retry queue's replay uses it. */
    complete: handle.complete,
    /** This gateway's response cache. */
    cache: state.cache,
    randomCalls,
    control,
    /** Moves the breakers' clock on by `ms`, as if that much time had passed. */
    advanceBreakerClock: (ms: number) => {
      skippedMs += ms;
    },
    setSnapshotAvailable: (available: boolean) => {
      snapshotAvailable = available;
    },
    /** Faults for a simulated upstream, one profile per request; the last one stays in force. */
    setFaults(target: { name: string }, ...sequence: FaultsInput[]) {
      scripts.set(target.name, sequence.map((faults) => faultsSchema.parse(faults)));
    },
    /** The behaviour of a custom upstream (a target added with upstream: 'custom'). */
    custom(target: { name: string }, handler: CustomUpstream) {
      customs.set(target.name, handler);
    },
    /** Requests that reached any upstream. */
    upstreamHits: (): Hit[] => [...hits],
    /** The official SDK, pointed at the gateway, without retries of its own. */
    client: (apiKey = token) => new OpenAI({ baseURL: `${gatewayOrigin}/api/v1`, apiKey, maxRetries: 0, timeout: 30_000 }),
    /** A raw request to the gateway, for what the SDK would not send. */
    async post(body: unknown, init: { token?: string | null; headers?: Record<string, string>; path?: string } = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
      const bearer = init.token === undefined ? token : init.token;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      const response = await fetch(`${gatewayOrigin}${init.path ?? '/api/v1/chat/completions'}`, {
        method: 'POST',
        headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: response.status, headers: response.headers, text, json: json as { error?: { message: string; type: string; code: string | null; param: string | null } } & Record<string, unknown> };
    },
    async close() {
      simulator.close();
      await shut(gatewayServer);
      await shut(upstreamServer);
    },
  };
}

// ---------------------------------------------------------------- custom upstream replies

type ChunkOptions = { model: string; id?: string };

export function openAiChunk(opts: ChunkOptions, delta: Record<string, unknown>, finishReason: string | null = null) {
  return { id: opts.id ?? 'chatcmpl-custom', object: 'chat.completion.chunk', created: 1_700_000_000, model: opts.model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

export function openAiUsageChunk(opts: ChunkOptions, promptTokens: number, completionTokens: number) {
  return {
    id: opts.id ?? 'chatcmpl-custom', object: 'chat.completion.chunk', created: 1_700_000_000, model: opts.model, choices: [],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

export function openAiCompletion(model: string, text: string, usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }) {
  return {
    id: 'chatcmpl-custom', object: 'chat.completion', created: 1_700_000_000, model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }], usage,
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts an SSE response and returns a writer that resolves once each piece is handed to the socket. */
export function startSse(res: http.ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.flushHeaders();
  let closed = false;
  res.once('close', () => (closed = true));
  const raw = (text: string) => new Promise<void>((resolve) => (closed ? resolve() : res.write(text, () => resolve())));
  return {
    /** The client (the gateway) has gone. */
    closed: () => closed,
    raw,
    data: (data: unknown, event?: string) => raw(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value; fails after `timeoutMs` (a bound, not a measurement). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 5_000, everyMs = 20): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

type StreamChunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/** Reads an SDK stream to its end or its error: the text, every chunk, and the error if iterating threw. */
export async function drain(stream: AsyncIterable<StreamChunk>): Promise<{ text: string; chunks: StreamChunk[]; error: unknown }> {
  const chunks: StreamChunk[] = [];
  let text = '';
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    return { text, chunks, error: null };
  } catch (error) {
    return { text, chunks, error };
  }
}

export const finishReasons = (chunks: StreamChunk[]) => chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason).filter((reason) => reason !== null));
