import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EstateNames } from './check';
import { computeConfigDiff } from './diff';
import { parseConfigText, serializeConfig } from './yaml';

const estate: EstateNames = { providers: [], regions: [], targets: [], services: [], credentials: [{ name: 'openai-prod', provider: 'openai' }] };

const FILE = `apiVersion: standby/v1
kind: RoutingConfig
providers:
  - name: openai
    kind: openai
    apiStyle: openai_chat
    baseUrl: null
    failureDomain: openai
  - name: local-vllm
    kind: self_hosted
    apiStyle: openai_chat
    baseUrl: http://vllm.internal:8000/v1
regions:
  - { code: us-east, name: US East }
  - { code: on-prem, name: On premises, enabled: false }
credentials:
  - { name: openai-prod, provider: openai }
targets:
  - name: gpt4o-us
    provider: openai
    region: us-east
    model: gpt-4o
    endpointUrl: https://api.openai.com/v1
    credential: openai-prod
    rpm: 500
    tpm: 300000
    contextWindow: 128000
    price: { inPerMTok: 2.5, outPerMTok: 10 }
    qualityClass: frontier
    breaker: { failureRate: 0.3, openMs: 30000 }
  - name: llama-onprem
    provider: local-vllm
    region: on-prem
    model: llama-3.1-70b
    endpointUrl: http://vllm.internal:8000/v1
    rpm: 100
    tpm: 100000
    contextWindow: 8192
    price: { inPerMTok: 0, outPerMTok: 0 }
    qualityClass: standard
services:
  - name: support-bot
    owner: support-team
    chain:
      - target: gpt4o-us
        failoverOn: [server_error, rate_limited]
        latencyLimitMs: ~
        retries: { max: 1 }
      - target: llama-onprem
        failoverOn: []
        timeouts: { totalMs: 60000 }
`;

function parsed(text = FILE) {
  const result = parseConfigText(text, estate, { prune: false });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  return result.doc;
}

test('a hand-written file parses, with defaults filled in and nulls for unset options', () => {
  const doc = parsed();
  assert.equal(doc.providers[0].baseUrl, null);
  assert.equal(doc.targets[0].breaker.failureRate, 0.3);
  assert.equal(doc.targets[0].breaker.minimumRequests, 10, 'the database default');
  assert.equal(doc.targets[1].credential, null);
  assert.deepEqual(doc.services[0].chain[0].failoverOn, ['rate_limited', 'server_error']);
  assert.deepEqual(doc.services[0].chain[0].retries, { max: 1, baseBackoffMs: 200, maxBackoffMs: 5000 });
  assert.equal(doc.services[0].chain[1].timeouts.totalMs, 60000);
  assert.equal(doc.services[0].chain[1].latencyLimitMs, null);
});

test('what is written reads back as the same configuration: no changes', () => {
  const doc = parsed();
  const written = serializeConfig(doc, ['header']);
  const again = parsed(written);
  assert.deepEqual(again, { ...doc, providers: [...doc.providers].sort((a, b) => a.name.localeCompare(b.name)), regions: [...doc.regions].sort((a, b) => a.code.localeCompare(b.code)) });
  assert.deepEqual(computeConfigDiff(doc, again), []);
});

test('writing is stable: sorted entries, fixed field order, comments, no nulls', () => {
  const doc = parsed();
  const written = serializeConfig(doc, ['Standby routing configuration']);
  assert.equal(serializeConfig({ ...doc, targets: [...doc.targets].reverse(), providers: [...doc.providers].reverse() }, ['Standby routing configuration']), written);
  assert.ok(written.startsWith('# Standby routing configuration\n'));
  assert.ok(written.indexOf('- name: gpt4o-us') < written.indexOf('- name: llama-onprem'), 'targets sorted by name');
  assert.ok(written.indexOf('- name: local-vllm') < written.indexOf('- name: openai'), 'providers sorted by name');
  assert.ok(!/: null\b/.test(written), written);
  assert.match(written, /failoverOn: \[rate_limited, server_error\]/);
  assert.match(written, /price: \{inPerMTok: 2\.5, outPerMTok: 10\}/);
  assert.match(written, /# References only: the secrets stay in Standby/);
});

test('a YAML syntax error is reported with its line, and nothing else is checked', () => {
  const result = parseConfigText('apiVersion: standby/v1\nkind: RoutingConfig\nproviders:\n  - name: [openai\n', estate, { prune: false });
  assert.ok(!result.ok);
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0].message, /^YAML syntax: /);
  assert.ok(result.problems[0].line && result.problems[0].line >= 4);
});

test('a repeated key is a syntax error, not a silent overwrite', () => {
  const result = parseConfigText('apiVersion: standby/v1\nkind: RoutingConfig\nkind: RoutingConfig\n', estate, { prune: false });
  assert.ok(!result.ok);
  assert.equal(result.problems[0].line, 3);
});

test('every schema and reference problem is listed at once, with its path and line, in line order', () => {
  const broken = FILE.replace('rpm: 500', 'rpm: -5')
    .replace('region: us-east', 'region: eu-west')
    .replace('target: llama-onprem', 'target: llama-gone')
    .replace('qualityClass: standard', 'qualityClass: standard\n    colour: blue');
  const result = parseConfigText(broken, estate, { prune: false });
  assert.ok(!result.ok);
  assert.deepEqual(
    result.problems.map((p) => [p.path, p.line]),
    [['targets[0].region', 21], ['targets[0].rpm', 25], ['targets[1].colour', 41], ['services[0].chain[1].target', 50]],
  );
  assert.match(result.problems[1].message, /at least 1/);
  assert.equal(result.problems[2].message, 'Unknown field "colour".');
});

test('a missing field points at the entry that lacks it', () => {
  const result = parseConfigText(FILE.replace('    model: gpt-4o\n', ''), estate, { prune: false });
  assert.ok(!result.ok);
  assert.deepEqual(result.problems.map((p) => [p.path, p.line]), [['targets[0].model', 19]]);
});

test('an empty file, the wrong apiVersion, and a list instead of a mapping are explained', () => {
  const problems = (text: string) => {
    const result = parseConfigText(text, estate, { prune: false });
    assert.ok(!result.ok);
    return result.problems.map((p) => `${p.path}: ${p.message}`);
  };
  assert.match(problems('')[0], /The file is empty/);
  assert.match(problems('# only a comment\n')[0], /The file is empty/);
  assert.deepEqual(problems('apiVersion: standby/v2\nkind: RoutingConfig\n'), ['apiVersion: Write apiVersion: standby/v1.']);
  assert.match(problems('- a\n- b\n')[0], /must be a YAML mapping/);
});

const WITH_POLICY = FILE.replace(
  '    breaker: { failureRate: 0.3, openMs: 30000 }\n',
  '    breaker: { failureRate: 0.3, openMs: 30000, consecutiveFailures: 3 }\n    declaredAvailability: 99.9\n',
).replace(
  '  - name: support-bot\n    owner: support-team\n',
  `  - name: support-bot
    owner: support-team
    slo: { target: 99.95 }
    degradation:
      plannedRpm: 300
      thresholds: { minimalBelow: 0.4 }
      degradedTarget: llama-onprem
      rules:
        - { answer: We open at nine., pattern: opening hours, match: contains }
        - { match: regex, pattern: "^(hi|hello)\\\\b", answer: Hello! }
      queueEnabled: false
`,
);

test('SLO, declared availability and degradation policy parse, with defaults for what is left out', () => {
  const doc = parsed(WITH_POLICY);
  assert.equal(doc.targets[0].declaredAvailability, 99.9);
  assert.equal(doc.targets[1].declaredAvailability, null, 'left out: none');
  assert.equal(doc.targets[0].breaker.consecutiveFailures, 3);
  assert.equal(doc.targets[1].breaker.consecutiveFailures, 5, 'the database default');
  const [service] = doc.services;
  assert.deepEqual(service.slo, { target: 99.95, windowDays: 30 });
  assert.equal(service.degradation.plannedRpm, 300);
  assert.deepEqual(service.degradation.thresholds, { degradedBelow: 1, minimalBelow: 0.4, hysteresis: 0.1, holdSeconds: 60 });
  assert.equal(service.degradation.degradedTarget, 'llama-onprem');
  assert.deepEqual(service.degradation.rules[0], { match: 'contains', pattern: 'opening hours', answer: 'We open at nine.' }, 'fields in a fixed order');
  assert.equal(service.degradation.rules[1].pattern, '^(hi|hello)\\b');
  assert.equal(service.degradation.retryAfterSeconds, 30);
  assert.equal(service.degradation.queueEnabled, false);
  assert.equal(service.degradation.maintenanceMessage, 'This service is in emergency maintenance. Please retry later.');
});

test('a file written before tiers followed measured demand says what became of its retired fields', () => {
  const old = WITH_POLICY.replace('      plannedRpm: 300\n', '      demandSource: configured\n      requiredRpm: 300\n').replace('{ minimalBelow: 0.4 }', '{ minimalBelow: 0.4, emergencyBelow: 0.05 }');
  const result = parseConfigText(old, estate, { prune: false });
  assert.ok(!result.ok);
  assert.deepEqual(result.problems.map((p) => p.path), ['services[0].degradation.demandSource', 'services[0].degradation.requiredRpm', 'services[0].degradation.thresholds.emergencyBelow']);
  assert.match(result.problems[1].message, /"requiredRpm" is now plannedRpm: .* never used to refuse requests/);
  assert.match(result.problems[2].message, /Emergency now means that no target can serve/);
});

test('a file without SLO or degradation gets the same values as an estate without policy rows', () => {
  const [service] = parsed().services;
  assert.deepEqual(service.slo, { target: 99.9, windowDays: 30 });
  assert.deepEqual(service.degradation, {
    plannedRpm: 60,
    thresholds: { degradedBelow: 1, minimalBelow: 0.5, hysteresis: 0.1, holdSeconds: 60 },
    degradedTarget: null, degradedMaxTokens: 512, cacheTtlSeconds: 3600, rules: [], retryAfterSeconds: 30,
    maintenanceMessage: 'This service is in emergency maintenance. Please retry later.', queueEnabled: true, queueTtlSeconds: 86_400,
  });
});

test('the new fields round-trip: written, read back, no changes', () => {
  const doc = parsed(WITH_POLICY);
  const written = serializeConfig(doc);
  assert.match(written, /slo: \{target: 99\.95, windowDays: 30\}/);
  assert.match(written, /declaredAvailability: 99\.9\n/);
  assert.ok(!/: null\b/.test(written), written);
  assert.deepEqual(computeConfigDiff(doc, parsed(written)), []);
});

test('limits that follow the target: written only when asked for, read back the same, refused below 1.5 × p99', () => {
  const doc = parsed(FILE.replace('retries: { max: 1 }', 'retries: { max: 1 }\n        adaptiveLimits: { multiplier: 4 }'));
  assert.deepEqual(doc.services[0].chain[0].adaptiveLimits, { multiplier: 4, floorMs: 1000 });
  assert.deepEqual(doc.services[0].chain[1].adaptiveLimits, { multiplier: null, floorMs: 1000 }, 'fixed by default');
  const written = serializeConfig(doc);
  assert.match(written, /adaptiveLimits: \{multiplier: 4, floorMs: 1000\}/);
  assert.equal(written.match(/adaptiveLimits/g)?.length, 1, 'the fixed default is left out');
  assert.deepEqual(computeConfigDiff(doc, parsed(written)), []);
  const refused = parseConfigText(FILE.replace('retries: { max: 1 }', 'retries: { max: 1 }\n        adaptiveLimits: { multiplier: 1 }'), estate, { prune: false });
  assert.ok(!refused.ok);
  assert.match(refused.problems.map((p) => `${p.path}: ${p.message}`).join('\n'), /services\[0\]\.chain\[0\]\.adaptiveLimits\.multiplier: The multiple of p99 must be at least 1\.5/);
});

test('percentages typed as fractions, a 100% SLO, disordered thresholds and a broken regex are each refused at their path', () => {
  const broken = WITH_POLICY.replace('declaredAvailability: 99.9', 'declaredAvailability: 0.999')
    .replace('slo: { target: 99.95 }', 'slo: { target: 100, windowDays: 0 }')
    .replace('thresholds: { minimalBelow: 0.4 }', 'thresholds: { minimalBelow: 0 }')
    .replace('"^(hi|hello)\\\\b"', '"(unclosed"')
    .replace('degradedTarget: llama-onprem', 'degradedTarget: llama-gone');
  const result = parseConfigText(broken, estate, { prune: false });
  assert.ok(!result.ok);
  const byPath = Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
  assert.match(byPath['targets[0].declaredAvailability'], /as a percentage of time, e\.g\. 99\.9/);
  assert.match(byPath['services[0].slo.target'], /An SLO of 100% leaves no error budget/);
  assert.match(byPath['services[0].slo.windowDays'], /at least 1/);
  assert.match(byPath['services[0].degradation.thresholds.minimalBelow'], /The Minimal threshold must be above 0: D is 0 only when nothing can serve/);
  assert.match(byPath['services[0].degradation.rules[1].pattern'], /does not compile/);
  assert.match(byPath['services[0].degradation.degradedTarget'], /Unknown target "llama-gone"/);
  assert.equal(result.problems.length, 6, JSON.stringify(result.problems));
});

test("the reference's example file (docs/configuration.md) is valid and reads back unchanged", () => {
  const section = readFileSync(path.join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(example, 'the reference has a YAML example');
  const readmeEstate: EstateNames = { ...estate, credentials: [{ name: 'openai-prod', provider: 'openai' }, { name: 'anthropic-prod', provider: 'anthropic' }] };
  const result = parseConfigText(example, readmeEstate, { prune: false });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  const [service] = result.doc.services;
  assert.equal(service.degradation.degradedTarget, 'claude-haiku-us-east');
  assert.equal(result.doc.targets.find((t) => t.name === 'gpt-4o-us-east')?.declaredAvailability, 99.9);
  const again = parseConfigText(serializeConfig(result.doc), readmeEstate, { prune: false });
  assert.ok(again.ok);
  assert.deepEqual(computeConfigDiff(result.doc, again.doc), []);
});
