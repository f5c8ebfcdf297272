import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageScore, coverageScore, drillFreshness, unplanned, whatChanged, type TestedFingerprint } from '@/lib/recovery/drill-freshness';
import { evaluateHalt, p95, type HaltConditions, type HaltTelemetry } from './halt';
import { planInput } from './schemas';
import { judgeRestores, judgeRun, withChecks } from './verdict';

const DAY = 86_400_000;
const tested: TestedFingerprint = {
  chain: ['a', 'b'], runbook: { id: 'rb', version: 2 },
  targets: [{ id: 'a', name: 'openai-east', model: 'gpt-4o', endpointUrl: 'https://x', enabled: true }],
};

test('freshness: 100 within the cadence, 75 within two, 50 within three, then 0', () => {
  assert.deepEqual([0, 90, 91, 180, 181, 270, 271].map((d) => ageScore(d * DAY, 90)), [100, 100, 75, 75, 50, 50, 0]);
  assert.deepEqual(drillFreshness({ status: 'passed', finishedAt: 0, tested }, 90, tested, 10 * DAY), { status: 'fresh', score: 100, ageDays: 10, changes: [] });
  assert.equal(drillFreshness({ status: 'passed', finishedAt: 0, tested }, 90, tested, 100 * DAY).status, 'stale');
  assert.equal(drillFreshness({ status: 'passed', finishedAt: 0, tested }, 90, tested, 100 * DAY).score, 75);
});

test('freshness: failed, halted and never-run drills score 0', () => {
  assert.deepEqual(drillFreshness(null, 90, tested, 0), { status: 'never_run', score: 0, ageDays: null, changes: [] });
  assert.equal(drillFreshness({ status: 'failed', finishedAt: 0, tested }, 90, tested, DAY).score, 0);
  assert.equal(drillFreshness({ status: 'halted', finishedAt: 0, tested }, 90, tested, DAY).status, 'halted');
});

test('a pass is unverified once the chain, the runbook or a target changed, says what changed, and scores at most 50', () => {
  const now: TestedFingerprint = { chain: ['b', 'a'], runbook: { id: 'rb', version: 3 }, targets: [{ ...tested.targets[0], model: 'gpt-4.1' }] };
  const f = drillFreshness({ status: 'passed', finishedAt: 0, tested }, 90, now, DAY);
  assert.equal(f.status, 'unverified');
  assert.equal(f.score, 50);
  assert.deepEqual(f.changes, [
    'The failover chain changed: was openai-east → b, now b → openai-east.',
    'The runbook changed (version 2 → 3).',
    'Target openai-east now serves gpt-4.1 (was gpt-4o).',
  ]);
  assert.deepEqual(whatChanged(tested, { ...tested, targets: [] }), ['Target openai-east was deleted.']);
  // Chain targets outside the scope read by name, even one deleted since (its name kept with the run).
  const named: TestedFingerprint = { ...tested, chain: ['a', 'c'], chainNames: { a: 'openai-east', c: 'vllm-on-prem' } };
  assert.deepEqual(whatChanged(named, { ...named, chain: ['a', 'd'], chainNames: { a: 'openai-east', d: 'anthropic-west' } }), ['The failover chain changed: was openai-east → vllm-on-prem, now openai-east → anthropic-west.']);
  assert.equal(coverageScore([100, 50, 0]), 50);
  // A component whose plan never ran is scored once, through its plan; one no plan covers counts 0 of its own.
  assert.deepEqual(unplanned([{ id: 'c1', name: 'a routing' }, { id: 'c2', name: 'b routing' }], [{ componentId: 'c1' }]), [{ id: 'c2', name: 'b routing' }]);
  assert.equal(coverageScore([]), null);
});

const none: HaltConditions = { maxErrorRate: null, maxP95TtftMs: null, maxBurnRate: null, tierFloor: null };
const calm: HaltTelemetry = { requests: 100, failed: 1, p95TtftMs: 300, sloTarget: 0.999, tiers: [{ service: 'support-bot', tier: 'full' }] };

test('halt: each condition trips on its own figure, with its numbers in the reason', () => {
  assert.equal(evaluateHalt({ ...none, maxErrorRate: 0.05 }, calm), null);
  assert.match(evaluateHalt({ ...none, maxErrorRate: 0.05 }, { ...calm, failed: 10 })!.reason, /10\.0% \(10 of 100 requests.*above the limit of 5\.0%/);
  assert.equal(evaluateHalt({ ...none, maxBurnRate: 14.4 }, { ...calm, failed: 2 })!.condition, 'maxBurnRate'); // 2% / 0.1% = 20x
  assert.equal(evaluateHalt({ ...none, maxBurnRate: 14.4 }, { ...calm, failed: 1 }), null); // 10x
  assert.match(evaluateHalt({ ...none, maxP95TtftMs: 200 }, calm)!.reason, /300 ms is above the limit of 200 ms/);
  assert.equal(evaluateHalt({ ...none, tierFloor: 'degraded' }, { ...calm, tiers: [{ service: 's', tier: 'degraded' }] }), null);
  assert.match(evaluateHalt({ ...none, tierFloor: 'degraded' }, { ...calm, tiers: [{ service: 's', tier: 'minimal' }] })!.reason, /s fell to the minimal tier/);
});

test('halt: too few requests say nothing about a rate; nothing watched never trips', () => {
  assert.equal(evaluateHalt({ ...none, maxErrorRate: 0.05 }, { ...calm, requests: 5, failed: 5 }), null);
  assert.equal(evaluateHalt(none, { ...calm, failed: 100, p95TtftMs: 1e6 }), null);
  assert.equal(p95([]), null);
  assert.equal(p95(Array.from({ length: 100 }, (_, i) => i + 1)), 95);
});

const parts = { tDetectMs: 2_000, tAssessMs: 0, tActivateMs: 40_000, tRestoreMs: null };

test('verdict: passed within the objective, failed over it naming the slowest part, halted, or nothing seen', () => {
  assert.equal(judgeRun({ haltReason: null, faultsActive: false, objectiveRtoMs: 30_000, episode: { kind: 'service_routing', rtoMs: 1_200, status: 'recovered', parts } }).status, 'passed');
  const failed = judgeRun({ haltReason: null, faultsActive: false, objectiveRtoMs: 30_000, episode: { kind: 'service_routing', rtoMs: 42_000, status: 'recovered', parts } });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.brokenPart, 'tActivateMs');
  assert.match(failed.verdict, /42 s, over the RTO of 30 s\. The slowest part was activate \(40 s\)/);
  assert.equal(judgeRun({ haltReason: 'error rate', faultsActive: false, objectiveRtoMs: 30_000, episode: null }).status, 'halted');
  assert.match(judgeRun({ haltReason: null, faultsActive: false, objectiveRtoMs: 30_000, episode: null }).verdict, /No disruption was detected/);
});

test('verdict: a routing drill over its objective names the slowest part of its RTO, not the restoration that came after it', () => {
  // Callers were answered from elsewhere after 45 s (detect 5 s, activate 40 s); the failed target came back 255 s later.
  const slowRestore = { tDetectMs: 5_000, tAssessMs: 0, tActivateMs: 40_000, tRestoreMs: 255_000 };
  const failed = judgeRun({ haltReason: null, faultsActive: false, objectiveRtoMs: 30_000, episode: { kind: 'service_routing', rtoMs: 45_000, status: 'recovered', parts: slowRestore } });
  assert.equal(failed.brokenPart, 'tActivateMs');
  assert.match(failed.verdict, /Recovered in 45 s, over the RTO of 30 s\. The slowest part was activate \(40 s\)\./);
  // A model served again only once restored: there the restoration is part of the RTO, and can be what broke it.
  assert.equal(judgeRun({ haltReason: null, faultsActive: false, objectiveRtoMs: 30_000, episode: { kind: 'model_serving', rtoMs: 300_000, status: 'recovered', parts: slowRestore } }).brokenPart, 'tRestoreMs');
});

test('plan schedule: a time without a zone is read as UTC, as the pages show it; a past time is refused', () => {
  const base = { name: 'x drill', serviceId: '00000000-0000-4000-8000-000000000001', disruption: 'provider_outage', scopeKind: 'targets', scopeIds: ['00000000-0000-4000-8000-000000000002'], trafficMode: 'synthetic', faults: [{ kind: 'target_down' }], durationSeconds: 60 };
  const parsed = planInput.safeParse({ ...base, nextRunAt: '2030-01-15T09:00' });
  assert.ok(parsed.success);
  assert.equal(parsed.data.nextRunAt?.toISOString(), '2030-01-15T09:00:00.000Z');
  const past = planInput.safeParse({ ...base, nextRunAt: '2020-01-15T09:00', recurrenceDays: 30 });
  assert.ok(!past.success);
  assert.match(past.error.issues.map((i) => i.message).join(' '), /Pick a time in the future \(UTC\)/);
});

test('a passed drill whose conversation did not resume, or whose restore overran, fails and says why; checks change no other result', () => {
  const passed = judgeRun({ haltReason: null, objectiveRtoMs: 30_000, faultsActive: false, episode: { kind: 'service_routing', rtoMs: 9_000, status: 'recovered', parts: { tDetectMs: 3_000, tAssessMs: 0, tActivateMs: 6_000, tRestoreMs: 1_000 } } });
  const lost = withChecks(passed, [{ ok: false, text: 'Resume check failed: b received 1 messages instead of the whole history (3).' }, null]);
  assert.equal(lost.status, 'failed');
  assert.match(lost.verdict, /within the RTO of 30 s\. Resume check failed: b received 1 messages/);
  assert.deepEqual(withChecks(passed, [{ ok: true, text: 'Resume check passed.' }, null]), passed);
  const halted = judgeRun({ haltReason: 'error rate', objectiveRtoMs: 30_000, faultsActive: false, episode: null });
  assert.deepEqual(withChecks(halted, [{ ok: false, text: 'x' }]), halted);
});

test('restore check: the newest timed restore within the cadence, successful and within the data-loss RTO; otherwise it says which and why', () => {
  const now = 100 * DAY;
  const model = (newest: { observedAt: number; ok: boolean; restoreMs: number } | null, rtoMs: number | null = 1_800_000) => ({ model: 'llama-70b', rtoMs, newest });
  assert.equal(judgeRestores([], 90, now), null, 'no model with backups in scope: no check');
  assert.deepEqual(judgeRestores([model({ observedAt: now - 3 * DAY, ok: true, restoreMs: 840_000 })], 90, now), { ok: true, text: 'Restore check passed: a restore of llama-70b took 14 min (3 days ago), within its RTO of 30 min.' });
  assert.match(judgeRestores([model({ observedAt: now - DAY, ok: true, restoreMs: 2_400_000 })], 90, now)!.text, /failed: a restore of llama-70b took 40 min \(1 day ago\), over its RTO of 30 min/);
  assert.match(judgeRestores([model({ observedAt: now - 95 * DAY, ok: true, restoreMs: 1_000 })], 90, now)!.text, /95 days old, beyond the drill's cadence of 90 days/);
  assert.match(judgeRestores([model({ observedAt: now, ok: false, restoreMs: 0 })], 90, now)!.text, /the newest restore of llama-70b \(today\) failed/);
  assert.match(judgeRestores([model(null)], 90, now)!.text, /no restore of llama-70b was ever timed/);
  assert.equal(judgeRestores([model({ observedAt: now, ok: true, restoreMs: 1_000 }, null)], 90, now)!.ok, false, 'nothing to score against is not a pass');
});
