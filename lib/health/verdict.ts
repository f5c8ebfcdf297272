// How healthy a target is, in one word, from every signal at once: its breaker,
// the probes the health monitor sends and the traffic the gateway sends. The
// breaker alone can look calm (CLOSED) while probes fail on a target no traffic
// reaches, and an OPEN breaker pauses probes, so the last probe may be an "ok"
// from before it opened. Pure (verdict.test.ts).

export type Signals = {
  breaker: { state: 'closed' | 'open' | 'half_open'; since: string | null };
  /** The latest probe, if any in the last day. */
  lastProbe: { at: string; ok: boolean } | null;
  /** Probes over the window: how many, and how many failed. */
  probes: { count: number; failures: number };
  /** Traffic attempts over the window: how many, and the share that succeeded (null without any). */
  traffic: { count: number; successRate: number | null };
};

export type Verdict = {
  level: 'healthy' | 'degraded' | 'unhealthy' | 'unknown';
  /** One line a manager reads: what is wrong, or that nothing is. */
  reason: string;
  /** Which signals reach the breaker now: it counts every probe and every traffic attempt. */
  drivenBy: 'traffic' | 'probes' | 'traffic and probes' | 'nothing';
  /**
   * The probe that says something about now: none while the breaker is open
   * (probes pause until its trial), and one from before the breaker's current
   * state began is marked stale.
   */
  probe: { at: string; ok: boolean; stale: boolean } | null;
};

/** Traffic below this success rate is unhealthy; below HEALTHY_RATE it is degraded. */
export const UNHEALTHY_RATE = 0.9;
export const HEALTHY_RATE = 0.99;

const percent = (rate: number) => `${Math.floor(rate * 1000) / 10}%`;

export function targetVerdict(s: Signals): Verdict {
  const drivenBy = s.traffic.count > 0 && s.probes.count > 0 ? 'traffic and probes' : s.traffic.count > 0 ? 'traffic' : s.probes.count > 0 ? 'probes' : 'nothing';
  const since = s.breaker.since ? Date.parse(s.breaker.since) : null;
  const probe = s.lastProbe ? { ...s.lastProbe, stale: since !== null && s.breaker.state !== 'closed' && Date.parse(s.lastProbe.at) < since } : null;
  const verdict = (level: Verdict['level'], reason: string): Verdict => ({ level, reason, drivenBy, probe });

  if (s.breaker.state === 'open') return verdict('unhealthy', 'Breaker open: no traffic goes to it, and probes wait for its trial.');
  const failingProbe = probe !== null && !probe.ok && !probe.stale;
  const rate = s.traffic.successRate;
  if (failingProbe && (s.traffic.count === 0 || (rate !== null && rate < HEALTHY_RATE))) {
    return verdict('unhealthy', s.traffic.count === 0 ? 'Its probes fail, and no traffic shows otherwise.' : `Its probes fail, and only ${percent(rate!)} of its traffic succeeds.`);
  }
  if (rate !== null && rate < UNHEALTHY_RATE) return verdict('unhealthy', `Only ${percent(rate)} of its traffic succeeds.`);
  if (s.breaker.state === 'half_open') return verdict('degraded', 'Breaker half-open: trial requests decide whether it closes.');
  if (failingProbe) return verdict('degraded', 'Its last probe failed, while its traffic succeeds.');
  if (rate !== null && rate < HEALTHY_RATE) return verdict('degraded', `${percent(rate)} of its traffic succeeds.`);
  if (s.probes.failures > 0 && s.probes.failures * 2 >= s.probes.count) return verdict('degraded', `${s.probes.failures} of its last ${s.probes.count} probes failed.`);
  if (drivenBy === 'nothing' && !probe) return verdict('unknown', 'No probe and no traffic yet.');
  const healthy: Record<Verdict['drivenBy'], string> = {
    'traffic and probes': 'Answers its probes and its traffic.',
    probes: 'Answers its probes; no traffic reaches it.',
    traffic: 'Its traffic succeeds.',
    nothing: 'Its last probe succeeded; nothing has reached it since.',
  };
  return verdict('healthy', healthy[drivenBy]);
}
