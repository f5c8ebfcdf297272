import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suggestSeverity, type ServiceImpact } from './severity';

const base: ServiceImpact = { name: 'support-bot', requests: 600, failures: 0, tier: 'full', servable: true, pageAlert: false };
const svc = (over: Partial<ServiceImpact>): ServiceImpact => ({ ...base, ...over });

test('a service nothing can serve is P0', () => {
  const s = suggestSeverity([svc({ servable: false, failures: 600 })]);
  assert.equal(s.severity, 'P0');
  assert.ok(s.reasons.includes('support-bot: nothing can serve it'));
});

test('the share of failed requests sets the level: 50% P0, 10% P1, 1% P2', () => {
  assert.equal(suggestSeverity([svc({ failures: 300 })]).severity, 'P0');
  assert.equal(suggestSeverity([svc({ failures: 299 })]).severity, 'P1');
  assert.equal(suggestSeverity([svc({ failures: 60 })]).severity, 'P1');
  assert.equal(suggestSeverity([svc({ failures: 59 })]).severity, 'P2');
  assert.equal(suggestSeverity([svc({ failures: 6 })]).severity, 'P2');
  assert.equal(suggestSeverity([svc({ failures: 5 })]).severity, 'P3');
  assert.deepEqual(suggestSeverity([svc({ failures: 60 })]).reasons, ['support-bot: 10% of 600 requests failed in the last 5 min']);
});

test('a handful of requests is too few for a share: 2 failures of 3 is not P0', () => {
  const s = suggestSeverity([svc({ requests: 3, failures: 2 })]);
  assert.equal(s.severity, 'P3');
  assert.match(s.reasons[0], /too little traffic/);
});

test('tiers: Minimal or Emergency is P1, Degraded P2', () => {
  assert.equal(suggestSeverity([svc({ tier: 'emergency' })]).severity, 'P1');
  assert.equal(suggestSeverity([svc({ tier: 'minimal' })]).severity, 'P1');
  assert.equal(suggestSeverity([svc({ tier: 'degraded' })]).severity, 'P2');
});

test('a page alert alone is P2', () => {
  assert.equal(suggestSeverity([svc({ pageAlert: true })]).severity, 'P2');
});

test('breadth: two affected services are P1, three failing 5% or more are P0', () => {
  assert.equal(suggestSeverity([svc({ name: 'a', tier: 'degraded' }), svc({ name: 'b', failures: 12 })]).severity, 'P1');
  const three = suggestSeverity([svc({ name: 'a', failures: 30 }), svc({ name: 'b', failures: 40 }), svc({ name: 'c', failures: 50 })]);
  assert.equal(three.severity, 'P0');
  assert.ok(three.reasons.includes('3 services fail 5% or more of their requests'));
});

test('callers served by the fallback: P3, and the reason says so', () => {
  const s = suggestSeverity([svc({})]);
  assert.equal(s.severity, 'P3');
  assert.match(s.reasons[0], /callers are served/);
});
