import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetVerdict, type Signals } from './verdict';

const at = (secondsAgo: number) => new Date(Date.UTC(2026, 11, 7, 12, 0, 0) - secondsAgo * 1_000).toISOString();
const base: Signals = { breaker: { state: 'closed', since: null }, lastProbe: { at: at(10), ok: true }, probes: { count: 20, failures: 0 }, traffic: { count: 300, successRate: 1 } };
const signals = (extra: Partial<Signals>): Signals => ({ ...base, ...extra });

describe('targetVerdict', () => {
  it('a target no traffic reaches whose probes fail looks unhealthy, even with its breaker closed', () => {
    const v = targetVerdict(signals({ lastProbe: { at: at(5), ok: false }, probes: { count: 20, failures: 4 }, traffic: { count: 0, successRate: null } }));
    assert.deepEqual([v.level, v.drivenBy, v.reason], ['unhealthy', 'probes', 'Its probes fail, and no traffic shows otherwise.']);
  });

  it('an open breaker is unhealthy, and the "ok" probe from before it opened is marked stale', () => {
    const v = targetVerdict(signals({ breaker: { state: 'open', since: at(20) }, lastProbe: { at: at(40), ok: true } }));
    assert.equal(v.level, 'unhealthy');
    assert.deepEqual(v.probe, { at: at(40), ok: true, stale: true });
    assert.match(v.reason, /probes wait for its trial/);
  });

  it('failing probes and 85% of traffic: unhealthy though the breaker (rate threshold 50%) stays closed', () => {
    const v = targetVerdict(signals({ lastProbe: { at: at(5), ok: false }, probes: { count: 20, failures: 8 }, traffic: { count: 200, successRate: 0.85 } }));
    assert.deepEqual([v.level, v.drivenBy], ['unhealthy', 'traffic and probes']);
    assert.equal(v.reason, 'Its probes fail, and only 85% of its traffic succeeds.');
  });

  it('grades the rest: low traffic success, half-open, a failed probe on good traffic, healthy, unknown', () => {
    const table: [Partial<Signals>, string, string][] = [
      [{ traffic: { count: 100, successRate: 0.8 } }, 'unhealthy', 'traffic and probes'],
      [{ breaker: { state: 'half_open', since: at(1) } }, 'degraded', 'traffic and probes'],
      [{ lastProbe: { at: at(5), ok: false } }, 'degraded', 'traffic and probes'],
      [{ traffic: { count: 100, successRate: 0.97 } }, 'degraded', 'traffic and probes'],
      [{ traffic: { count: 0, successRate: null } }, 'healthy', 'probes'],
      [{ probes: { count: 0, failures: 0 }, lastProbe: null }, 'healthy', 'traffic'],
      [{ probes: { count: 0, failures: 0 }, lastProbe: null, traffic: { count: 0, successRate: null } }, 'unknown', 'nothing'],
    ];
    for (const [extra, level, drivenBy] of table) {
      const v = targetVerdict(signals(extra));
      assert.deepEqual([v.level, v.drivenBy], [level, drivenBy], JSON.stringify(extra));
    }
  });
});
