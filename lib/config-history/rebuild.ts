import 'server-only';
// `npm run standby -- config rebuild <repo>`: an empty Standby gets the
// estate of one commit of the configuration repository (the newest by
// default), every section in order, all or nothing. Secrets are never in the
// repository: each credential the routing file names gets its secret from a
// --secrets file (NAME=secret lines) or STANDBY_CREDENTIAL_<NAME>; the
// rebuild refuses, naming each one, when any is missing.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { recordAudit } from '@/lib/audit/record';
import { applyConfigIn, ConfigProblemsError } from '@/lib/config/apply';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { encryptSecret, secretHint } from '@/lib/server/crypto';
import { db, type Tx } from '@/lib/server/db';
import { credentialSecretVariable } from '@/lib/server/env';
import { AppError } from '@/lib/server/errors';
import { readCommit } from './git';
import { CONFIG_SECTIONS, sectionByKey } from './sections';
import { writeConfigVersion } from '@/lib/config-versions/writer';

/** STANDBY_CREDENTIAL_OPENAI_PROD_KEY for openai-prod-key. */
export const credentialVariable = (name: string) => `STANDBY_CREDENTIAL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** NAME=secret lines; # comments and blank lines ignored; a value may be quoted. */
export function parseSecretsFile(text: string): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const at = trimmed.indexOf('=');
    if (at <= 0) continue;
    secrets.set(trimmed.slice(0, at).trim(), trimmed.slice(at + 1).trim().replace(/^(['"])(.*)\1$/, '$2'));
  }
  return secrets;
}

export type RebuildResult = { commit: string; subject: string; sections: string[]; credentials: string[]; versions: number[] };

async function estateSize(tx: Tx): Promise<number> {
  const counts = [await tx.provider.count(), await tx.region.count(), await tx.credential.count(), await tx.target.count(), await tx.service.count()];
  return counts.reduce((a, b) => a + b, 0);
}

/** The routing file with only its providers and regions: what credentials need before targets can name them. */
function foundationsOf(routing: string): string {
  const doc = parseDocument(routing);
  for (const key of ['credentials', 'targets', 'services']) doc.set(key, []);
  return doc.toString();
}

export async function rebuildFromRepository(spec: string, options: { ref?: string | null; secrets?: ReadonlyMap<string, string>; env?: Record<string, string | undefined> } = {}): Promise<RebuildResult> {
  const files = CONFIG_SECTIONS.map((s) => s.file);
  const { commit, subject, files: contents } = await readCommit(spec, options.ref ?? null, files);
  const routingFile = sectionByKey('routing')!.file;
  const routing = contents.get(routingFile);
  if (!routing) throw new AppError('INVALID', `Commit ${commit.slice(0, 12)} of ${spec} has no ${routingFile}: is this a Standby configuration repository?`);

  const listed = ((parseDocument(routing).toJS() as { credentials?: { name?: unknown; provider?: unknown }[] } | null)?.credentials ?? [])
    .filter((c): c is { name: string; provider: string } => typeof c?.name === 'string' && typeof c.provider === 'string');
  const fromEnv = (variable: string) => (options.env ? options.env[variable] : credentialSecretVariable(variable));
  const secretOf = (name: string) => options.secrets?.get(name) ?? fromEnv(credentialVariable(name)) ?? null;
  const missing = listed.filter((c) => !secretOf(c.name));
  if (missing.length) {
    throw new AppError('INVALID', `No secret for ${missing.map((c) => `${c.name} (set ${credentialVariable(c.name)} or add "${c.name}=…" to a --secrets file)`).join(', ')}. Nothing was changed.`);
  }

  return db().$transaction(
    async (tx) => {
      const size = await estateSize(tx);
      if (size > 0) throw new AppError('CONFLICT', `This Standby is not empty (${size} providers, regions, credentials, targets and services): a rebuild starts from an empty database. To bring an existing estate back to a version, restore it from Configuration history instead.`);
      const applied: string[] = [];
      for (const section of CONFIG_SECTIONS) {
        const text = contents.get(section.file);
        if (!text) continue;
        if (section.key === 'routing') {
          // Providers and regions first, then the credentials (which belong to a provider), then everything.
          await applyConfigIn(tx, foundationsOf(text), { prune: false });
          const providers = new Map((await tx.provider.findMany({ select: { id: true, name: true } })).map((p) => [p.name, p.id]));
          for (const c of listed) {
            const secret = secretOf(c.name)!;
            await tx.credential.create({ data: { name: c.name, providerId: providers.get(c.provider)!, ciphertext: encryptSecret(secret), hint: secretHint(secret) } });
          }
        }
        const result = await section.apply(tx, SYSTEM_ACTOR, text);
        if (!result.ok) throw new ConfigProblemsError(result.problems.map((p) => ({ ...p, path: `${section.file}${p.path ? `: ${p.path}` : ''}` })));
        applied.push(section.file);
      }
      const reason = `rebuilt from ${spec} at ${commit.slice(0, 12)} ("${subject}")`;
      await recordAudit(tx, SYSTEM_ACTOR, { action: 'config.rebuild', entityType: 'config', entityName: 'estate', after: { repository: spec, commit, sections: applied, credentials: listed.map((c) => c.name) }, reason });
      const versions: number[] = [];
      for (const section of CONFIG_SECTIONS) {
        const number = await writeConfigVersion(tx, SYSTEM_ACTOR, section, { action: 'config.rebuild', summary: `rebuilt from commit ${commit.slice(0, 12)}`, reason });
        if (number !== null) versions.push(number);
      }
      return { commit, subject, sections: applied, credentials: listed.map((c) => c.name), versions };
    },
    { isolationLevel: 'ReadCommitted', timeout: 120_000, maxWait: 10_000 },
  );
}

export const readSecretsFile = (file: string) => parseSecretsFile(readFileSync(file, 'utf8'));
