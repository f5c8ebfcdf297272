// A folder laid out like a Hugging Face model, generated for tests and the
// benchmark: real safetensors shards (an 8-byte header length, a JSON header
// naming the tensors, then their bytes), the shard index, config and
// generation config, a tokenizer with its config and chat template, special
// tokens, a system prompt and a README. The weights are random bytes: what
// matters here is their size and checksums, not what they compute.
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

export type ModelFolderOptions = { shards?: number; shardBytes?: number; withTokenizer?: boolean };

const BLOCK = 4 * 1024 * 1024;

function writeShard(file: string, index: number, bytes: number) {
  const tensors = 4;
  const per = Math.floor(bytes / tensors / 2) * 2;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let t = 0; t < tensors; t += 1) header[`model.layers.${index}.mlp.w${t}.weight`] = { dtype: 'BF16', shape: [per / 2], data_offsets: [t * per, (t + 1) * per] };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, length);
    writeSync(fd, json);
    const block = Buffer.allocUnsafe(BLOCK);
    for (let left = per * tensors; left > 0; left -= BLOCK) {
      const n = Math.min(BLOCK, left);
      randomFillSync(block, 0, n);
      writeSync(fd, block, 0, n);
    }
  } finally {
    closeSync(fd);
  }
  return Object.keys(header).filter((k) => k !== '__metadata__');
}

/** Writes the folder and returns the names of its files. */
export function generateModelFolder(dir: string, options: ModelFolderOptions = {}): string[] {
  const shards = options.shards ?? 4;
  const shardBytes = options.shardBytes ?? 64 * 1024 * 1024;
  mkdirSync(path.join(dir, 'prompts'), { recursive: true });
  const write = (name: string, content: string | object) => writeFileSync(path.join(dir, name), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  const weightMap: Record<string, string> = {};
  for (let i = 1; i <= shards; i += 1) {
    const name = `model-${String(i).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    for (const tensor of writeShard(path.join(dir, name), i, shardBytes)) weightMap[tensor] = name;
  }
  write('model.safetensors.index.json', { metadata: { total_size: shards * shardBytes }, weight_map: weightMap });
  write('config.json', { architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 8192, num_hidden_layers: 80, num_attention_heads: 64, vocab_size: 128256, torch_dtype: 'bfloat16' });
  write('generation_config.json', { bos_token_id: 128000, eos_token_id: [128001, 128008, 128009], temperature: 0.6, top_p: 0.9 });
  if (options.withTokenizer !== false) {
    const vocab: Record<string, number> = {};
    for (let i = 0; i < 60_000; i += 1) vocab[`tok${i.toString(36)}`] = i;
    write('tokenizer.json', { version: '1.0', model: { type: 'BPE', vocab, merges: [] }, added_tokens: [] });
  }
  write('tokenizer_config.json', {
    bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>', model_max_length: 131072,
    chat_template: "{% for message in messages %}<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n{{ message['content'] }}<|eot_id|>{% endfor %}",
  });
  write('special_tokens_map.json', { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' });
  write('prompts/support-system.txt', 'You are the help centre assistant. Answer from the articles; say when you do not know.\n');
  write('README.md', '# test-llama\n\nGenerated for Standby tests.\n');
  return [
    ...Array.from({ length: shards }, (_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`),
    'model.safetensors.index.json', 'config.json', 'generation_config.json', ...(options.withTokenizer !== false ? ['tokenizer.json'] : []),
    'tokenizer_config.json', 'special_tokens_map.json', 'prompts/support-system.txt', 'README.md',
  ];
}

export const removeFolder = (dir: string) => rmSync(dir, { recursive: true, force: true });
