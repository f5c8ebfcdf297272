import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRunbooks, type RunbookConditions } from './match';

const runbooks: RunbookConditions[] = [
  { id: 'generic', name: 'Provider outage', failureMode: 'provider_outage', severities: [], serviceIds: [], targetIds: [] },
  { id: 'support', name: 'Provider outage: support-bot', failureMode: 'provider_outage', severities: [], serviceIds: ['svc-support'], targetIds: [] },
  { id: 'p0', name: 'Provider outage, P0 only', failureMode: 'provider_outage', severities: ['P0'], serviceIds: [], targetIds: [] },
  { id: 'regional', name: 'Regional outage', failureMode: 'regional_outage', severities: [], serviceIds: [], targetIds: [] },
];

test('the failure mode must hold; the more specific runbook ranks first', () => {
  const m = matchRunbooks(runbooks, { failureMode: 'provider_outage', severity: 'P1', serviceId: 'svc-support', targetIds: [] });
  assert.deepEqual(m.map((x) => x.id), ['support', 'generic']);
});

test('a set condition that does not hold excludes the runbook', () => {
  const m = matchRunbooks(runbooks, { failureMode: 'provider_outage', severity: 'P0', serviceId: 'svc-code', targetIds: [] });
  assert.deepEqual(m.map((x) => x.id), ['p0', 'generic']);
});

test('with no failure mode known yet, every runbook whose other conditions hold is offered', () => {
  const m = matchRunbooks(runbooks, { failureMode: null, severity: 'P2', serviceId: null, targetIds: [] });
  assert.deepEqual(m.map((x) => x.id).sort(), ['generic', 'regional']);
});

test('a target condition matches an incident about that target', () => {
  const byTarget: RunbookConditions = { id: 'gpu', name: 'GPU node', failureMode: 'gpu_node_failure', severities: [], serviceIds: [], targetIds: ['llama'] };
  assert.equal(matchRunbooks([byTarget], { failureMode: 'gpu_node_failure', severity: 'P2', serviceId: null, targetIds: ['llama'] }).length, 1);
  assert.equal(matchRunbooks([byTarget], { failureMode: 'gpu_node_failure', severity: 'P2', serviceId: null, targetIds: ['other'] }).length, 0);
});
