// Inputs of the backups domain, declared once (STYLE.md habit 4): what backup
// jobs report through the API (a copy with its manifest, the deployed
// version, a timed restore) and the forms of the Backups page.
import { z } from 'zod';
import { PART_KINDS } from './parts';

const requiredReason = z.string({ error: 'Say why.' }).trim().min(3, 'Say why, in a few words: the reason is kept in the audit log.').max(500, 'At most 500 characters.');
const instant = z.iso.datetime({ offset: true, error: 'Use an ISO 8601 time with its zone, e.g. 2026-09-14T03:00:00Z.' }).transform((value) => Date.parse(value));
const regionCode = z.string({ error: 'Name the region (its code, as on the Regions page).' }).trim().min(1, 'Name the region.').max(64);

/** A path inside the model's folder: relative, no way out of it. */
export const partPath = z
  .string({ error: 'Give the path of the file in the model folder.' })
  .trim()
  .min(1, 'Give the path of the file in the model folder.')
  .max(1024, 'At most 1,024 characters.')
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.includes('\0'), 'A path inside the model folder, such as prompts/system.txt (no leading /, no ..).')
  // One spelling per file: ./config.json or a//b would be config.json or a/b listed twice in disguise.
  .refine((p) => p.startsWith('/') || p.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'), 'A path inside the model folder, written plainly: no .. , no ./ and no // (prompts/system.txt).');

const manifestFile = z.object({
  path: partPath,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lowercase hex characters.'),
  sizeBytes: z.number({ error: 'sizeBytes is the file\'s size in bytes.' }).min(0, 'sizeBytes cannot be negative.').max(Number.MAX_SAFE_INTEGER, 'sizeBytes is larger than any file (at most 2^53 - 1).').refine(Number.isInteger, 'sizeBytes is a whole number of bytes.'),
}).strict();

export const manifestInput = z
  .object({
    files: z.array(manifestFile, { error: 'files is a list of { path, sha256, sizeBytes }.' }).min(1, 'A manifest lists at least one file.').max(100_000, 'At most 100,000 files.'),
    chatTemplate: partPath.nullable().default(null),
    shardIndex: z.object({ file: partPath, shards: z.array(partPath).max(100_000) }).strict().nullable().default(null),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.files.forEach((f, i) => {
      if (seen.has(f.path)) ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: `${f.path} is listed twice.` });
      seen.add(f.path);
    });
  });
export type ManifestInput = z.output<typeof manifestInput>;

/** Where a copy lives: s3://bucket/prefix, file:///path or an absolute path. */
export const locationInput = z
  .string({ error: 'Say where the copy is (s3://bucket/prefix or a path).' })
  .trim()
  .min(1, 'Say where the copy is (s3://bucket/prefix or a path).')
  .max(1024)
  .refine((l) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(l) || /^file:\/\/\//.test(l) || l.startsWith('/'), 'Use s3://bucket/prefix, file:///path or an absolute path.');

const modelName = z.string({ error: 'Name the model (as on the Backups page).' }).trim().min(1, 'Name the model.').max(200);

/** POST /api/v1/backups/copies: one copy of a model, with every file's checksum. */
export const copyReportInput = z.object({
  model: modelName,
  location: locationInput,
  region: regionCode,
  takenAt: instant.optional(),
  manifest: manifestInput,
}).strict();
export type CopyReport = z.output<typeof copyReportInput>;

/** POST /api/v1/backups/deployed: what serves now (a scan of the serving folder). */
export const deployedReportInput = z.object({ model: modelName, manifest: manifestInput, observedAt: instant.optional() }).strict();
export type DeployedReport = z.output<typeof deployedReportInput>;

const duration = z.number({ error: 'A number of milliseconds.' }).min(0, 'Cannot be negative.').max(30 * 86_400_000, 'At most 30 days.');

/** POST /api/v1/backups/restore-tests: a restore, timed by the job that ran it. */
export const restoreTestInput = z
  .object({
    model: modelName,
    copyId: z.string().uuid('copyId is the id of a reported copy.').optional(),
    location: locationInput.optional(),
    observedAt: instant.optional(),
    ok: z.boolean().default(true),
    restoreMs: duration.optional(),
    transferMs: duration.optional(),
    loadMs: duration.optional(),
    detail: z.string().trim().max(2_000).default(''),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.ok && r.restoreMs === undefined && (r.transferMs === undefined || r.loadMs === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['restoreMs'], message: 'A successful restore reports restoreMs (or transferMs and loadMs).' });
    }
  });
export type RestoreTestReport = z.output<typeof restoreTestInput>;

const hours = z.coerce.number({ error: 'Enter a number of hours.' }).min(1, 'At least 1 hour.').max(24 * 90, 'At most 90 days.');
const optionalSeconds = z.preprocess((v) => (v === '' || v === null || v === undefined ? null : v), z.coerce.number({ error: 'Enter seconds.' }).min(0, 'Cannot be negative.').max(86_400, 'At most a day.').nullable());

export const registerModelInput = z.object({
  name: z.string({ error: 'Enter a name.' }).trim().min(2, 'At least 2 characters.').max(200, 'At most 200 characters.'),
  servingRegion: regionCode,
  description: z.string().trim().max(500).default(''),
  scheduleHours: hours.default(24),
  loadSeconds: optionalSeconds.default(null),
  reason: requiredReason,
});

export const modelSettingsInput = z.object({
  modelId: z.string().uuid('Unknown model.'),
  expectedVersion: z.coerce.number().int().min(1),
  servingRegion: regionCode,
  scheduleHours: hours,
  loadSeconds: optionalSeconds,
  reason: requiredReason,
});

export const partInput = z.object({
  modelId: z.string().uuid('Unknown model.'),
  path: partPath,
  kind: z.enum(PART_KINDS, { error: 'Choose what kind of part it is.' }),
  note: z.string().trim().max(200).default(''),
  reason: requiredReason,
});

export const removePartInput = z.object({ partId: z.string().uuid('Unknown part.'), reason: requiredReason });

export const linkInput = z.object({
  fromRegion: regionCode,
  toRegion: regionCode,
  gbps: z.coerce.number({ error: 'Enter the bandwidth in Gbit/s.' }).min(0.001, 'At least 0.001 Gbit/s (1 Mbit/s).').max(10_000, 'At most 10,000 Gbit/s.'),
  note: z.string().trim().max(200).default(''),
  expectedVersion: z.coerce.number().int().min(0),
  reason: requiredReason,
});

export const verifyCopyInput = z.object({ copyId: z.string().uuid('Unknown copy.') });
