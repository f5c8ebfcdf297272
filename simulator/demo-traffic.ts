// Steady demo traffic: while the "demo.traffic" setting asks for it, sends
// chat completions through the gateway as a client application would, so the
// dashboards have something to show and injected faults have something to
// hit. It never throws: a failed request is counted, not raised.
import { DEMO_TRAFFIC_OFF, readDemoTraffic, type DemoTraffic } from '@/lib/simulator/schemas';

export type DemoTrafficOptions = {
  /** Where the gateway listens, e.g. http://127.0.0.1:3000; requests go to {gatewayUrl}/api/v1/chat/completions. */
  gatewayUrl: string;
  /** The demo API token the gateway accepts. */
  token: string;
  /** The current setting, e.g. a FaultCache's demoTraffic() or a database read; polled. */
  readSetting: () => DemoTraffic | null | undefined | Promise<DemoTraffic | null | undefined>;
  log?: (line: string) => void;
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  maxConcurrency?: number;
};

export type DemoTrafficStats = { sent: number; succeeded: number; failed: number; skippedAtConcurrencyLimit: number; inFlight: number };

export type DemoTrafficRunner = { close(): Promise<void>; stats(): DemoTrafficStats };

const PROMPTS = [
  'How do I reset my password?',
  'Summarise the last incident in two sentences.',
  'What is the refund policy for annual plans?',
  'Translate "service restored" into French and German.',
  'Which regions does the status page list as degraded?',
  'Draft a short apology for a delayed order.',
];

/**
 * The `index`-th request of a setting: services called in turn, each one
 * alternating between streamed and not whatever the number of services, and
 * the prompts in turn. Pure (demo-traffic.test.ts).
 */
export function planDemoRequest(index: number, setting: Pick<DemoTraffic, 'services' | 'stream'>): { service: string; stream: boolean; prompt: string } {
  const { services } = setting;
  return {
    service: services[index % services.length],
    stream: setting.stream && Math.floor(index / services.length) % 2 === 0,
    prompt: PROMPTS[index % PROMPTS.length],
  };
}

/** At most this many overdue requests are sent at once after the event loop was held up; the rest are dropped, not bunched. */
const MAX_CATCH_UP = 5;

export function startDemoTraffic(options: DemoTrafficOptions): DemoTrafficRunner {
  const log = options.log ?? ((line: string) => console.log(`[standby] ${line}`));
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const maxConcurrency = options.maxConcurrency ?? 20;
  const url = `${options.gatewayUrl.replace(/\/+$/, '')}/api/v1/chat/completions`;

  let setting: DemoTraffic = DEMO_TRAFFIC_OFF;
  let closed = false;
  let sequence = 0;
  let nextAt = 0;
  let pollTimer: NodeJS.Timeout | null = null;
  let tickTimer: NodeJS.Timeout | null = null;
  const stopAll = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const counts = { sent: 0, succeeded: 0, failed: 0, skippedAtConcurrencyLimit: 0 };

  const active = () => !closed && setting.requestsPerSecond > 0 && setting.services.length > 0;

  function describe(value: DemoTraffic): string {
    if (value.requestsPerSecond <= 0 || value.services.length === 0) return 'demo traffic off';
    return `demo traffic: ${value.requestsPerSecond} request(s)/s to ${value.services.join(', ')}${value.stream ? ', every other one streamed' : ''}`;
  }

  function apply(next: DemoTraffic) {
    if (JSON.stringify(next) === JSON.stringify(setting)) return;
    const wasActive = active();
    setting = next;
    log(describe(next));
    if (tickTimer) clearTimeout(tickTimer);
    tickTimer = null;
    if (active()) {
      if (!wasActive) nextAt = performance.now();
      tick();
    }
  }

  async function poll() {
    pollTimer = null;
    try {
      const value = await options.readSetting();
      if (!closed) apply(value ? readDemoTraffic(value) : DEMO_TRAFFIC_OFF);
    } catch (error) {
      // Keep the last setting: demo traffic should not stop because the database blinked.
      void error;
    }
    if (!closed) {
      pollTimer = setTimeout(() => void poll(), pollIntervalMs);
      pollTimer.unref();
    }
  }

  function tick() {
    tickTimer = null;
    if (!active()) return;
    const interval = 1000 / setting.requestsPerSecond;
    const now = performance.now();
    let fired = 0;
    while (nextAt <= now && fired < MAX_CATCH_UP) {
      fire();
      nextAt += interval;
      fired++;
    }
    if (nextAt < now) nextAt = now + interval;
    tickTimer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
    tickTimer.unref();
  }

  function fire() {
    if (inFlight.size >= maxConcurrency) {
      counts.skippedAtConcurrencyLimit++;
      return;
    }
    const { service, stream, prompt } = planDemoRequest(sequence, setting);
    const conversation = conversationOf(sequence++, service);
    const request = send(service, stream, prompt, conversation).finally(() => inFlight.delete(request));
    inFlight.add(request);
  }

  /**
   * Every other request continues a short session (a new one every twelve requests), so a
   * service with its conversation store on has conversations to show; a service whose store
   * is off refuses the header once, and is sent plain requests from then on.
   */
  const storeOff = new Set<string>();
  const run = Date.now().toString(36);
  const conversationOf = (index: number, service: string) => (storeOff.has(service) || index % 2 === 1 ? null : `demo-${run}-${Math.floor(index / 12)}`);

  async function send(service: string, stream: boolean, prompt: string, conversation: string | null): Promise<void> {
    counts.sent++;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, ...(conversation ? { 'x-standby-conversation': conversation } : {}) },
        body: JSON.stringify({
          model: service,
          messages: [{ role: 'user', content: prompt }],
          max_tokens: 256,
          user: 'standby-demo-traffic',
          ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
        }),
        signal: AbortSignal.any([stopAll.signal, AbortSignal.timeout(requestTimeoutMs)]),
      });
      // Read to the end, as a client would: the gateway only counts a stream once it finishes.
      const body = await response.text();
      if (conversation && response.status === 400 && body.includes('conversation_store_off')) {
        storeOff.add(service);
        return send(service, stream, prompt, null);
      }
      if (response.ok && (!stream || body.includes('[DONE]'))) counts.succeeded++;
      else counts.failed++;
    } catch {
      counts.failed++;
    }
  }

  void poll();

  return {
    async close() {
      if (closed) return;
      closed = true;
      if (pollTimer) clearTimeout(pollTimer);
      if (tickTimer) clearTimeout(tickTimer);
      stopAll.abort();
      await Promise.allSettled([...inFlight]);
    },
    stats: () => ({ ...counts, inFlight: inFlight.size }),
  };
}
