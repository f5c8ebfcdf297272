// What a model is made of, and whether a copy of it can be restored. Pure
// (parts.test.ts). Defaults follow the Hugging Face layout: weights (one file
// or shards with their index), the tokenizer, the model's config, its
// generation config and chat template; adapters, quantization settings,
// serving arguments, prompt templates and system prompts when the model
// has them. A copy is restorable only when it is complete and every file of
// the deployed version is in it with the same checksum: a model restored
// without its tokenizer produces gibberish, one without its templates gives
// wrong answers, weights alone are useless.
import type { ModelPartKind } from '@/lib/server/generated/prisma/enums';

export type { ModelPartKind };

export type ManifestFile = { path: string; sha256: string; sizeBytes: number };

/** What a scan (or a backup job) found in a model's folder. */
export type Manifest = {
  files: ManifestFile[];
  /** Where the chat template is: a file of its own, or tokenizer_config.json's chat_template; null when there is none. */
  chatTemplate: string | null;
  /** The weight files a shard index names (model.safetensors.index.json), when there is one. */
  shardIndex: { file: string; shards: string[] } | null;
};

export const PART_KINDS = [
  'weights', 'tokenizer', 'model_config', 'generation_config', 'chat_template', 'adapter', 'quantization', 'serving_args', 'prompt_template', 'system_prompt', 'other',
] as const satisfies readonly ModelPartKind[];

export const PART_KIND_LABELS: Record<ModelPartKind, string> = {
  weights: 'Weights',
  tokenizer: 'Tokenizer',
  model_config: 'Model config',
  generation_config: 'Generation config',
  chat_template: 'Chat template',
  adapter: 'Adapter',
  quantization: 'Quantization settings',
  serving_args: 'Serving arguments',
  prompt_template: 'Prompt template',
  system_prompt: 'System prompt',
  other: 'Other',
};

const WEIGHT_EXTENSIONS = /\.(safetensors|bin|gguf|pt|pth|ckpt|onnx|h5|msgpack)$/i;
const TOKENIZER_FILES = new Set(['tokenizer.json', 'tokenizer.model', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.json', 'merges.txt', 'added_tokens.json', 'vocab.txt', 'spiece.model']);
const QUANTIZATION_FILES = new Set(['quantize_config.json', 'quant_config.json', 'quantization_config.json', 'hqq_config.json']);
const SERVING_FILES = new Set(['serving.json', 'serving.yaml', 'vllm-args.json', 'vllm.yaml', 'tgi.env', 'serve_args.json']);
const CHAT_TEMPLATE_FILES = new Set(['chat_template.jinja', 'chat_template.json']);
/** Files a folder has that restoring does not need. */
const INCIDENTAL = /(^|\/)(readme(\.md)?|license(\.txt|\.md)?|notice|\.gitattributes|\.gitignore|use_policy\.md)$/i;

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** The kind of a file of a model's folder, by its path. */
export function classifyPart(path: string): ModelPartKind {
  const name = baseName(path).toLowerCase();
  const lower = path.toLowerCase();
  if (INCIDENTAL.test(lower)) return 'other';
  if (name.startsWith('adapter_') || lower.includes('adapters/') || lower.includes('lora/')) return 'adapter';
  const promptish = /(^|\/)(prompts?|templates?)\//.test(lower) || /\.(prompt|txt|md|jinja)$/.test(name);
  if (/(^|\/)system[-_ ]?prompts?\//.test(lower) || (name.includes('system') && promptish)) return 'system_prompt';
  if (/(^|\/)prompts?\//.test(lower) || /\.(prompt|tmpl|mustache)$/.test(name) || name.includes('prompt_template')) return 'prompt_template';
  if (CHAT_TEMPLATE_FILES.has(name)) return 'chat_template';
  if (name.endsWith('.safetensors.index.json') || name.endsWith('.bin.index.json') || WEIGHT_EXTENSIONS.test(name)) return 'weights';
  if (TOKENIZER_FILES.has(name)) return 'tokenizer';
  if (name === 'config.json') return 'model_config';
  if (name === 'generation_config.json') return 'generation_config';
  if (QUANTIZATION_FILES.has(name)) return 'quantization';
  if (SERVING_FILES.has(name)) return 'serving_args';
  return 'other';
}

const isIndex = (path: string) => /\.(safetensors|bin)\.index\.json$/i.test(path);

/** model-00003-of-00004.safetensors → the four shard names of its series. */
function shardSeries(path: string): string[] | null {
  const match = /^(.*-)(\d+)-of-(\d+)(\.[^/]+)$/.exec(path);
  if (!match) return null;
  const [, stem, index, total, extension] = match;
  const count = Number(total);
  if (!(count >= 1 && count <= 10_000)) return null;
  return Array.from({ length: count }, (_, i) => `${stem}${String(i + 1).padStart(index.length, '0')}-of-${total}${extension}`);
}

/** A part the copy must hold, beyond the defaults: an admin's addition. */
export type RequiredPart = { path: string; kind: ModelPartKind; note?: string };

export type CopyProblem = { path: string; kind: ModelPartKind; problem: 'missing' | 'differs' | 'unverified'; message: string };

export type CopyAssessment = {
  restorable: boolean;
  complete: boolean;
  /** Every file of the deployed version is in the copy with the same checksum; null when no deployed version is known. */
  matches: boolean | null;
  problems: CopyProblem[];
  /** Worth knowing, not blocking: a base model without a chat template, files the deployed version no longer has. */
  notes: string[];
};

const WHY: Partial<Record<ModelPartKind, string>> = {
  tokenizer: 'without its tokenizer the model produces gibberish',
  model_config: 'the serving engine cannot load the weights without it',
  chat_template: 'without its chat template the model answers in the wrong format',
  prompt_template: 'without its prompt templates the model gives wrong answers',
  system_prompt: 'without its system prompt the model gives wrong answers',
  weights: 'nothing serves without its weights',
};

/**
 * Whether `copy` restores what serves (`deployed`, when known) with every
 * part required: the Hugging Face defaults, what the deployed version has,
 * and what an admin added.
 */
export function assessCopy(copy: Manifest, deployed: Manifest | null, required: readonly RequiredPart[] = []): CopyAssessment {
  const problems: CopyProblem[] = [];
  const notes: string[] = [];
  const have = new Map(copy.files.map((f) => [f.path, f]));
  const missing = (path: string, kind: ModelPartKind, extra?: string) => {
    if (problems.some((p) => p.path === path)) return;
    const why = extra ?? WHY[kind];
    problems.push({ path, kind, problem: 'missing', message: `${path} missing${why ? `: ${why}` : ''}` });
  };

  // Weights: at least one file, every shard of a series, every file the index names.
  const weights = copy.files.filter((f) => classifyPart(f.path) === 'weights' && !isIndex(f.path));
  if (weights.length === 0) missing('weights', 'weights', 'no weight files (*.safetensors, *.bin, *.gguf): nothing serves without them');
  for (const file of weights) for (const shard of shardSeries(file.path) ?? []) if (!have.has(shard)) missing(shard, 'weights', 'a shard of the weights');
  if (copy.shardIndex) for (const shard of copy.shardIndex.shards) if (!have.has(shard)) missing(shard, 'weights', `named by ${copy.shardIndex.file}`);

  // Tokenizer and config: the defaults every model needs.
  const paths = [...have.keys()];
  const hasName = (name: string) => paths.some((p) => baseName(p) === name);
  if (!hasName('tokenizer.json') && !hasName('tokenizer.model') && !hasName('spiece.model') && !(hasName('vocab.json') && hasName('merges.txt')) && !hasName('vocab.txt')) {
    missing('tokenizer.json', 'tokenizer');
  }
  if (!hasName('config.json') && !copy.files.some((f) => /\.gguf$/i.test(f.path))) missing('config.json', 'model_config');

  // What serves: every file (but the incidental ones) present, byte for byte.
  let matches: boolean | null = null;
  if (deployed) {
    matches = true;
    for (const file of deployed.files) {
      const kind = classifyPart(file.path);
      if (kind === 'other' && INCIDENTAL.test(file.path)) continue;
      const copied = have.get(file.path);
      if (!copied) {
        missing(file.path, kind);
        matches = false;
      } else if (copied.sha256 !== file.sha256 || copied.sizeBytes !== file.sizeBytes) {
        problems.push({ path: file.path, kind, problem: 'differs', message: `${file.path} differs from what serves` });
        matches = false;
      }
    }
    if (deployed.chatTemplate && copy.chatTemplate !== deployed.chatTemplate && !problems.some((p) => p.path === deployed.chatTemplate)) {
      missing(deployed.chatTemplate === 'tokenizer_config.json' ? 'chat template (tokenizer_config.json: chat_template)' : deployed.chatTemplate, 'chat_template');
      matches = false;
    }
    const extra = copy.files.filter((f) => !deployed.files.some((d) => d.path === f.path) && classifyPart(f.path) !== 'other');
    if (extra.length) notes.push(`${extra.length} file${extra.length === 1 ? '' : 's'} the deployed version does not have (${extra.slice(0, 3).map((f) => f.path).join(', ')}${extra.length > 3 ? ', …' : ''}): harmless, but check the copy is of this model.`);
  } else {
    problems.push({ path: '', kind: 'other', problem: 'unverified', message: 'No deployed version is known to compare checksums with: scan the serving folder with --deployed, or report it through the API.' });
  }
  if (!copy.chatTemplate && !(deployed && deployed.chatTemplate)) notes.push('No chat template: fine for a base model, not for a chat model.');

  for (const part of required) {
    if (!have.has(part.path)) missing(part.path, part.kind, `${PART_KIND_LABELS[part.kind].toLowerCase()} required${part.note ? ` (${part.note})` : ''}`);
  }

  const complete = !problems.some((p) => p.problem === 'missing');
  return { restorable: complete && matches === true && problems.length === 0, complete, matches, problems, notes };
}

/** Totals of a manifest. */
export function manifestSize(manifest: Pick<Manifest, 'files'>): { sizeBytes: number; fileCount: number } {
  return { sizeBytes: manifest.files.reduce((sum, f) => sum + f.sizeBytes, 0), fileCount: manifest.files.length };
}

/** A manifest's files grouped by kind, for the page. */
export function partsByKind(manifest: Pick<Manifest, 'files'>): Partial<Record<ModelPartKind, { count: number; sizeBytes: number }>> {
  const out: Partial<Record<ModelPartKind, { count: number; sizeBytes: number }>> = {};
  for (const f of manifest.files) {
    const kind = classifyPart(f.path);
    const entry = (out[kind] ??= { count: 0, sizeBytes: 0 });
    entry.count += 1;
    entry.sizeBytes += f.sizeBytes;
  }
  return out;
}
