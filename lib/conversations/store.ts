import 'server-only';
// The conversation store of one replica (docs/decisions/015-conversation-store.md).
// On the request path: a conversation's history comes from this replica's
// memory, or once from PostgreSQL (one read, bounded in time, only for
// requests that name a conversation), and the answer is appended in memory.
// Off it: answered turns wait in a buffer written every 100 ms in one
// transaction (persistence.ts), like the gateway's other records; the time
// from an answer's last byte to its durable write is measured and reported
// each minute as the conversation history's RPO evidence. Deletions made
// through the API reach every replica's memory by NOTIFY.
import { hostname } from 'node:os';
import type { ConversationHook, ConversationOpening } from '@/lib/gateway/context';
import type { ChatMessage } from '@/lib/gateway/openai-schema';
import { CONVERSATION_HEADER, answerMessage, endUserHash, expandMessages, parseConversationKey, percentile } from './history';
import type { ConversationRef, StoredHistory, Turn } from './persistence';

export const CONVERSATION_CHANNEL = 'standby_conversations';

export type StoreDeps = {
  load: (ref: ConversationRef) => Promise<StoredHistory>;
  write: (turns: readonly Turn[]) => Promise<{ written: number; dropped: number }>;
  /** Reports the measured write lag per service, once a minute (recordEvidence in production). */
  report?: (serviceName: string, lag: { maxMs: number; p99Ms: number | null; answers: number; windowMs: number }) => Promise<void>;
  now?: () => number;
};

export type StoreOptions = { flushMs?: number; reportMs?: number; loadTimeoutMs?: number; maxCached?: number; maxBuffered?: number };

type Entry = { messages: ChatMessage[]; endUserHash: string | null };

const keyOf = (ref: ConversationRef) => `${ref.serviceId}\n${ref.tokenId}\n${ref.key}`;

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Timeout('timed out')), ms)))]).finally(() => clearTimeout(timer));
}

export type StoreStats = { cached: number; buffered: number; written: number; dropped: number; lost: number; lastError: string | null; lag: { p50Ms: number | null; p99Ms: number | null; maxMs: number | null; answers: number } };

export class ConversationStore implements ConversationHook {
  private readonly cache = new Map<string, Entry>();
  private buffer: Turn[] = [];
  private flushing: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** Write lags (ms) per service name since the last report, and in total for the stats. */
  private lags = new Map<string, number[]>();
  private readonly recent: number[] = [];
  private lastReport = new Map<string, number>();
  private readonly now: () => number;
  readonly counters = { written: 0, dropped: 0, lost: 0, lastError: null as string | null };
  /** Service names by id, for the lag reports (from the snapshot the gateway routes with). */
  private readonly serviceNames = new Map<string, { name: string; retentionDays: number }>();

  constructor(private readonly deps: StoreDeps, private readonly options: StoreOptions = {}) {
    this.now = deps.now ?? Date.now;
  }

  start(): this {
    const flush = setInterval(() => void this.flush(), this.options.flushMs ?? 100);
    const report = setInterval(() => void this.reportLags(), this.options.reportMs ?? 60_000);
    flush.unref();
    report.unref();
    this.timers.push(flush, report);
    return this;
  }

  /** A request that may name a conversation (the gateway's request.ts): the whole history to send, or a refusal. */
  async open({ conversation, service, token, request }: Parameters<ConversationHook['open']>[0]): Promise<ConversationOpening | null> {
    const named = parseConversationKey(conversation);
    if (named === null) return null;
    if (!named.ok) return { kind: 'refused', status: 400, message: named.message, type: 'invalid_request_error', code: 'invalid_conversation', headers: {} };
    if (!service.conversations?.store) {
      return {
        kind: 'refused', status: 400, type: 'invalid_request_error', code: 'conversation_store_off', headers: {},
        message: `Service ${service.name} does not keep conversations, so the ${CONVERSATION_HEADER} header cannot be honoured: send the whole history, or ask an admin to turn its conversation store on.`,
      };
    }
    const ref: ConversationRef = { serviceId: service.id, tokenId: token.id, key: named.key };
    const id = keyOf(ref);
    this.serviceNames.set(service.id, { name: service.name, retentionDays: service.conversations.retentionDays });
    let entry = this.cache.get(id);
    if (entry) {
      // Most recently used last, so the first key is the one to evict.
      this.cache.delete(id);
      this.cache.set(id, entry);
    } else {
      try {
        const stored = await withTimeout(this.deps.load(ref), this.options.loadTimeoutMs ?? 2_000);
        entry = this.cache.get(id) ?? stored;
        this.remember(id, entry);
      } catch (error) {
        console.error('[standby] conversation history could not be read', { service: service.name, error: error instanceof Error ? error.message.split('\n').at(-1) : String(error) });
        return {
          kind: 'refused', status: 503, type: 'service_unavailable', code: 'conversation_store_unavailable', headers: { 'retry-after': '5' },
          message: `The stored history of conversation ${named.key} cannot be read right now, so this request was not sent (it would have gone without its history). Retry shortly, or send the whole history without the ${CONVERSATION_HEADER} header.`,
        };
      }
    }
    const expanded = expandMessages(entry.messages, request.messages);
    const startedAt = this.now();
    const user = endUserHash(request.user);
    return {
      kind: 'turn',
      request: { ...request, messages: expanded.messages },
      headers: { [CONVERSATION_HEADER]: named.key, 'x-standby-conversation-messages': String(expanded.messages.length) },
      finish: (answer) => {
        // A failed turn is not kept: the client sends its message again.
        if (!answer) return;
        const added = [...expanded.added, answerMessage(answer)];
        const current = this.cache.get(id) ?? entry;
        this.remember(id, { messages: [...current.messages, ...added], endUserHash: current.endUserHash ?? user });
        this.push({ ...ref, endUserHash: user, retentionDays: service.conversations!.retentionDays, messages: added, startedAt, answeredAt: this.now() });
      },
    };
  }

  private remember(id: string, entry: Entry) {
    this.cache.delete(id);
    this.cache.set(id, entry);
    const max = this.options.maxCached ?? 10_000;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value!);
  }

  private push(turn: Turn) {
    this.buffer.push(turn);
    const max = this.options.maxBuffered ?? 200_000;
    if (this.buffer.length > max) {
      // PostgreSQL has been away for long: the oldest turns are lost, and counted.
      const excess = this.buffer.length - max;
      this.buffer.splice(0, excess);
      this.counters.lost += excess;
    }
  }

  /** Forgets conversations deleted through the API (on this replica, or another's notice). */
  forget(notice: { ref?: ConversationRef; endUserHash?: string; serviceId?: string }) {
    const match = (id: string, entry: Entry | null, turn?: Turn) =>
      (notice.ref && id === keyOf(notice.ref)) || (notice.endUserHash && (entry?.endUserHash === notice.endUserHash || turn?.endUserHash === notice.endUserHash) && (!notice.serviceId || id.startsWith(`${notice.serviceId}\n`)));
    for (const [id, entry] of this.cache) if (match(id, entry)) this.cache.delete(id);
    this.buffer = this.buffer.filter((t) => !match(keyOf(t), null, t));
  }

  flush(): Promise<void> {
    this.flushing ??= this.writeBuffered().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async writeBuffered(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, 2_000);
      try {
        const result = await this.deps.write(batch);
        const durable = this.now();
        this.buffer.splice(0, batch.length);
        this.counters.written += result.written;
        this.counters.dropped += result.dropped;
        this.counters.lastError = null;
        for (const turn of batch) {
          const lag = durable - turn.answeredAt;
          const list = this.lags.get(turn.serviceId) ?? [];
          list.push(lag);
          this.lags.set(turn.serviceId, list);
          this.recent.push(lag);
        }
        if (this.recent.length > 100_000) this.recent.splice(0, this.recent.length - 100_000);
      } catch (error) {
        this.counters.lastError = error instanceof Error ? (error.message.split('\n').at(-1) ?? 'write failed') : String(error);
        return;
      }
    }
  }

  /** The measured RPO per service since the last report; a quiet service still says nothing waited, every five minutes. */
  async reportLags(): Promise<void> {
    if (!this.deps.report) return;
    const now = this.now();
    const windowMs = this.options.reportMs ?? 60_000;
    const lags = this.lags;
    this.lags = new Map();
    for (const [serviceId, { name }] of this.serviceNames) {
      const list = lags.get(serviceId) ?? [];
      const quietFor = now - (this.lastReport.get(serviceId) ?? 0);
      if (list.length === 0 && quietFor < 5 * windowMs) continue;
      const pending = this.buffer.filter((t) => t.serviceId === serviceId);
      // Answers still waiting count with their age so far: a store that cannot write shows its growing lag.
      const waiting = pending.reduce((oldest, t) => Math.max(oldest, now - t.answeredAt), 0);
      this.lastReport.set(serviceId, now);
      await this.deps
        .report(name, { maxMs: list.reduce((a, b) => Math.max(a, b), waiting), p99Ms: percentile(list, 0.99), answers: list.length, windowMs })
        .catch((error: unknown) => console.error('[standby] conversation lag not reported', { service: name, error: error instanceof Error ? error.message.split('\n').at(-1) : String(error) }));
    }
  }

  stats(): StoreStats {
    return {
      cached: this.cache.size, buffered: this.buffer.length, ...this.counters,
      lag: { p50Ms: percentile(this.recent, 0.5), p99Ms: percentile(this.recent, 0.99), maxMs: this.recent.length ? this.recent.reduce((a, b) => Math.max(a, b), 0) : null, answers: this.recent.length },
    };
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.flush();
    await this.reportLags();
  }
}

export const REPLICA = `${hostname()}:${process.pid}`;
