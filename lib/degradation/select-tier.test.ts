import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TIER_THRESHOLDS } from './defaults';
import { rawTier, selectTier, type TierState } from './select-tier';
import type { Tier } from '@/lib/routing/enums';

// Defaults: Degraded below 1, Minimal below 0.5, Emergency at 0 (nothing can serve), hysteresis 0.1, hold 60 s.
const T = DEFAULT_TIER_THRESHOLDS;
const T0 = 1_800_000_000_000;
const s = (seconds: number) => T0 + seconds * 1_000;
const at = (tier: Tier, pendingTier: Tier | null = null, pendingSince: number | null = null): TierState => ({ tier, pendingTier, pendingSince });

/** Feeds a series of [seconds, D] readings through selectTier, returning the state after each. */
function run(start: TierState, readings: [number, number | null][], thresholds = T) {
  const states: TierState[] = [];
  let state = start;
  for (const [seconds, level] of readings) {
    state = selectTier(level, thresholds, state, s(seconds));
    states.push(state);
  }
  return states;
}

describe('rawTier', () => {
  const table: [number | null, Tier][] = [
    [0, 'emergency'], [0.001, 'minimal'], [0.049, 'minimal'], [0.05, 'minimal'], [0.3, 'minimal'], [0.499, 'minimal'], [0.5, 'degraded'],
    [0.75, 'degraded'], [0.999, 'degraded'], [1, 'full'], [2.5, 'full'], [null, 'full'],
  ];
  for (const [level, tier] of table) {
    it(`D = ${level} is ${tier}`, () => assert.equal(rawTier(level, T), tier));
  }
});

describe('selectTier', () => {
  it('takes a worse tier at once, however far it falls, and drops any pending recovery', () => {
    assert.deepEqual(selectTier(0.7, T, at('full'), s(0)), at('degraded'));
    assert.deepEqual(selectTier(0.3, T, at('full'), s(0)), at('minimal'));
    assert.deepEqual(selectTier(0, T, at('degraded', 'full', s(-30)), s(0)), at('emergency'));
    assert.deepEqual(selectTier(0.4, T, at('degraded', 'full', s(-30)), s(0)), at('minimal'));
  });

  it('stays put while D stays in the same tier, and clears a pending recovery', () => {
    assert.deepEqual(selectTier(1.5, T, at('full'), s(0)), at('full'));
    assert.deepEqual(selectTier(0.8, T, at('degraded', 'full', s(-10)), s(0)), at('degraded'));
  });

  it('needs the threshold plus the hysteresis before a better tier is even considered', () => {
    // table: [from, D, expected state]; the hysteresis band is [threshold, threshold + 0.1).
    const table: [Tier, number, TierState][] = [
      ['degraded', 1.0, at('degraded')],
      ['degraded', 1.09, at('degraded')],
      ['degraded', 1.1, at('degraded', 'full', s(0))],
      ['minimal', 0.55, at('minimal')],
      ['minimal', 0.6, at('minimal', 'degraded', s(0))],
      ['emergency', 0.05, at('emergency')],
      ['emergency', 0.1, at('emergency', 'minimal', s(0))],
      ['emergency', 0.65, at('emergency', 'degraded', s(0))],
      ['emergency', 1.2, at('emergency', 'full', s(0))],
      ['minimal', 1.05, at('minimal', 'degraded', s(0))], // full is in its band, degraded is cleared
    ];
    for (const [from, level, expected] of table) {
      assert.deepEqual(selectTier(level, T, at(from), s(0)), expected, `${from} at D = ${level}`);
    }
  });

  it('takes the better tier only after D has held it for holdSeconds', () => {
    const states = run(at('degraded'), [[0, 1.2], [30, 1.3], [59, 1.15], [60, 1.2]]);
    assert.deepEqual(states.map((x) => x.tier), ['degraded', 'degraded', 'degraded', 'full']);
    assert.deepEqual(states[2], at('degraded', 'full', s(0)), 'the hold keeps its start while D stays clear');
    assert.deepEqual(states[3], at('full'));
  });

  it('restarts the hold after a dip, even one that stays in the same raw tier', () => {
    // 1.05 is above the threshold (raw Full) but inside the hysteresis band: it counts as a dip.
    const states = run(at('degraded'), [[0, 1.2], [40, 1.05], [50, 1.2], [100, 1.2], [110, 1.2]]);
    assert.deepEqual(
      states.map((x) => [x.tier, x.pendingTier, x.pendingSince]),
      [['degraded', 'full', s(0)], ['degraded', null, null], ['degraded', 'full', s(50)], ['degraded', 'full', s(50)], ['full', null, null]],
    );
  });

  it('does not flap when D hovers around a threshold', () => {
    // D wobbles around 1 (Degraded below 1) every two seconds for ten minutes.
    const wobble = [0.95, 1.05, 0.98, 1.09, 0.99, 1.02];
    const readings = Array.from({ length: 300 }, (_, i): [number, number] => [i * 2, wobble[i % wobble.length]]);
    const states = run(at('full'), readings);
    const changes = states.filter((x, i) => x.tier !== (i === 0 ? 'full' : states[i - 1].tier)).length;
    assert.equal(changes, 1, 'one step down, then it stays Degraded');
    assert.equal(states.at(-1)!.tier, 'degraded');
  });

  it('does not flap with no hysteresis either: the hold absorbs a D that keeps crossing the threshold', () => {
    const readings = Array.from({ length: 60 }, (_, i): [number, number] => [i * 10, i % 3 === 2 ? 0.9 : 1.2]);
    const states = run(at('degraded'), readings, { ...T, hysteresis: 0 });
    assert.ok(states.every((x) => x.tier === 'degraded'), 'a dip every 30 s keeps a 60 s hold from ever completing');
  });

  it('recovers from Degraded to Full and back down, each exactly once, when capacity really returns and is lost again', () => {
    const states = run(at('degraded'), [[0, 1.5], [30, 1.5], [60, 1.5], [90, 1.5], [92, 0.6], [94, 1.5]]);
    assert.deepEqual(states.map((x) => x.tier), ['degraded', 'degraded', 'full', 'full', 'degraded', 'degraded']);
  });

  it('climbs through the tier already pending before a better one, each after a full hold', () => {
    const states = run(at('emergency'), [[0, 0.2], [30, 1.5], [60, 1.5], [90, 1.5], [120, 1.5]]);
    assert.deepEqual(
      states.map((x) => [x.tier, x.pendingTier, x.pendingSince]),
      [
        ['emergency', 'minimal', s(0)],
        ['emergency', 'minimal', s(0)],
        ['minimal', 'full', s(60)],
        ['minimal', 'full', s(60)],
        ['full', null, null],
      ],
    );
  });

  it('restarts the hold at the lower tier when D falls back below the pending one', () => {
    const states = run(at('emergency'), [[0, 1.5], [30, 0.7], [60, 0.7], [90, 0.7]]);
    assert.deepEqual(states.map((x) => [x.tier, x.pendingTier, x.pendingSince]), [
      ['emergency', 'full', s(0)],
      ['emergency', 'degraded', s(30)],
      ['emergency', 'degraded', s(30)],
      ['degraded', null, null],
    ]);
  });

  it('with no hold time, a recovery past the hysteresis is taken at once', () => {
    assert.deepEqual(selectTier(1.2, { ...T, holdSeconds: 0 }, at('minimal'), s(0)), at('full'));
    assert.deepEqual(selectTier(1.05, { ...T, holdSeconds: 0 }, at('minimal'), s(0)), at('degraded'));
  });

  it('treats "nothing required" (null D) as enough capacity, still waiting out the hold', () => {
    assert.deepEqual(selectTier(null, T, at('emergency'), s(0)), at('emergency', 'full', s(0)));
    assert.deepEqual(selectTier(null, T, at('emergency', 'full', s(0)), s(60)), at('full'));
  });
});
