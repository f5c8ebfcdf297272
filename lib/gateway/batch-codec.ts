// How a batch of records crosses to the recorder's writer thread (writer-thread.ts):
// as columns rather than row objects. A structured clone writes every row's keys
// and values one by one, and for a quarter second of busy traffic that took longer
// on the request thread than the encoding it was meant to move off it (decision
// 018). Here numbers go into a Float64Array per field (NaN for null), booleans into
// a Uint8Array, and strings into an Int32Array of indexes into one list of the
// batch's distinct strings (-1 for null): the buffers are transferred, not copied,
// and a target's id is sent once per batch rather than once per row. Pure.
import type { RequestOutcome, SampleRecord, TokenUse } from './records';

type Kind = 'number' | 'boolean' | 'text';
type Fields<T> = { readonly [K in keyof Required<T>]: Kind };

const SAMPLE_FIELDS: Fields<SampleRecord> = {
  targetId: 'text', serviceId: 'text', source: 'text', at: 'number', ok: 'boolean', errorClass: 'text', statusCode: 'number', latencyMs: 'number',
  ttftMs: 'number', requestId: 'text', attempt: 'number', promptTokens: 'number', completionTokens: 'number', limitMs: 'number', limitBasis: 'text',
};

const REQUEST_FIELDS: Fields<RequestOutcome> = {
  serviceId: 'text', at: 'number', requestId: 'text', ok: 'boolean', status: 'number', errorClass: 'text', targetId: 'text', attempts: 'number',
  latencyMs: 'number', ttftMs: 'number', stream: 'boolean', tier: 'text', servedBy: 'text', promptTokens: 'number', completionTokens: 'number',
};

type Column = Float64Array | Uint8Array | Int32Array;
export type EncodedRows = { count: number; columns: Record<string, Column> };
export type EncodedBatch = { strings: string[]; samples: EncodedRows; requests: EncodedRows; tokenUses: TokenUse[] };

/** The batch's distinct strings; a column remembers its last string, since rows in a row mostly repeat it. */
class StringTable {
  readonly strings: string[] = [];
  private readonly indexes = new Map<string, number>();

  column(length: number) {
    const column = new Int32Array(length);
    let last: string | null = null;
    let lastIndex = -1;
    const put = (i: number, value: string | null | undefined) => {
      if (typeof value !== 'string') column[i] = -1;
      else if (value === last) column[i] = lastIndex;
      else {
        let index = this.indexes.get(value);
        if (index === undefined) {
          index = this.strings.push(value) - 1;
          this.indexes.set(value, index);
        }
        last = value;
        lastIndex = index;
        column[i] = index;
      }
    };
    return { column, put };
  }
}

function numbers(length: number) {
  const column = new Float64Array(length);
  return { column, put: (i: number, value: number | null | undefined) => void (column[i] = typeof value === 'number' ? value : NaN) };
}

function booleans(length: number) {
  const column = new Uint8Array(length);
  return { column, put: (i: number, value: boolean) => void (column[i] = value ? 1 : 0) };
}

// Written out field by field rather than looped over SAMPLE_FIELDS: a property read by a computed name is several
// times slower here, and this runs on the request thread. The round-trip test holds these to the field lists.
function encodeSamples(rows: readonly SampleRecord[], text: StringTable): EncodedRows {
  const n = rows.length;
  const [targetId, serviceId, source, errorClass, requestId, limitBasis] = [text.column(n), text.column(n), text.column(n), text.column(n), text.column(n), text.column(n)];
  const [at, statusCode, latencyMs, ttftMs, attempt, promptTokens, completionTokens, limitMs] = [numbers(n), numbers(n), numbers(n), numbers(n), numbers(n), numbers(n), numbers(n), numbers(n)];
  const ok = booleans(n);
  for (let i = 0; i < n; i += 1) {
    const r = rows[i];
    targetId.put(i, r.targetId); serviceId.put(i, r.serviceId); source.put(i, r.source); errorClass.put(i, r.errorClass); requestId.put(i, r.requestId); limitBasis.put(i, r.limitBasis);
    at.put(i, r.at); statusCode.put(i, r.statusCode); latencyMs.put(i, r.latencyMs); ttftMs.put(i, r.ttftMs); attempt.put(i, r.attempt);
    promptTokens.put(i, r.promptTokens); completionTokens.put(i, r.completionTokens); limitMs.put(i, r.limitMs); ok.put(i, r.ok);
  }
  const columns = { targetId, serviceId, source, at, ok, errorClass, statusCode, latencyMs, ttftMs, requestId, attempt, promptTokens, completionTokens, limitMs, limitBasis };
  return { count: n, columns: Object.fromEntries(Object.entries(columns).map(([name, c]) => [name, c.column])) };
}

function encodeRequests(rows: readonly RequestOutcome[], text: StringTable): EncodedRows {
  const n = rows.length;
  const [serviceId, requestId, errorClass, targetId, tier, servedBy] = [text.column(n), text.column(n), text.column(n), text.column(n), text.column(n), text.column(n)];
  const [at, status, attempts, latencyMs, ttftMs, promptTokens, completionTokens] = [numbers(n), numbers(n), numbers(n), numbers(n), numbers(n), numbers(n), numbers(n)];
  const [ok, stream] = [booleans(n), booleans(n)];
  for (let i = 0; i < n; i += 1) {
    const r = rows[i];
    serviceId.put(i, r.serviceId); requestId.put(i, r.requestId); errorClass.put(i, r.errorClass); targetId.put(i, r.targetId); tier.put(i, r.tier); servedBy.put(i, r.servedBy);
    at.put(i, r.at); status.put(i, r.status); attempts.put(i, r.attempts); latencyMs.put(i, r.latencyMs); ttftMs.put(i, r.ttftMs);
    promptTokens.put(i, r.promptTokens); completionTokens.put(i, r.completionTokens); ok.put(i, r.ok); stream.put(i, r.stream);
  }
  const columns = { serviceId, at, requestId, ok, status, errorClass, targetId, attempts, latencyMs, ttftMs, stream, tier, servedBy, promptTokens, completionTokens };
  return { count: n, columns: Object.fromEntries(Object.entries(columns).map(([name, c]) => [name, c.column])) };
}

function decodeRows<T>(encoded: EncodedRows, fields: Fields<T>, strings: readonly string[]): T[] {
  const entries = Object.entries(fields) as [string, Kind][];
  const rows: T[] = [];
  for (let i = 0; i < encoded.count; i += 1) {
    const row: Record<string, unknown> = {};
    for (const [name, kind] of entries) {
      const value = encoded.columns[name][i];
      row[name] = kind === 'number' ? (Number.isNaN(value) ? null : value) : kind === 'boolean' ? value === 1 : value === -1 ? null : strings[value];
    }
    rows.push(row as T);
  }
  return rows;
}

/** A batch as columns, and the buffers to transfer with it (postMessage's transfer list). */
export function encodeBatch(samples: readonly SampleRecord[], requests: readonly RequestOutcome[], tokenUses: TokenUse[]): { batch: EncodedBatch; transfer: ArrayBuffer[] } {
  const text = new StringTable();
  const batch: EncodedBatch = { strings: text.strings, samples: encodeSamples(samples, text), requests: encodeRequests(requests, text), tokenUses };
  const transfer = [...Object.values(batch.samples.columns), ...Object.values(batch.requests.columns)].map((column) => column.buffer as ArrayBuffer);
  return { batch, transfer };
}

/** The rows of an encoded batch: absent optional fields come back as null. */
export function decodeBatch(batch: EncodedBatch): { samples: SampleRecord[]; requests: RequestOutcome[]; tokenUses: TokenUse[] } {
  return { samples: decodeRows(batch.samples, SAMPLE_FIELDS, batch.strings), requests: decodeRows(batch.requests, REQUEST_FIELDS, batch.strings), tokenUses: batch.tokenUses };
}
