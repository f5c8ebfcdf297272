// The fault form's values, in the units people type (percent, milliseconds,
// seconds, chunks, tokens, on/off), and their translation to and from a fault
// profile. Pure (fault-values.test.ts).
import { FAULT_ERROR_STATUSES, type Faults } from '@/lib/simulator/faults';

type Num = number | string; // a NumberInput gives '' when emptied

export type FaultFormValues = {
  errorPercent: Num;
  errorStatus: string;
  rateLimitPercent: Num;
  sendRetryAfter: boolean;
  retryAfterSeconds: Num;
  contentPolicyPercent: Num;
  limitContext: boolean;
  contextWindow: Num;
  addedLatencyMs: Num;
  firstTokenDelayMs: Num;
  cutStreams: boolean;
  cutAfterChunks: Num;
  stallStreams: boolean;
  stallAfterChunks: Num;
  malformedPercent: Num;
  omitDone: boolean;
  noResponse: boolean;
};

// What a switched-off number field shows when it is switched on.
const SUGGESTED = { retryAfterSeconds: 5, contextWindow: 8192, cutAfterChunks: 3, stallAfterChunks: 3 };

const toPercent = (share: number) => Math.round(share * 1000) / 10;

export function formValuesOf(faults: Faults): FaultFormValues {
  return {
    errorPercent: toPercent(faults.errorRate),
    errorStatus: String(faults.errorStatus),
    rateLimitPercent: toPercent(faults.rateLimitRate),
    sendRetryAfter: faults.retryAfterSeconds !== null,
    retryAfterSeconds: faults.retryAfterSeconds ?? SUGGESTED.retryAfterSeconds,
    contentPolicyPercent: toPercent(faults.contentPolicyRate),
    limitContext: faults.contextWindow !== null,
    contextWindow: faults.contextWindow ?? SUGGESTED.contextWindow,
    addedLatencyMs: faults.addedLatencyMs,
    firstTokenDelayMs: faults.firstTokenDelayMs,
    cutStreams: faults.streamCutAfterChunks !== null,
    cutAfterChunks: faults.streamCutAfterChunks ?? SUGGESTED.cutAfterChunks,
    stallStreams: faults.streamStallAfterChunks !== null,
    stallAfterChunks: faults.streamStallAfterChunks ?? SUGGESTED.stallAfterChunks,
    malformedPercent: toPercent(faults.malformedChunkRate),
    omitDone: faults.omitDone,
    noResponse: faults.noResponse,
  };
}

// An emptied field is sent as '' so the server answers "Enter ... as a number"
// instead of quietly reading it as 0.
const share = (percent: Num) => (percent === '' ? '' : Math.round(Number(percent) * 10) / 1000);
const optional = (on: boolean, value: Num) => (on ? value : null);
const status = (value: string) => {
  const n = Number(value);
  return (FAULT_ERROR_STATUSES as readonly number[]).includes(n) ? n : value;
};

/** The profile to send; the server validates it (faultsSchema) and names each field that is wrong. */
export function faultsOf(values: FaultFormValues): Record<keyof Faults, unknown> {
  return {
    errorRate: share(values.errorPercent),
    errorStatus: status(values.errorStatus),
    rateLimitRate: share(values.rateLimitPercent),
    retryAfterSeconds: optional(values.sendRetryAfter, values.retryAfterSeconds),
    addedLatencyMs: values.addedLatencyMs,
    firstTokenDelayMs: values.firstTokenDelayMs,
    streamCutAfterChunks: optional(values.cutStreams, values.cutAfterChunks),
    streamStallAfterChunks: optional(values.stallStreams, values.stallAfterChunks),
    noResponse: values.noResponse,
    malformedChunkRate: share(values.malformedPercent),
    omitDone: values.omitDone,
    contextWindow: optional(values.limitContext, values.contextWindow),
    contentPolicyRate: share(values.contentPolicyPercent),
  };
}
