import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceProblems, type EstateNames } from './check';
import { formatPath } from './schema';

const estate: EstateNames = {
  providers: ['openai', 'anthropic'],
  regions: ['us-east'],
  targets: ['gpt4o-us'],
  services: ['support-bot'],
  credentials: [{ name: 'openai-prod', provider: 'openai' }, { name: 'anthropic-prod', provider: 'anthropic' }],
};

const problemsOf = (raw: unknown, prune = false) => referenceProblems(raw, estate, { prune }).map((p) => `${formatPath(p.path)}: ${p.message}`);

const targetOf = (extra: Record<string, unknown> = {}) => ({ name: 'gpt4o-eu', provider: 'openai', region: 'us-east', ...extra });

test('references resolve in the file or, without prune, in the estate', () => {
  assert.deepEqual(problemsOf({ targets: [targetOf()], services: [{ name: 'new-svc', chain: [{ target: 'gpt4o-us' }, { target: 'gpt4o-eu' }] }] }), []);
});

test('unknown provider, region and chain target are each reported at their path', () => {
  const problems = problemsOf({ targets: [targetOf({ provider: 'mistral', region: 'mars-1' })], services: [{ name: 's1', chain: [{ target: 'gpt4o-eu' }, { target: 'nope' }] }] });
  assert.equal(problems.length, 3);
  assert.match(problems[0], /^targets\[0\]\.provider: Unknown provider "mistral"/);
  assert.match(problems[1], /^targets\[0\]\.region: Unknown region "mars-1"/);
  assert.match(problems[2], /^services\[0\]\.chain\[1\]\.target: Unknown target "nope"/);
});

test('duplicate names in a section, and a target twice in one chain, are refused', () => {
  const problems = problemsOf({
    regions: [{ code: 'eu-west' }, { code: 'eu-west' }],
    targets: [targetOf(), targetOf()],
    services: [{ name: 's1', chain: [{ target: 'gpt4o-us' }, { target: 'gpt4o-us' }] }],
  });
  assert.deepEqual(problems.map((p) => p.split(':')[0]), ['regions[1].code', 'targets[1].name', 'services[0].chain[1].target']);
  assert.match(problems[0], /already declared at regions\[0\]/);
});

test('credentials must exist in Standby with the provider the file names, and be listed before a target uses them', () => {
  const problems = problemsOf({
    credentials: [{ name: 'openai-prod', provider: 'anthropic' }, { name: 'made-up', provider: 'openai' }],
    targets: [targetOf({ name: 't1', credential: 'anthropic-prod' }), targetOf({ name: 't2', credential: 'ghost' })],
  });
  assert.deepEqual(problems.map((p) => p.split(':')[0]), ['credentials[0].provider', 'credentials[1].name', 'targets[0].credential', 'targets[1].credential']);
  assert.match(problems[1], /No credential named "made-up" exists in Standby/);
  assert.match(problems[2], /not listed under credentials: add \{ name: anthropic-prod, provider: anthropic \}/);
  assert.match(problems[3], /Unknown credential "ghost"/);
});

test("a target cannot use another provider's credential", () => {
  const problems = problemsOf({ credentials: [{ name: 'anthropic-prod', provider: 'anthropic' }], targets: [targetOf({ credential: 'anthropic-prod' })] });
  assert.deepEqual(problems, ['targets[0].credential: Credential "anthropic-prod" belongs to provider "anthropic", but this target\'s provider is "openai".']);
});

test('with prune, the estate no longer resolves references, and a provider with credentials cannot be pruned', () => {
  const problems = problemsOf({ providers: [{ name: 'openai' }], regions: [{ code: 'us-east' }], targets: [targetOf()], services: [{ name: 's1', chain: [{ target: 'gpt4o-us' }] }] }, true);
  assert.equal(problems.length, 2);
  assert.match(problems[0], /^services\[0\]\.chain\[0\]\.target: Unknown target "gpt4o-us": declare it under targets \(with prune/);
  assert.match(problems[1], /^providers: Provider "anthropic" is not in the file, so prune would remove it, but credential "anthropic-prod" belongs to it/);
});

test('malformed input is skipped here (the schema reports it), never thrown on', () => {
  for (const raw of [null, 'text', 42, [], { targets: 'x' }, { targets: [null, 1, { provider: 7 }] }, { services: [{ chain: 'x' }, { chain: [null, { target: {} }] }] }]) {
    assert.deepEqual(problemsOf(raw), []);
  }
});

test("a service's degraded target must resolve like a chain target", () => {
  assert.deepEqual(problemsOf({ services: [{ name: 's1', degradation: { degradedTarget: 'gpt4o-us' } }] }), []);
  assert.deepEqual(problemsOf({ targets: [targetOf()], services: [{ name: 's1', degradation: { degradedTarget: 'gpt4o-eu' } }] }), []);
  const problems = problemsOf({ services: [{ name: 's1', degradation: { degradedTarget: 'mini-gone' } }, { name: 's2', degradation: 'x' }] });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^services\[0\]\.degradation\.degradedTarget: Unknown target "mini-gone"/);
});
