import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePostmortem, type EpisodeFigures, type PostmortemInputs } from './postmortem';

const episode = (over: Partial<EpisodeFigures>): EpisodeFigures => ({
  id: 'e', componentName: 'support-bot routing', componentKind: 'service_routing', disruption: 'provider_outage', startedAt: 1_000, restoredAt: 300_000,
  parts: { tDetectMs: 600, tAssessMs: 40_000, tActivateMs: 2_000, tRestoreMs: 250_000 }, rtoMs: 42_600, objectiveRtoMs: 30_000, failedRequests: 70, ...over,
});

const inputs: PostmortemInputs = {
  openedAt: 0,
  endedAt: 600_000,
  ongoing: false,
  primaryComponentName: 'support-bot routing',
  services: [
    { name: 'support-bot', sloTarget: 0.999, sloWindowDays: 30, requests: 1_200, failures: 74, sloWindowRequests: 1_000_000, tiers: ['full', 'degraded', 'full'] },
    { name: 'code-assistant', sloTarget: 0.99, sloWindowDays: 30, requests: 800, failures: 0, sloWindowRequests: 50, tiers: ['full'] },
  ],
  episodes: [episode({ id: 'serving', componentName: 'openai-gpt-4o-us-east serving', componentKind: 'model_serving', rtoMs: 299_000, objectiveRtoMs: 300_000 }), episode({ id: 'routing' })],
  steps: [
    { runbook: 'Provider outage', title: 'Force failover', kind: 'action', status: 'done', startedAt: 30_000, finishedAt: 38_000, startedBy: 'cora', finishedBy: 'cora' },
    { runbook: 'Provider outage', title: 'Wait for the primary', kind: 'check', status: 'done', startedAt: 40_000, finishedAt: 400_000, startedBy: 'standby', finishedBy: 'standby' },
    { runbook: 'Provider outage', title: 'Tell support', kind: 'notify', status: 'pending', startedAt: null, finishedAt: null, startedBy: null, finishedBy: null },
  ],
};

test('impact: failed requests and their share over every service', () => {
  const pm = computePostmortem(inputs);
  assert.equal(pm.impact.requests, 2_000);
  assert.equal(pm.impact.failures, 74);
  assert.equal(pm.impact.failedShare, 0.037);
  assert.deepEqual(pm.impact.affectedServices, ['support-bot'], 'code-assistant served everything in Full');
});

test('error budget burned: failures over the failures the SLO window allows', () => {
  const [support, code] = computePostmortem(inputs).impact.services;
  // 0.1% of a million requests = 1,000 allowed; 74 used.
  assert.ok(Math.abs(support.budgetBurned! - 0.074) < 1e-9);
  // 1% of 50 requests is half a request: too small a budget to state a share of.
  assert.equal(code.budgetBurned, null);
});

test('tiers: the worst tier reached and how often it changed', () => {
  const [support, code] = computePostmortem(inputs).impact.services;
  assert.equal(support.worstTier, 'degraded');
  assert.equal(support.tierChanges, 2);
  assert.equal(code.worstTier, 'full');
});

test("the RTO headline is the incident's own service's routing episode, against its objective, with its slowest part", () => {
  const pm = computePostmortem(inputs);
  assert.equal(pm.rto?.id, 'routing');
  assert.ok(Math.abs(pm.rto!.ratio! - 1.42) < 1e-9);
  // 42.6 s = detect 0.6 + assess 40 + activate 2: the target's restoration (250 s) came after callers were answered elsewhere.
  assert.equal(pm.rto?.slowest, 'tAssessMs');
});

test('without an episode of its own service, the headline is the one furthest over its objective', () => {
  const pm = computePostmortem({ ...inputs, primaryComponentName: null });
  assert.equal(pm.rto?.id, 'routing', '1.42x beats 0.997x');
});

test('the slowest step is the longest finished one; steps never started have no duration', () => {
  const pm = computePostmortem(inputs);
  assert.equal(pm.slowestStep?.title, 'Wait for the primary');
  assert.equal(pm.slowestStep?.durationMs, 360_000);
  assert.equal(pm.steps[2].durationMs, null);
});

test('an incident with no traffic and no episodes has no share, no headline and no slowest step', () => {
  const pm = computePostmortem({ ...inputs, services: [], episodes: [], steps: [] });
  assert.equal(pm.impact.failedShare, null);
  assert.equal(pm.rto, null);
  assert.equal(pm.slowestStep, null);
});
