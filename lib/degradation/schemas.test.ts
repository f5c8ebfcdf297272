import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldErrorsOf } from '@/lib/server/errors';
import { DEFAULT_TIER_POLICY } from '@/lib/routing/defaults';
import { DEFAULT_TIER_THRESHOLDS } from './defaults';
import { degradationPolicyInput, setTierOverrideInput } from './schemas';

const SERVICE = '00000000-0000-4000-8000-000000000001';
const errorsOf = (result: { success: boolean; error?: Parameters<typeof fieldErrorsOf>[0] }) => (result.success ? {} : fieldErrorsOf(result.error!));
const policy = (extra: Record<string, unknown> = {}) => ({ serviceId: SERVICE, version: 1, ...DEFAULT_TIER_THRESHOLDS, ...DEFAULT_TIER_POLICY, ...extra });

describe('setTierOverrideInput', () => {
  it('takes a preset expiry or none ("until cleared")', () => {
    const base = { serviceId: SERVICE, expectedVersion: 3, tier: 'minimal', reason: 'shed load' };
    assert.equal(setTierOverrideInput.parse({ ...base, expiresInMinutes: '240' }).expiresInMinutes, 240);
    assert.equal(setTierOverrideInput.parse({ ...base, expiresInMinutes: 'none' }).expiresInMinutes, undefined);
    assert.deepEqual(Object.keys(errorsOf(setTierOverrideInput.safeParse({ ...base, tier: 'panic', reason: 'no', expiresInMinutes: 0 }))).sort(), ['expiresInMinutes', 'reason', 'tier']);
  });
});

describe('degradationPolicyInput', () => {
  it('accepts the defaults, so a service on defaults can be saved as is', () => {
    assert.ok(degradationPolicyInput.safeParse(policy()).success);
  });

  it('needs 0 < Minimal < Degraded ≤ 100%, reported on the field that is out of order', () => {
    const table: [Record<string, number>, string[]][] = [
      [{ minimalBelow: 0 }, ['minimalBelow']],
      [{ minimalBelow: 1 }, ['degradedBelow']],
      [{ minimalBelow: 0.5, degradedBelow: 0.5 }, ['degradedBelow']],
      [{ degradedBelow: 1.2 }, ['degradedBelow']],
      [{ hysteresis: -0.01 }, ['hysteresis']],
      [{ degradedBelow: 0.9, minimalBelow: 0.6, hysteresis: 0 }, []],
    ];
    for (const [extra, fields] of table) assert.deepEqual(Object.keys(errorsOf(degradationPolicyInput.safeParse(policy(extra)))).sort(), fields, JSON.stringify(extra));
  });

  it('checks that a regex rule compiles, and not a contains rule', () => {
    const rules = [
      { match: 'regex', pattern: '^(reset|forgot) (my )?password', answer: 'a' },
      { match: 'regex', pattern: '[unclosed', answer: 'b' },
      { match: 'contains', pattern: '[unclosed', answer: 'c' },
    ];
    const errors = errorsOf(degradationPolicyInput.safeParse(policy({ rules })));
    assert.deepEqual(Object.keys(errors), ['rules.1.pattern']);
    assert.match(errors['rules.1.pattern'][0], /^This regular expression does not compile: /);
  });

  it('refuses a regex that could backtrack catastrophically, saying why', () => {
    const rules = [{ match: 'regex', pattern: '^(\\w+\\s?)*$', answer: 'a' }, { match: 'contains', pattern: '(a+)+', answer: 'b' }];
    const errors = errorsOf(degradationPolicyInput.safeParse(policy({ rules })));
    assert.deepEqual(Object.keys(errors), ['rules.0.pattern']);
    assert.match(errors['rules.0.pattern'][0], /could stall the gateway: it repeats a group that itself repeats/);
  });

  it('reads form values: an empty degraded target is none, checkbox strings are booleans', () => {
    const parsed = degradationPolicyInput.parse(policy({ degradedTargetId: '', queueEnabled: 'on', plannedRpm: '600' }));
    assert.deepEqual([parsed.degradedTargetId, parsed.queueEnabled, parsed.plannedRpm], [null, true, 600]);
    assert.equal(degradationPolicyInput.parse(policy({ queueEnabled: 'false' })).queueEnabled, false);
  });
});
