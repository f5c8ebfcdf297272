// What the recorder (recorder.ts) keeps and its writer (sample-writer.ts, run in
// the writer thread of writer-thread.ts) writes: one attempt or probe, one client
// request, one token's last use.
import type { LimitBasis } from '@/lib/routing/adaptive-limits';
import type { Tier } from '@/lib/routing/enums';

export type SampleRecord = {
  targetId: string;
  serviceId: string | null;
  source: 'probe' | 'traffic';
  at: number;
  ok: boolean;
  errorClass: string | null;
  statusCode: number | null;
  latencyMs: number;
  ttftMs: number | null;
  requestId: string | null;
  attempt: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** Traffic only: the first-token or header limit the attempt ran under, and why (lib/routing/adaptive-limits.ts). */
  limitMs?: number | null;
  limitBasis?: LimitBasis | null;
};

/** How a request was answered (prisma RequestRecord.servedBy). */
export type ServedBy = 'upstream' | 'cache' | 'rule' | 'refused' | 'maintenance' | 'queued';

/** One client request that reached routing (after authentication and validation); its attempts are SampleRecords. */
export type RequestOutcome = {
  serviceId: string;
  at: number;
  requestId: string;
  /** The service did its job: an answer (upstream, cache or rule), or a refusal the client caused (lib/slo: countsAsGood). */
  ok: boolean;
  status: number;
  errorClass: string | null;
  targetId: string | null;
  attempts: number;
  latencyMs: number;
  ttftMs: number | null;
  stream: boolean;
  tier: Tier;
  servedBy: ServedBy;
  promptTokens: number | null;
  completionTokens: number | null;
};

/** Rows waiting, written and dropped (past maxBuffered) since the start, flushes that failed (rows kept), and the last error. */
export type RecorderStats = { buffered: number; written: number; dropped: number; failedFlushes: number; lastError: string | null; lastFlushAt: number | null };

/** When each API token was last used (ApiToken.lastUsedAt): token id and epoch ms. */
export type TokenUse = { tokenId: string; at: number };

/**
 * Where a batch's rows stand in their recorder's own order (each kind counted from 0 since the recorder started), so
 * that a batch retried after its commit's answer was lost skips the rows already written (sample-writer.ts).
 */
export type BatchMark = { recorder: string; samplesFrom: number; requestsFrom: number };

/** Writes one batch of each kind, all or nothing: a throw means nothing of it was kept. With a mark, rows written before are skipped. */
export type SampleWriter = (samples: SampleRecord[], requests: RequestOutcome[], tokenUses: TokenUse[], mark?: BatchMark) => Promise<void>;
