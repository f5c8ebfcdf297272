import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependencies, laneRows, readiness, type LaneStep, type StepState } from './lanes';

// 1 main, then 2 (lane A) and 3, 4 (lane B) beside each other, then 5 main.
const steps: LaneStep[] = [
  { key: 'assess', position: 1, lane: 0 },
  { key: 'notify', position: 2, lane: 1 },
  { key: 'flip', position: 3, lane: 2 },
  { key: 'verify', position: 4, lane: 2 },
  { key: 'close', position: 5, lane: 0 },
];

test('lane steps wait on the main step before them or the step before them in their lane; a main step joins every lane', () => {
  const deps = dependencies(steps);
  assert.deepEqual(deps.get('assess'), []);
  assert.deepEqual(deps.get('notify'), ['assess']);
  assert.deepEqual(deps.get('flip'), ['assess']);
  assert.deepEqual(deps.get('verify'), ['flip']);
  assert.deepEqual(deps.get('close'), ['assess', 'notify', 'verify']);
});

test('order comes from position, not from the order rows were read in', () => {
  assert.deepEqual(dependencies([...steps].reverse()).get('close'), ['assess', 'notify', 'verify']);
});

const states = (entries: [string, StepState][]) => new Map<string, StepState>(entries);

test('parallel lanes are ready together once the main step before them is done', () => {
  const r = readiness(steps, states([['assess', 'done'], ['notify', 'pending'], ['flip', 'pending'], ['verify', 'pending'], ['close', 'pending']]));
  assert.deepEqual(r.ready, ['notify', 'flip']);
  assert.deepEqual(r.waitingOn.get('verify'), ['flip']);
  assert.deepEqual(r.waitingOn.get('close'), ['notify', 'verify']);
});

test('a skipped step counts as finished; a failed one holds back what follows it', () => {
  const r = readiness(steps, states([['assess', 'done'], ['notify', 'skipped'], ['flip', 'failed'], ['verify', 'pending'], ['close', 'pending']]));
  assert.deepEqual(r.ready, []);
  assert.deepEqual(r.waitingOn.get('verify'), ['flip']);
  assert.deepEqual(r.waitingOn.get('close'), ['verify']);
});

test('running and finished steps are never "next"', () => {
  const r = readiness(steps, states([['assess', 'running']]));
  assert.deepEqual(r.ready, []);
});

test('rows group lane steps that run beside each other', () => {
  const rows = laneRows(steps);
  assert.equal(rows.length, 3);
  assert.equal(rows[0].main?.key, 'assess');
  assert.deepEqual([...rows[1].lanes.entries()].map(([lane, list]) => [lane, list.map((s) => s.key)]), [[1, ['notify']], [2, ['flip', 'verify']]]);
  assert.equal(rows[2].main?.key, 'close');
});
