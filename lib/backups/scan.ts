import 'server-only';
// Scans a model's folder into a manifest: every file with its SHA-256 and
// size, where the chat template is, and which shards the weight index names.
// A local folder is hashed on every core (hash-pool.ts); a copy in S3 is read
// through the AWS SDK, a few objects at a time, hashing as it streams.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { hashFiles, hashThreads } from './hash-pool';
import type { Manifest, ManifestFile } from './parts';
import { listObjects, parseS3Location, readObject, type S3Location } from './s3';

export type ScanProgress = { onStart?: (totalBytes: number, totalFiles: number) => void; onBytes?: (bytes: number) => void; onFile?: () => void };

/** Folders a model's files are never in (version control, caches of the hub client). */
const SKIPPED_DIRS = new Set(['.git', '.cache', '.huggingface', '__pycache__']);
const S3_PARALLEL = 4;
const MAX_SMALL_JSON = 16 * 1024 * 1024;

async function walk(root: string): Promise<{ path: string; sizeBytes: number }[]> {
  const out: { path: string; sizeBytes: number }[] = [];
  const visit = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await visit(full);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        // Hub snapshots are symbolic links into a blob store: follow them to the bytes.
        const info = await stat(full);
        if (info.isFile()) out.push({ path: path.relative(root, full).split(path.sep).join('/'), sizeBytes: info.size });
      }
    }
  };
  await visit(root);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** The chat template's place, and the shards the index names, from the small JSON files of the folder. */
export function findingsOf(files: readonly ManifestFile[], readJson: (path: string) => unknown): Pick<Manifest, 'chatTemplate' | 'shardIndex'> {
  const paths = new Set(files.map((f) => f.path));
  let chatTemplate: string | null = ['chat_template.jinja', 'chat_template.json'].find((p) => paths.has(p)) ?? null;
  if (!chatTemplate && paths.has('tokenizer_config.json')) {
    const config = readJson('tokenizer_config.json') as { chat_template?: unknown } | null;
    if (config && config.chat_template) chatTemplate = 'tokenizer_config.json';
  }
  const indexFile = files.find((f) => /\.(safetensors|bin)\.index\.json$/.test(f.path));
  let shardIndex: Manifest['shardIndex'] = null;
  if (indexFile) {
    const index = readJson(indexFile.path) as { weight_map?: Record<string, unknown> } | null;
    const dir = indexFile.path.includes('/') ? indexFile.path.slice(0, indexFile.path.lastIndexOf('/') + 1) : '';
    if (index?.weight_map) shardIndex = { file: indexFile.path, shards: [...new Set(Object.values(index.weight_map).filter((v): v is string => typeof v === 'string'))].map((s) => `${dir}${s}`).sort() };
  }
  return { chatTemplate, shardIndex };
}

const parseJson = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

async function scanLocal(root: string, progress: ScanProgress, threads?: number): Promise<Manifest> {
  const listed = await walk(root);
  progress.onStart?.(listed.reduce((s, f) => s + f.sizeBytes, 0), listed.length);
  const hashed = await hashFiles(listed.map((f) => ({ path: path.join(root, f.path), sizeBytes: f.sizeBytes })), {
    threads: threads ?? hashThreads(listed.length),
    onProgress: (bytes) => progress.onBytes?.(bytes),
  });
  const files = hashed.map((h, i) => {
    progress.onFile?.();
    return { path: listed[i].path, sha256: h.sha256, sizeBytes: h.sizeBytes };
  });
  const small = new Map<string, string | null>();
  for (const f of files) {
    if (f.sizeBytes <= MAX_SMALL_JSON && /(^|\/)(tokenizer_config\.json|[^/]+\.index\.json)$/.test(f.path)) small.set(f.path, await readFile(path.join(root, f.path), 'utf8').catch(() => null));
  }
  return { files, ...findingsOf(files, (p) => parseJson(small.get(p) ?? null)) };
}

async function hashObject(location: S3Location, file: string, onBytes: (bytes: number) => void, keepText: boolean): Promise<{ sha256: string; sizeBytes: number; text: string | null }> {
  const body = await readObject(location, file);
  const hash = createHash('sha256');
  let size = 0;
  const kept: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    onBytes(chunk.length);
    if (keepText) kept.push(chunk);
  }
  return { sha256: hash.digest('hex'), sizeBytes: size, text: keepText ? Buffer.concat(kept).toString('utf8') : null };
}

async function scanS3(location: S3Location, progress: ScanProgress): Promise<Manifest> {
  const listed = await listObjects(location);
  progress.onStart?.(listed.reduce((s, f) => s + f.sizeBytes, 0), listed.length);
  const files: ManifestFile[] = new Array(listed.length);
  const small = new Map<string, string | null>();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(S3_PARALLEL, listed.length) }, async () => {
      for (let i = next++; i < listed.length; i = next++) {
        const f = listed[i];
        const keep = f.sizeBytes <= MAX_SMALL_JSON && /(^|\/)(tokenizer_config\.json|[^/]+\.index\.json)$/.test(f.path);
        const result = await hashObject(location, f.path, (bytes) => progress.onBytes?.(bytes), keep);
        if (keep) small.set(f.path, result.text);
        files[i] = { path: f.path, sha256: result.sha256, sizeBytes: result.sizeBytes };
        progress.onFile?.();
      }
    }),
  );
  return { files, ...findingsOf(files, (p) => parseJson(small.get(p) ?? null)) };
}

/** A local folder, or s3://bucket/prefix. */
export async function scanModel(source: string, progress: ScanProgress = {}, options: { threads?: number } = {}): Promise<Manifest> {
  const s3 = parseS3Location(source);
  if (s3) return scanS3(s3, progress);
  const info = await stat(source).catch(() => null);
  if (!info?.isDirectory()) throw new Error(`${source} is not a folder (nor an s3://bucket/prefix location).`);
  return scanLocal(path.resolve(source), progress, options.threads);
}

/** What a copy's location holds now, without reading the bytes: each file's presence and size. */
export async function listLocation(location: string): Promise<{ path: string; sizeBytes: number }[]> {
  const s3 = parseS3Location(location);
  if (s3) return listObjects(s3);
  const dir = location.replace(/^file:\/\//, '');
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new Error(`${location} is not reachable from this server.`);
  return walk(dir);
}
