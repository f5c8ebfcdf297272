// Per-upstream request counters of the simulator, kept in memory by the process
// that serves /simulated (server.ts) and read by the Simulator page. The page
// and the front door share the process but not their module instances (Next
// bundles its own copy of lib/), so the counters are published in a process slot.

import { processSlot } from '@/lib/server/process-slot';

export const SIM_OUTCOMES = [
  'ok',
  'server_error',
  'rate_limited',
  'content_policy',
  'context_length',
  'no_response',
  'stream_cut',
  'stream_stall',
  'stream_without_done',
  'rejected',
] as const;

export type SimOutcome = (typeof SIM_OUTCOMES)[number];

export const SIM_OUTCOME_LABELS: Record<SimOutcome, string> = {
  ok: 'Answered',
  server_error: '5xx',
  rate_limited: '429',
  content_policy: 'Content policy',
  context_length: 'Context length',
  no_response: 'No response',
  stream_cut: 'Stream cut',
  stream_stall: 'Stream stalled',
  stream_without_done: 'No [DONE]',
  rejected: 'Refused (auth, bad input)',
};

export type UpstreamCounters = {
  requests: number;
  outcomes: Record<SimOutcome, number>;
  /** Stream chunks replaced by invalid JSON. */
  malformedChunks: number;
  /** Connections held open right now (no response, stalled streams, answers being streamed). */
  open: number;
  lastRequestAt: string | null;
};

export type SimulatorStats = { since: string; upstreams: Record<string, UpstreamCounters> };

export function emptyCounters(): UpstreamCounters {
  return {
    requests: 0,
    outcomes: Object.fromEntries(SIM_OUTCOMES.map((outcome) => [outcome, 0])) as Record<SimOutcome, number>,
    malformedChunks: 0,
    open: 0,
    lastRequestAt: null,
  };
}

const published = processSlot<() => SimulatorStats>('simulator.stats');

/** Called by the simulator of this process so that the page can find its counters. */
export function publishSimulatorStats(read: () => SimulatorStats): void {
  published.set(read);
}

/** This process's counters, or null when no simulator serves in this process. */
export function readSimulatorStats(): SimulatorStats | null {
  return published.get()?.() ?? null;
}
