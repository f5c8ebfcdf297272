import 'server-only';
// Live incident pages (docs/decisions/011-incidents-live-timeline.md): one
// LISTEN connection per replica on standby_incidents, fanned out in memory to
// every open page of that replica as Server-Sent Events. A new timeline entry
// is read once per replica (however many pages watch it) and pushed whole; any
// other change to an incident (its fields, steps, post-mortem) is pushed as
// "changed", and the page refetches what it shows. A page that reconnects
// sends the last entry it has (Last-Event-ID) and gets what it missed.
import { db } from '@/lib/server/db';
import { listen, type Listener } from '@/lib/server/notify';
import { TIMELINE_SELECT, toTimelineView, type TimelineEventView } from './timeline-view';

export const INCIDENTS_CHANNEL = 'standby_incidents';
/** New entries that arrive together (one transaction, one pass of the incident loop) go out as one message. */
const FLUSH_MS = 10;
const HEARTBEAT_MS = 15_000;
/** Streams end after this long; EventSource reconnects at once, and the session is checked again. */
const STREAM_MAX_MS = 10 * 60_000;
const REPLAY_LIMIT = 500;
const LIST = '*';

type Send = (event: string, data: unknown, id?: string) => void;

class LiveHub {
  private listener: Listener | null = null;
  private readonly subscribers = new Map<string, Set<Send>>();
  private readonly pending = new Map<string, Set<string>>();
  private flushTimer: NodeJS.Timeout | null = null;
  private connectedOnce = false;
  private readonly waiting = new Set<() => void>();

  subscribe(topic: string, send: Send): () => void {
    this.listener ??= listen(INCIDENTS_CHANNEL, {
      onNotify: (payload) => this.onNotify(payload),
      // After a lost connection anything may have been missed: every page refetches.
      onConnected: () => {
        if (this.connectedOnce) for (const subs of this.subscribers.values()) for (const s of subs) s('resync', {});
        this.connectedOnce = true;
        for (const resolve of this.waiting) resolve();
        this.waiting.clear();
      },
    });
    let set = this.subscribers.get(topic);
    if (!set) this.subscribers.set(topic, (set = new Set()));
    set.add(send);
    return () => {
      set.delete(send);
      if (set.size === 0) this.subscribers.delete(topic);
    };
  }

  /** Resolves once the LISTEN is in place (or after `timeoutMs`: the page then relies on its refetch and the safety poll). */
  whenListening(timeoutMs: number): Promise<void> {
    if (this.listener?.connected()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiting.add(done);
    });
  }

  async close(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const listener = this.listener;
    this.listener = null;
    this.connectedOnce = false;
    await listener?.close();
  }

  /** Pages watching now (for the benchmark and /api/metrics-like checks). */
  watchers(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  private onNotify(payload: string) {
    let message: { i?: string; w?: string; e?: number | string };
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    const incidentId = message.i;
    if (!incidentId) return;
    if (message.w === 'TimelineEvent' && message.e !== undefined) {
      if (!this.subscribers.has(incidentId)) return;
      let ids = this.pending.get(incidentId);
      if (!ids) this.pending.set(incidentId, (ids = new Set()));
      ids.add(String(message.e));
      this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
      return;
    }
    for (const send of this.subscribers.get(incidentId) ?? []) send('changed', { what: message.w });
    if (message.w === 'Incident') for (const send of this.subscribers.get(LIST) ?? []) send('changed', { incidentId });
  }

  private async flush() {
    this.flushTimer = null;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    for (const [incidentId, ids] of batch) {
      const subs = this.subscribers.get(incidentId);
      if (!subs?.size) continue;
      try {
        const rows = await db().timelineEvent.findMany({ where: { id: { in: [...ids].map((id) => BigInt(id)) }, incidentId }, orderBy: { id: 'asc' }, select: TIMELINE_SELECT });
        if (rows.length === 0) continue;
        const events = rows.map(toTimelineView);
        const last = events.at(-1)!.id;
        for (const send of subs) send('timeline', events, last);
      } catch (error) {
        console.error('[standby] incidents live: could not read new timeline entries; pages will resync', { error: error instanceof Error ? error.message : error });
        for (const send of subs) send('resync', {});
      }
    }
  }
}

const KEY = Symbol.for('standby.incidents.liveHub');
type Global = typeof globalThis & { [KEY]?: LiveHub };

/** The replica's one hub (also when Next loads this module into more than one bundle). */
export function liveHub(): LiveHub {
  const g = globalThis as Global;
  return (g[KEY] ??= new LiveHub());
}

/** Stops the replica's LISTEN (at shutdown, and at the end of a test). */
export async function closeLiveHub(): Promise<void> {
  await (globalThis as Global)[KEY]?.close();
}

const encoder = new TextEncoder();
const frame = (event: string, data: unknown, id?: string) => encoder.encode(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

/**
 * An SSE response following one incident (its timeline and changes), or the
 * list of incidents when `incidentId` is null. `after`: the last timeline
 * entry the page has; later ones are sent first.
 */
export function liveResponse(incidentId: string | null, signal: AbortSignal, after: bigint | null): Response {
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const send: Send = (event, data, id) => {
        if (!open) return;
        try {
          controller.enqueue(frame(event, data, id));
        } catch {
          close();
        }
      };
      const close = () => {
        if (!open) return;
        open = false;
        cleanup();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      controller.enqueue(encoder.encode(`retry: 2000\n: standby incidents live\n\n`));
      const hub = liveHub();
      const unsubscribe = hub.subscribe(incidentId ?? LIST, send);
      const heartbeat = setInterval(() => send('ping', {}), HEARTBEAT_MS);
      const limit = setTimeout(close, STREAM_MAX_MS);
      cleanup = () => {
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(limit);
      };
      signal.addEventListener('abort', close, { once: true });
      // "ready" means: from here on nothing is missed. The page refetches on it, which covers what happened before.
      await hub.whenListening(3_000);
      if (incidentId && after !== null) {
        const missed = await db().timelineEvent.findMany({ where: { incidentId, id: { gt: after } }, orderBy: { id: 'asc' }, take: REPLAY_LIMIT, select: TIMELINE_SELECT });
        if (missed.length === REPLAY_LIMIT) send('resync', {});
        else if (missed.length) send('timeline', missed.map(toTimelineView), missed.at(-1)!.id.toString());
      }
      send('ready', { incidentId });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: compression (Next's, or a proxy's) would hold events back until a buffer fills.
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    },
  });
}

export type LiveTimelineMessage = TimelineEventView[];
