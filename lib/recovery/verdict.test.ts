import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeCell, type CellInput } from './compliance';
import { DAY } from './model';
import type { Freshness } from './drill-freshness';
import { assessPosture } from './posture';
import { rtoParts } from './rto-parts';
import { bandOf, judge, ratioOf } from './verdict';

test('ratio bands: below 1 compliant, up to 2 exceeded, up to 4 severe, above 4 critical', () => {
  assert.equal(bandOf(0), 'compliant');
  assert.equal(bandOf(0.999), 'compliant');
  assert.equal(bandOf(1), 'exceeded');
  assert.equal(bandOf(2), 'exceeded');
  assert.equal(bandOf(2.01), 'severe');
  assert.equal(bandOf(4), 'severe');
  assert.equal(bandOf(4.01), 'critical');
  assert.equal(bandOf(Infinity), 'critical');
  assert.equal(ratioOf(0, 0), 0, 'an RPO of zero is met by zero');
  assert.equal(ratioOf(1, 0), Infinity);
});

test('nothing measured, or only evidence older than a quarter, reads unverified; a breach stays a breach', () => {
  const now = 200 * DAY;
  assert.equal(judge(30_000, { worstMs: null, newestEvidenceAt: null }, now), 'unverified');
  assert.equal(judge(30_000, { worstMs: 1_000, newestEvidenceAt: now - 10 * DAY }, now), 'compliant');
  assert.equal(judge(30_000, { worstMs: 1_000, newestEvidenceAt: now - 91 * DAY }, now), 'unverified');
  assert.equal(judge(30_000, { worstMs: 90_000, newestEvidenceAt: now - 91 * DAY }, now), 'severe');
  assert.equal(judge(30_000, { worstMs: 1_000, newestEvidenceAt: now, failed: true }, now), 'critical');
  assert.equal(judge(null, { worstMs: 1_000, newestEvidenceAt: now }, now), 'no_objective');
});

const none = { count: 0, worstMs: null, worst: null, latestMs: null, latest: null, open: 0, failed: null, newestAt: null };
const noRpo = { worstMs: null, worst: null, latestMs: null, latest: null, newestAt: null, stopped: false };
const cell = (over: Partial<CellInput>): CellInput => ({
  componentKind: 'conversation_history', disruption: 'data_loss', objective: { rtoMs: 300_000, rpoMs: 60_000, version: 1 }, rto: none, rpo: noRpo, predictedRto: null, predictedRpo: null, ...over,
});

test('a cell takes the worse of its RTO and RPO verdicts; a component that stopped reporting has no evidence', () => {
  const now = 100 * DAY;
  const rto = { ...none, count: 1, worstMs: 200_000, newestAt: now - DAY };
  const measured = judgeCell(cell({ rto, rpo: { ...noRpo, worstMs: 150_000, newestAt: now - DAY } }), now);
  assert.equal(measured.rtoVerdict, 'compliant');
  assert.equal(measured.rpoVerdict, 'severe');
  assert.equal(measured.verdict, 'severe');
  assert.equal(measured.ratio, 2.5);
  const stopped = judgeCell(cell({ rto, rpo: { ...noRpo, worstMs: 1_000, newestAt: now - DAY, stopped: true } }), now);
  assert.equal(stopped.rpoVerdict, 'no_evidence');
  assert.equal(stopped.verdict, 'no_evidence');
  assert.equal(stopped.ratio, 200_000 / 300_000, 'a stopped RPO has no ratio; the RTO keeps its own');
  // Routing holds no state: its RPO is not judged.
  const routing = judgeCell(cell({ componentKind: 'service_routing', disruption: 'provider_outage', rto }), now);
  assert.equal(routing.rpoVerdict, null);
  assert.equal(routing.verdict, 'compliant');
  const risky = judgeCell(cell({ componentKind: 'service_routing', disruption: 'provider_outage', rto, predictedRto: { ms: 400_000, basis: '', fixes: [] } }), now);
  assert.equal(risky.atRisk, true);
});

test('posture: every failed check names what to do, grouped per component and action; the score is the share passed', () => {
  const now = 100 * DAY;
  const good = judgeCell(cell({ componentKind: 'service_routing', disruption: 'provider_outage', rto: { ...none, count: 1, worstMs: 1_000, newestAt: now, worst: { kind: 'episode', id: 'e1', at: '' } } }), now);
  const risky = judgeCell(cell({ componentKind: 'service_routing', disruption: 'regional_outage', predictedRto: { ms: 40_000, basis: '', fixes: [{ change: 'Lower the header timeout.', predictedMs: 25_000 }] }, objective: { rtoMs: 30_000, rpoMs: 0, version: 1 } }), now);
  const breach = judgeCell(cell({ componentKind: 'model_serving', disruption: 'provider_outage', rto: { ...none, count: 1, worstMs: 1_500_000, newestAt: now, worst: { kind: 'episode', id: 'e2', at: '' } } }), now);
  const posture = assessPosture(
    [
      { id: 'r', name: 'bot routing', cells: [good, risky], missing: ['capacity_loss'] },
      { id: 's', name: 'gpt serving', cells: [breach], missing: [] },
    ],
    () => false,
  );
  assert.equal(posture.checks, 16);
  // good: 4; risky: objective 1 (config fails, no evidence fails, no breach 1); missing: 0; breach: objective, config, evidence = 3.
  assert.equal(posture.passed, 4 + 2 + 3);
  assert.equal(posture.score, Math.round((9 / 16) * 100));
  assert.deepEqual(posture.todo.map((t) => t.action), ['review_breach', 'fix_configuration', 'set_objective', 'run_drill']);
  assert.match(posture.todo[0].text, /Review the breach on gpt serving \(Provider outage: worst 5.0x the objective\)/);
  assert.equal(posture.todo[0].ref?.id, 'e2');
  assert.match(posture.todo[1].text, /Lower the header timeout/);
  assert.match(posture.todo[2].text, /Set an objective for bot routing under capacity loss/);
  assert.equal(posture.todo[3].text, 'Run a drill of bot routing: nothing measured regional outage within 90 days.');
});

test('posture: each drill plan is a check credited by its decayed score; stale, failed, unverified and never-run plans say why; a routing component with no plan fails one check', () => {
  const fresh = (status: Freshness['status'], score: number, ageDays: number | null, changes: string[] = []): Freshness => ({ status, score, ageDays, changes });
  const posture = assessPosture(
    [
      {
        id: 'r', name: 'bot routing', cells: [], missing: [], drillable: true,
        drills: [
          { planName: 'OpenAI outage', disruption: 'provider_outage', cadenceDays: 90, freshness: fresh('fresh', 100, 3) },
          { planName: 'EU down', disruption: 'regional_outage', cadenceDays: 90, freshness: fresh('stale', 75, 120) },
          { planName: 'Slow primary', disruption: 'provider_outage', cadenceDays: 30, freshness: fresh('unverified', 50, 10, ['The runbook changed (version 2 → 3).']) },
          { planName: 'Capacity', disruption: 'capacity_loss', cadenceDays: 90, freshness: fresh('failed', 0, 1) },
        ],
      },
      { id: 'q', name: 'search routing', cells: [], missing: [], drillable: true },
      { id: 'm', name: 'gpt serving', cells: [], missing: [], drillable: false },
    ],
    () => false,
  );
  assert.equal(posture.checks, 5);
  assert.equal(posture.passed, 1, 'only the fresh pass counts as met in full');
  assert.equal(posture.score, Math.round(((1 + 0.75 + 0.5) / 5) * 100), 'a stale pass earns 75, an unverified one 50, a failed one and a missing plan 0');
  const bot = posture.todo.find((t) => t.componentName === 'bot routing')!;
  assert.equal(bot.action, 'run_drill');
  assert.equal(bot.points, 3);
  assert.match(bot.text, /"EU down" last passed 120 days ago, its cadence is 90 days/);
  assert.match(bot.text, /"Slow primary" passed 10 days ago, but since then the runbook changed \(version 2 → 3\)/);
  assert.match(bot.text, /"Capacity" failed 1 day ago/);
  assert.doesNotMatch(bot.text, /OpenAI outage/);
  assert.match(bot.text, /^Run a drill of bot routing: "EU down"/, 'no failure mode is listed that no reason covers');
  assert.match(posture.todo.find((t) => t.componentName === 'search routing')!.text, /Run a drill of search routing: no drill is planned for it\./);
  assert.equal(posture.todo.some((t) => t.componentName === 'gpt serving'), false, 'serving components are drilled through their routing');
});

test('RTO parts add up to the measured RTO, whatever order the milestones came in', () => {
  assert.deepEqual(rtoParts({ startedAt: 0, detectedAt: 10, assessedAt: 40, activatedAt: 100, restoredAt: 1_000 }), { tDetectMs: 10, tAssessMs: 30, tActivateMs: 60, tRestoreMs: 900 });
  assert.deepEqual(rtoParts({ startedAt: 0, detectedAt: null, assessedAt: null, activatedAt: 100, restoredAt: null }), { tDetectMs: 100, tAssessMs: 0, tActivateMs: 0, tRestoreMs: null });
  assert.deepEqual(rtoParts({ startedAt: 0, detectedAt: 500, assessedAt: null, activatedAt: 100, restoredAt: 1_000 }), { tDetectMs: 100, tAssessMs: 0, tActivateMs: 0, tRestoreMs: 900 });
  assert.deepEqual(rtoParts({ startedAt: 0, detectedAt: 50, assessedAt: null, activatedAt: null, restoredAt: null }), { tDetectMs: 50, tAssessMs: null, tActivateMs: null, tRestoreMs: null });
  // No fallback: nothing was activated before the target itself came back; nobody had to assess.
  assert.deepEqual(rtoParts({ startedAt: 0, detectedAt: 15, assessedAt: null, activatedAt: 225, restoredAt: 225 }), { tDetectMs: 15, tAssessMs: 0, tActivateMs: 210, tRestoreMs: 0 });
});
