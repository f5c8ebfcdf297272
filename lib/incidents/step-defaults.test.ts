import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillAction, renderMessage, resolveCheck, type IncidentContext, type Names } from './step-defaults';

const ctx: IncidentContext = {
  id: 'i', publicId: 'INC-7', title: 'support-bot: primary down', severity: 'P1', status: 'mitigating', serviceId: 'svc', serviceName: 'support-bot', focusTargetId: 'gpt', commander: 'Cora Commander', link: 'http://standby/incidents/INC-7',
};
const names: Names = { service: (id) => (id === 'svc' ? 'support-bot' : null), target: (id) => (id === 'gpt' ? 'openai-gpt-4o-us-east' : null) };

test("blank service and target are the incident's; what the runbook names stays", () => {
  assert.deepEqual(fillAction({ action: 'force_failover' }, ctx), { action: 'force_failover', serviceId: 'svc' });
  assert.deepEqual(fillAction({ action: 'drain' }, ctx), { action: 'drain', serviceId: 'svc', targetId: 'gpt' });
  assert.deepEqual(fillAction({ action: 'pin' }, ctx), { action: 'pin', serviceId: 'svc', targetId: undefined }, 'which target to pin to is the commander\'s choice');
  assert.deepEqual(fillAction({ action: 'force_failover', serviceId: 'named' }, ctx), { action: 'force_failover', serviceId: 'named' });
  assert.deepEqual(fillAction({ action: 'retire_model', model: 'gpt-4o' }, ctx), { action: 'retire_model', model: 'gpt-4o', targetId: undefined });
});

test('a check watches the incident\'s service or target, by name', () => {
  assert.deepEqual(resolveCheck({ metric: 'breaker_closed', forMinutes: 5 }, ctx, names), { metric: 'breaker_closed', targetId: 'gpt', targetName: 'openai-gpt-4o-us-east', forMinutes: 5 });
  assert.deepEqual(resolveCheck({ metric: 'error_rate', belowPercent: 1, forMinutes: 2, minRequests: 10 }, ctx, names), { metric: 'error_rate', serviceId: 'svc', serviceName: 'support-bot', belowPercent: 1, forMinutes: 2, minRequests: 10 });
});

test('without a service the check says what is missing instead of guessing', () => {
  const none = { ...ctx, serviceId: null, serviceName: null, focusTargetId: null };
  assert.match((resolveCheck({ metric: 'tier', tier: 'full', forMinutes: 0 }, none, names) as { error: string }).error, /names no service/);
  assert.match((resolveCheck({ metric: 'breaker_closed', forMinutes: 0 }, none, names) as { error: string }).error, /names no target/);
});

test('placeholders are filled; unknown ones stay as written', () => {
  assert.equal(renderMessage('{incident} {severity}: {title}. Commander {commander}. {link} {nope}', ctx), 'INC-7 P1: support-bot: primary down. Commander Cora Commander. http://standby/incidents/INC-7 {nope}');
});
