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
    const put = (i: number, value: unknown) => {
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
  return { column, put: (i: number, value: unknown) => void (column[i] = typeof value === 'number' ? value : NaN) };
}

function booleans(length: number) {
  const column = new Uint8Array(length);
  return { column, put: (i: number, value: unknown) => void (column[i] = value ? 1 : 0) };
}

type Writer = { column: Column; put(i: number, value: unknown): void };

/** A writer per field of `fields`, each over a column of `n` rows. */
function writersFor<T>(fields: Fields<T>, n: number, text: StringTable): { [K in keyof Fields<T>]: Writer } {
  const make = { number: () => numbers(n), boolean: () => booleans(n), text: () => text.column(n) } as Record<Kind, () => Writer>;
  return Object.fromEntries(Object.entries(fields).map(([name, kind]) => [name, make[kind as Kind]()])) as { [K in keyof Fields<T>]: Writer };
}

const encoded = (count: number, writers: Record<string, Writer>): EncodedRows => ({
  count, columns: Object.fromEntries(Object.entries(writers).map(([name, writer]) => [name, writer.column])),
});

// The rows are read field by field by name rather than in a loop over the field lists: a property read by a computed
// name is several times slower, and this runs on the request thread. The round-trip test holds them to the lists.
function encodeSamples(rows: readonly SampleRecord[], text: StringTable): EncodedRows {
  const w = writersFor(SAMPLE_FIELDS, rows.length, text);
  for (let i = 0; i < rows.length; i += 1) {
    const r = rows[i];
    w.targetId.put(i, r.targetId); w.serviceId.put(i, r.serviceId); w.source.put(i, r.source); w.errorClass.put(i, r.errorClass); w.requestId.put(i, r.requestId);
    w.limitBasis.put(i, r.limitBasis); w.at.put(i, r.at); w.statusCode.put(i, r.statusCode); w.latencyMs.put(i, r.latencyMs); w.ttftMs.put(i, r.ttftMs);
    w.attempt.put(i, r.attempt); w.promptTokens.put(i, r.promptTokens); w.completionTokens.put(i, r.completionTokens); w.limitMs.put(i, r.limitMs); w.ok.put(i, r.ok);
  }
  return encoded(rows.length, w);
}

function encodeRequests(rows: readonly RequestOutcome[], text: StringTable): EncodedRows {
  const w = writersFor(REQUEST_FIELDS, rows.length, text);
  for (let i = 0; i < rows.length; i += 1) {
    const r = rows[i];
    w.serviceId.put(i, r.serviceId); w.requestId.put(i, r.requestId); w.errorClass.put(i, r.errorClass); w.targetId.put(i, r.targetId); w.tier.put(i, r.tier);
    w.servedBy.put(i, r.servedBy); w.at.put(i, r.at); w.status.put(i, r.status); w.attempts.put(i, r.attempts); w.latencyMs.put(i, r.latencyMs);
    w.ttftMs.put(i, r.ttftMs); w.promptTokens.put(i, r.promptTokens); w.completionTokens.put(i, r.completionTokens); w.ok.put(i, r.ok); w.stream.put(i, r.stream);
  }
  return encoded(rows.length, w);
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
