import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assessTrouble, compareByTrouble, type TroubleInput } from './trouble';

const healthy: TroubleInput = {
  name: 'svc', enabled: true, tier: 'full', tierOverridden: false, servedShare: 1,
  routing: { mode: 'automatic', lastResort: false, chainLength: 2, servingName: 'primary', overrideLabel: null },
  alerting: null, alertRules: [], meetsTarget: true, budgetFraction: 0.8, openBreakers: [], halfOpenBreakers: [], pressure: 0.1,
};
const withInput = (patch: Partial<TroubleInput>): TroubleInput => ({ ...healthy, ...patch });

describe('trouble of a service', () => {
  test('a healthy service is ok with nothing to say', () => {
    assert.deepEqual(assessTrouble(healthy), { level: 'ok', reasons: [] });
  });

  test('a page, an Emergency or Minimal tier, or nothing able to serve is critical', () => {
    assert.deepEqual(assessTrouble(withInput({ alerting: 'page', alertRules: ['page-1h'] })), { level: 'critical', reasons: ['Paging: burn-rate alert page-1h'] });
    assert.deepEqual(assessTrouble(withInput({ tier: 'emergency', tierOverridden: true })).reasons, ['Tier Emergency (set by an operator)']);
    assert.deepEqual(assessTrouble(withInput({ tier: 'minimal', servedShare: 0.3 })), { level: 'critical', reasons: ['Tier Minimal: 70% of requests beyond capacity'] });
    assert.deepEqual(assessTrouble(withInput({ routing: { ...healthy.routing, mode: 'unavailable', servingName: null } })).reasons, ['No target can serve it']);
    assert.deepEqual(assessTrouble(withInput({ routing: { ...healthy.routing, lastResort: true }, openBreakers: ['primary', 'fallback'] })).reasons, [
      'Every target left has an open breaker: last resort primary',
    ]);
  });

  test('a ticket, Degraded, open breakers, overrides and a spent budget are warnings, critical reasons listed first', () => {
    assert.deepEqual(assessTrouble(withInput({ alerting: 'ticket', alertRules: ['ticket-3d'], tier: 'degraded', servedShare: 0.8, openBreakers: ['primary'], halfOpenBreakers: ['b'] })), {
      level: 'warning',
      reasons: ['Ticket: burn-rate alert ticket-3d', 'Tier Degraded: 20% of requests beyond capacity', 'Breaker open: primary', 'Breaker half-open: b'],
    });
    assert.deepEqual(assessTrouble(withInput({ routing: { ...healthy.routing, mode: 'pinned', overrideLabel: 'Pinned to b' } })).reasons, ['Pinned to b']);
    assert.deepEqual(assessTrouble(withInput({ budgetFraction: -0.2, meetsTarget: false })).reasons, ['Error budget spent']);
    assert.deepEqual(assessTrouble(withInput({ meetsTarget: false, budgetFraction: 0.1 })).reasons, ['Below its SLO target']);
    assert.deepEqual(assessTrouble(withInput({ routing: { ...healthy.routing, chainLength: 0, mode: 'unavailable', servingName: null } })).reasons, ['No failover chain: every request fails']);
    assert.deepEqual(assessTrouble(withInput({ alerting: 'page', alertRules: ['page-1h', 'page-6h'], tier: 'degraded', servedShare: 0.5 })).reasons, ['Paging: burn-rate alert page-1h, page-6h', 'Tier Degraded: 50% of requests beyond capacity']);
  });

  test('an automatic tier that sheds nothing (capacity back, its hold still running) is no emergency', () => {
    assert.deepEqual(assessTrouble(withInput({ tier: 'minimal', servedShare: 1 })), { level: 'warning', reasons: ['Tier Minimal until capacity has held; every request is served'] });
  });

  test('no traffic is not trouble', () => {
    assert.equal(assessTrouble(withInput({ meetsTarget: null, budgetFraction: null, pressure: null })).level, 'ok');
  });

  test('a disabled service sinks to the bottom but still says what is wrong', () => {
    assert.deepEqual(assessTrouble(withInput({ enabled: false, openBreakers: ['primary'] })), { level: 'disabled', reasons: ['Disabled', 'Breaker open: primary'] });
  });

  test('services sort trouble first, then the faster burn, then by name', () => {
    const row = (name: string, patch: Partial<TroubleInput>) => {
      const input = withInput({ name, ...patch });
      return { name, pressure: input.pressure, trouble: assessTrouble(input) };
    };
    const rows = [
      row('a-ok', {}),
      row('b-off', { enabled: false }),
      row('c-warn-slow', { tier: 'degraded', pressure: 0.2 }),
      row('d-page', { alerting: 'page', alertRules: ['page-1h'], pressure: 3 }),
      row('e-warn-fast', { tier: 'degraded', pressure: 0.9 }),
      row('f-ok-quiet', { pressure: null }),
      row('0-ok', {}),
    ];
    assert.deepEqual(rows.sort(compareByTrouble).map((r) => r.name), ['d-page', 'e-warn-fast', 'c-warn-slow', '0-ok', 'a-ok', 'f-ok-quiet', 'b-off']);
  });
});
