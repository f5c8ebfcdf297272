import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessCopy, classifyPart, type Manifest } from './parts';

const file = (path: string, sha = `sha-${path}`, sizeBytes = 100) => ({ path, sha256: sha, sizeBytes });

const llama: Manifest = {
  files: [
    file('config.json'), file('generation_config.json'), file('tokenizer.json'), file('tokenizer_config.json'), file('special_tokens_map.json'),
    file('model-00001-of-00003.safetensors', 'a', 5e9), file('model-00002-of-00003.safetensors', 'b', 5e9), file('model-00003-of-00003.safetensors', 'c', 4e9),
    file('model.safetensors.index.json'), file('README.md'), file('prompts/support-system.txt'),
  ],
  chatTemplate: 'tokenizer_config.json',
  shardIndex: { file: 'model.safetensors.index.json', shards: ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors'] },
};
const without = (m: Manifest, path: string): Manifest => ({ ...m, files: m.files.filter((f) => f.path !== path) });

test('files of a Hugging Face folder are told apart by name', () => {
  assert.equal(classifyPart('model-00001-of-00030.safetensors'), 'weights');
  assert.equal(classifyPart('model.safetensors.index.json'), 'weights');
  assert.equal(classifyPart('tokenizer.model'), 'tokenizer');
  assert.equal(classifyPart('config.json'), 'model_config');
  assert.equal(classifyPart('generation_config.json'), 'generation_config');
  assert.equal(classifyPart('chat_template.jinja'), 'chat_template');
  assert.equal(classifyPart('adapter_model.safetensors'), 'adapter');
  assert.equal(classifyPart('quantize_config.json'), 'quantization');
  assert.equal(classifyPart('vllm-args.json'), 'serving_args');
  assert.equal(classifyPart('prompts/refund.prompt'), 'prompt_template');
  assert.equal(classifyPart('prompts/support-system.txt'), 'system_prompt');
  assert.equal(classifyPart('README.md'), 'other');
});

test('a complete copy whose checksums match what serves is restorable', () => {
  const result = assessCopy(llama, llama);
  assert.deepEqual(result.problems, []);
  assert.equal(result.restorable, true);
});

test('a copy without its tokenizer is not restorable, and says so', () => {
  const result = assessCopy(without(llama, 'tokenizer.json'), llama);
  assert.equal(result.restorable, false);
  assert.equal(result.complete, false);
  assert.deepEqual(result.problems.map((p) => p.message), ['tokenizer.json missing: without its tokenizer the model produces gibberish']);
});

test('a file that differs from what serves is named', () => {
  const changed = { ...llama, files: llama.files.map((f) => (f.path === 'config.json' ? { ...f, sha256: 'other' } : f)) };
  const result = assessCopy(changed, llama);
  assert.equal(result.restorable, false);
  assert.equal(result.complete, true);
  assert.deepEqual(result.problems.map((p) => p.message), ['config.json differs from what serves']);
});

test('a missing shard is found from its series and from the index, weights alone are not enough', () => {
  const result = assessCopy(without(llama, 'model-00002-of-00003.safetensors'), null);
  assert.ok(result.problems.some((p) => p.message.startsWith('model-00002-of-00003.safetensors missing')));
  const weightsOnly = assessCopy({ files: llama.files.filter((f) => f.path.endsWith('.safetensors')), chatTemplate: null, shardIndex: null }, null);
  assert.deepEqual(weightsOnly.problems.filter((p) => p.problem === 'missing').map((p) => p.path), ['tokenizer.json', 'config.json']);
});

test('without a deployed version a copy cannot be called restorable', () => {
  const result = assessCopy(llama, null);
  assert.equal(result.complete, true);
  assert.equal(result.matches, null);
  assert.equal(result.restorable, false);
  assert.match(result.problems[0].message, /No deployed version/);
});

test('a chat template in tokenizer_config.json that the copy lost, and a part an admin requires', () => {
  const lost = assessCopy({ ...llama, chatTemplate: null }, llama, [{ path: 'serving.json', kind: 'serving_args', note: 'vLLM flags' }]);
  assert.deepEqual(lost.problems.map((p) => p.message), [
    'chat template (tokenizer_config.json: chat_template) missing: without its chat template the model answers in the wrong format',
    'serving.json missing: serving arguments required (vLLM flags)',
  ]);
});

test('the deployed system prompt missing from the copy is named with why it matters', () => {
  const result = assessCopy(without(llama, 'prompts/support-system.txt'), llama);
  assert.deepEqual(result.problems.map((p) => p.message), ['prompts/support-system.txt missing: without its system prompt the model gives wrong answers']);
});
