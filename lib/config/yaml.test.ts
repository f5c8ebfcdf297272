import { test } from 'node:test';
import assert from 'node:assert/strict';
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
