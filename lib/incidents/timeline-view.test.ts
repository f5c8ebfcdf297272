import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldRepeats, type TimelineEventView, type TimelineLine } from './timeline-view';

let next = 100;
/** An entry, newest first as the timeline lists them: `subject` null for kinds that do not repeat. */
const entry = (kind: string, subject: string | null): TimelineEventView => {
  next -= 1;
  return {
    id: String(next), at: `2026-12-07T10:${String(next % 60).padStart(2, '0')}:00.000Z`, recordedAt: '2026-12-07T10:00:00.000Z', kind, actor: 'standby', actorName: 'Standby',
    text: `${kind} ${subject ?? ''}`, curated: false, originalAt: null, correctedAt: null, correctedBy: null, correctionReason: null, subject,
  };
};
const flatten = (lines: TimelineLine[]) => lines.flatMap((line) => (line.kind === 'entry' ? [line.event] : line.events));
const shape = (lines: TimelineLine[]) => lines.map((line) => (line.kind === 'entry' ? line.event.kind : `folded ${line.events.length}`));

test("a flapping breaker's changes fold between the first and the last, and nothing is left out", () => {
  const flapping = Array.from({ length: 6 }, () => entry('breaker', 'breaker:a'));
  const events = [entry('note', null), ...flapping, entry('tier', null)];
  const lines = foldRepeats(events);
  assert.deepEqual(shape(lines), ['note', 'breaker', 'folded 4', 'breaker', 'tier']);
  assert.deepEqual(flatten(lines), events, 'every entry is still there, in order');
  const folded = lines[2] as Extract<TimelineLine, { kind: 'folded' }>;
  assert.equal(folded.key, flapping[1].id);
});

test('short runs, runs of different subjects and entries that do not repeat are never folded', () => {
  const three = Array.from({ length: 3 }, () => entry('breaker', 'breaker:a'));
  assert.deepEqual(shape(foldRepeats(three)), ['breaker', 'breaker', 'breaker']);
  const alternating = Array.from({ length: 8 }, (_, i) => entry('breaker', i % 2 ? 'breaker:a' : 'breaker:b'));
  assert.equal(foldRepeats(alternating).length, 8, 'two breakers taking turns');
  const notes = Array.from({ length: 8 }, () => entry('note', null));
  assert.equal(foldRepeats(notes).length, 8, 'notes are all shown');
});

test('a fold that was asked to be shown stays open; the others stay folded', () => {
  const first = Array.from({ length: 5 }, () => entry('breaker', 'breaker:a'));
  const second = Array.from({ length: 5 }, () => entry('breaker', 'breaker:b'));
  const events = [...first, ...second];
  const opened = foldRepeats(events, new Set([first[1].id]));
  assert.deepEqual(shape(opened), ['breaker', 'breaker', 'breaker', 'breaker', 'breaker', 'breaker', 'folded 3', 'breaker']);
  assert.deepEqual(flatten(opened), events);
});
