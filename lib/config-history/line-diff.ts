// A side-by-side diff of two versions of a file, line by line, with the
// unchanged stretches folded down to a few lines of context. Pure
// (line-diff.test.ts): longest common subsequence after trimming the common
// start and end, which is all a configuration file of a few thousand lines
// needs; beyond MAX_CELLS the middle is shown as one replaced block.

export type DiffRow =
  | { kind: 'same'; left: number; right: number; text: string }
  | { kind: 'removed'; left: number; text: string }
  | { kind: 'added'; right: number; text: string }
  | { kind: 'changed'; left: number; right: number; from: string; to: string }
  | { kind: 'skipped'; lines: number };

const MAX_CELLS = 4_000_000;

type Op = { kind: 'same' | 'removed' | 'added'; a?: number; b?: number };

function lcsOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS) return [...a.map((_, i) => ({ kind: 'removed' as const, a: i })), ...b.map((_, j) => ({ kind: 'added' as const, b: j }))];
  // lengths[i][j]: LCS of a[i..] and b[j..], in one flat array.
  const width = m + 1;
  const lengths = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1] + 1 : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) ops.push({ kind: 'same', a: i++, b: j++ });
    else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) ops.push({ kind: 'removed', a: i++ });
    else ops.push({ kind: 'added', b: j++ });
  }
  while (i < n) ops.push({ kind: 'removed', a: i++ });
  while (j < m) ops.push({ kind: 'added', b: j++ });
  return ops;
}

/** Rows for a side-by-side view; line numbers from 1; `context` unchanged lines kept around each change. */
export function diffLines(before: string, after: string, context = 3): DiffRow[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end += 1;
  const middle = lcsOps(a.slice(start, a.length - end), b.slice(start, b.length - end));
  const ops: Op[] = [
    ...Array.from({ length: start }, (_, k) => ({ kind: 'same' as const, a: k, b: k })),
    ...middle.map((op) => ({ kind: op.kind, a: op.a === undefined ? undefined : op.a + start, b: op.b === undefined ? undefined : op.b + start })),
    ...Array.from({ length: end }, (_, k) => ({ kind: 'same' as const, a: a.length - end + k, b: b.length - end + k })),
  ];

  // Pair a run of removals with the additions that follow it: a line changed in place reads as one row.
  const rows: DiffRow[] = [];
  for (let k = 0; k < ops.length; ) {
    if (ops[k].kind === 'same') {
      rows.push({ kind: 'same', left: ops[k].a! + 1, right: ops[k].b! + 1, text: a[ops[k].a!] });
      k += 1;
      continue;
    }
    const removed: number[] = [];
    const added: number[] = [];
    while (k < ops.length && ops[k].kind === 'removed') removed.push(ops[k++].a!);
    while (k < ops.length && ops[k].kind === 'added') added.push(ops[k++].b!);
    const paired = Math.min(removed.length, added.length);
    for (let p = 0; p < paired; p += 1) rows.push({ kind: 'changed', left: removed[p] + 1, right: added[p] + 1, from: a[removed[p]], to: b[added[p]] });
    for (const r of removed.slice(paired)) rows.push({ kind: 'removed', left: r + 1, text: a[r] });
    for (const r of added.slice(paired)) rows.push({ kind: 'added', right: r + 1, text: b[r] });
  }

  // Fold unchanged stretches longer than twice the context.
  const near = rows.map(() => false);
  rows.forEach((row, index) => {
    if (row.kind === 'same') return;
    for (let d = Math.max(0, index - context); d <= Math.min(rows.length - 1, index + context); d += 1) near[d] = true;
  });
  const folded: DiffRow[] = [];
  let hidden = 0;
  rows.forEach((row, index) => {
    if (row.kind !== 'same' || near[index]) {
      if (hidden) folded.push({ kind: 'skipped', lines: hidden });
      hidden = 0;
      folded.push(row);
    } else hidden += 1;
  });
  if (hidden) folded.push({ kind: 'skipped', lines: hidden });
  return folded;
}

/** Lines added and removed (a changed line counts once each way). */
export function countChanges(rows: readonly DiffRow[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const row of rows) {
    if (row.kind === 'added' || row.kind === 'changed') added += 1;
    if (row.kind === 'removed' || row.kind === 'changed') removed += 1;
  }
  return { added, removed };
}
