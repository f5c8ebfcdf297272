// The load generator, in a process of its own so that it never shares an
// event loop with a server under test. Three kinds of load:
//   autocannon  closed loop, N connections, for throughput
//   latency     one connection, requests one after another, exact per-request
//               times to the last byte (undici; no histogram rounding)
//   open loop   a fixed request rate whatever the answers do (the failover run)
import autocannon from 'autocannon';
import { Agent, Client, request } from 'undici';
import { now, serveIpc } from './harness';
import { summarize, type Summary } from './stats';

export type Subject = {
  label: string; url: string; headers: Record<string, string>; body: string; stream?: boolean;
  /** Open loop only: a header whose value moves on every `every` requests (`<prefix><n>`), e.g. a new conversation every few turns. */
  rotate?: { header: string; prefix: string; every: number };
};

export type ThroughputResult = { requests: number; ok: number; non2xx: number; errors: number; durationS: number; rps: number; latencyMeanMs: number; latencyP99Ms: number };

async function runAutocannon(job: { subject: Subject; connections: number; durationS?: number; amount?: number }): Promise<ThroughputResult> {
  const { subject } = job;
  const result = await autocannon({
    url: subject.url,
    method: 'POST',
    headers: subject.headers,
    body: subject.body,
    connections: job.connections,
    ...(job.amount ? { amount: job.amount } : { duration: job.durationS ?? 10 }),
    timeout: 10,
  });
  return {
    requests: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    durationS: result.duration,
    rps: result['2xx'] / result.duration,
    latencyMeanMs: result.latency.average,
    latencyP99Ms: result.latency.p99,
  };
}

export type LatencyResult = Record<string, Summary & { errors: number; firstError: string | null }>;

/** One connection per subject; rounds interleave the subjects (rotating who goes first) so that drift in the machine's load hits them alike. */
async function measureLatency(job: { subjects: Subject[]; rounds: number; perRound: number; warmup: number }): Promise<LatencyResult> {
  const clients = new Map(job.subjects.map((s) => [s.label, new Client(new URL(s.url).origin, { pipelining: 1, keepAliveTimeout: 60_000 })]));
  const samples = new Map<string, number[]>(job.subjects.map((s) => [s.label, []]));
  const errors = new Map<string, { count: number; first: string | null }>(job.subjects.map((s) => [s.label, { count: 0, first: null }]));

  const once = async (subject: Subject): Promise<number | string> => {
    const url = new URL(subject.url);
    const started = performance.now();
    try {
      const response = await clients.get(subject.label)!.request({ path: url.pathname + url.search, method: 'POST', headers: subject.headers, body: subject.body });
      const text = await response.body.text(); // to the last byte
      const elapsed = performance.now() - started;
      if (response.statusCode !== 200) return `HTTP ${response.statusCode}: ${text.slice(0, 200)}`;
      if (subject.stream ? !text.endsWith('data: [DONE]\n\n') : !text.includes('"choices"')) return `unexpected body: ${text.slice(0, 200)}`;
      return elapsed;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };

  for (const subject of job.subjects) for (let i = 0; i < job.warmup; i += 1) await once(subject);
  for (let round = 0; round < job.rounds; round += 1) {
    const order = job.subjects.map((_, i) => job.subjects[(i + round) % job.subjects.length]);
    for (const subject of order) {
      for (let i = 0; i < job.perRound; i += 1) {
        const outcome = await once(subject);
        if (typeof outcome === 'number') samples.get(subject.label)!.push(outcome);
        else {
          const e = errors.get(subject.label)!;
          e.count += 1;
          e.first ??= outcome;
        }
      }
    }
  }
  await Promise.all([...clients.values()].map((c) => c.close()));
  return Object.fromEntries(job.subjects.map((s) => [s.label, { ...summarize(samples.get(s.label)!), errors: errors.get(s.label)!.count, firstError: errors.get(s.label)!.first }]));
}

/** One request of the open loop: when it was due, when it ended, what came back. */
export type OpenLoopRecord = { dueAt: number; doneAt: number; status: number; target: string | null; attempts: number | null; error: string | null };

let openLoop: { stop: () => Promise<OpenLoopRecord[]> } | null = null;

function startOpenLoop(job: { subject: Subject; rate: number }): { startedAt: number } {
  if (openLoop) throw new Error('an open loop is already running');
  const { subject } = job;
  const dispatcher = new Agent({ connections: 512, keepAliveTimeout: 60_000 });
  const interval = 1000 / job.rate;
  const startedAt = now();
  const records: OpenLoopRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;

  const fire = (dueAt: number, index: number) => {
    const done = (async () => {
      const record: OpenLoopRecord = { dueAt, doneAt: 0, status: 0, target: null, attempts: null, error: null };
      try {
        const headers = subject.rotate ? { ...subject.headers, [subject.rotate.header]: `${subject.rotate.prefix}${Math.floor(index / subject.rotate.every)}` } : subject.headers;
        const response = await request(subject.url, { method: 'POST', headers, body: subject.body, dispatcher, headersTimeout: 30_000, bodyTimeout: 30_000 });
        const text = await response.body.text();
        record.status = response.statusCode;
        record.target = (response.headers['x-standby-target'] as string | undefined) ?? null;
        record.attempts = Number(response.headers['x-standby-attempts'] ?? NaN);
        if (response.statusCode !== 200) record.error = text.slice(0, 300);
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
      record.doneAt = now();
      records.push(record);
    })();
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  // Requests are due on a fixed schedule; a tick sends every one that is due,
  // so a slow answer never delays the next request (no coordinated omission).
  const timer = setInterval(() => {
    const t = now();
    while (startedAt + sent * interval <= t) {
      fire(startedAt + sent * interval, sent);
      sent += 1;
    }
  }, 1);

  openLoop = {
    stop: async () => {
      clearInterval(timer);
      await Promise.race([Promise.all([...inFlight]), new Promise((resolve) => setTimeout(resolve, 35_000))]);
      await dispatcher.close();
      openLoop = null;
      return records.sort((a, b) => a.dueAt - b.dueAt);
    },
  };
  return { startedAt };
}

serveIpc({
  autocannon: runAutocannon,
  latency: measureLatency,
  openLoopStart: startOpenLoop,
  openLoopStop: () => {
    if (!openLoop) throw new Error('no open loop is running');
    return openLoop.stop();
  },
});
