// The one place environment variables are read and validated (STYLE.md habit 4).
// Parsed lazily: `next build` imports server modules without a runtime environment.
//   launchEnv()  what starting a process needs before a database or its secrets
//                exist (ports, folders, whether the simulator runs, the first admin)
//   env()        what the server needs once it runs: the database, the secrets,
//                and the limits an operator may tune
import path from 'node:path';
import { z } from 'zod';
import { parseTrustedProxies } from './client-address';

const flag = z.enum(['0', '1', '']).optional().transform((value) => value === '1');

const launchSchema = z.object({
  DATABASE_URL: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  NEXTAUTH_URL: z.string().url().optional(),
  // The embedded PostgreSQL used when DATABASE_URL is unset (lib/server/runtime/embedded-postgres.ts).
  STANDBY_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(5488),
  STANDBY_EMBEDDED_PG_PASSWORD: z.string().optional(),
  STANDBY_PG_LOG: flag,
  STANDBY_STATE_DIR: z.string().optional(),
  // The repository, when a compiled entry runs from .standby/build/ (scripts/run.mjs sets it).
  STANDBY_ROOT: z.string().optional(),
  // Where `next build` writes and the server reads the web app (next.config.js); the e2e suite uses its own.
  STANDBY_NEXT_DIST_DIR: z.string().min(1).default('.next'),
  // `npm start` serves the simulated upstreams only when asked (simulator/).
  STANDBY_SIMULATOR: flag,
  // Gateway processes sharing the port (lib/server/runtime/workers.ts): unset or 0 for one per core, 1 for one process.
  STANDBY_WORKERS: z.coerce.number().int().min(0).max(256).optional(),
  STANDBY_DEMO_TRAFFIC_RPS: z.coerce.number().min(0).default(2),
  STANDBY_ADMIN_EMAIL: z.string().optional(),
  STANDBY_ADMIN_PASSWORD: z.string().optional(),
  STANDBY_NEW_PASSWORD: z.string().optional(),
  // Configuration history's git repository (lib/config-history/git.ts): a path or a URL git pushes to, and its branch.
  STANDBY_CONFIG_REPO: z.string().trim().optional(),
  STANDBY_CONFIG_BRANCH: z.string().trim().min(1).default('main'),
  // The API token `backup scan --to` reports with (lib/backups/cli.ts).
  STANDBY_TOKEN: z.string().optional(),
  npm_package_version: z.string().default('0.1.0'),
});

const schema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters'),
  NEXTAUTH_URL: z.string().url().optional(),
  STANDBY_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)'),
  STANDBY_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Requests per minute one API token may make to the machine APIs (evidence, backups, conversations), shared by every replica. */
  STANDBY_MACHINE_API_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  STANDBY_SIGNIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  // Who may write X-Forwarded-For: a hop count or networks (lib/server/client-address.ts); default nobody.
  STANDBY_TRUSTED_PROXIES: z.string().default('').superRefine((value, ctx) => {
    const parsed = parseTrustedProxies(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
  }),
  // Raw HealthSample and RequestRecord rows are kept this long (lib/health/rollups.ts applyRetention).
  STANDBY_RAW_RETENTION_DAYS: z.coerce.number().int().min(1).default(35),
  // S3-compatible object storage for model backups (lib/backups/s3.ts): the endpoint of a server other than AWS
  // (MinIO, Ceph, R2, ...), addressed by path. Credentials come from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID, ...).
  STANDBY_S3_ENDPOINT: z.string().url('must be a URL such as http://minio.internal:9000').optional(),
  AWS_REGION: z.string().default('us-east-1'),
  // The largest request body the gateway reads (lib/gateway/http.ts).
  STANDBY_GATEWAY_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
});

export type Env = z.infer<typeof schema>;
export type LaunchEnv = z.infer<typeof launchSchema>;

function parse<S extends z.ZodType>(what: string, s: S): z.infer<S> {
  const parsed = s.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`${what} is invalid: ${problems}`);
  }
  return parsed.data;
}

let cached: Env | null = null;

export function env(): Env {
  return (cached ??= parse("Standby's environment", schema));
}

/** Read afresh each time: the launcher sets DATABASE_URL and the secrets as it starts (scripts/standby.ts). */
export function launchEnv(): LaunchEnv {
  return parse("Standby's environment", launchSchema);
}

/** Local state: generated secrets, the embedded database (default ./.standby). */
export function stateDir(): string {
  return path.resolve(launchEnv().STANDBY_STATE_DIR ?? path.join(process.cwd(), '.standby'));
}

/** A credential's secret given to `config rebuild` as STANDBY_CREDENTIAL_<NAME> (lib/config-history/rebuild.ts). */
export function credentialSecretVariable(variable: string): string | undefined {
  return variable.startsWith('STANDBY_CREDENTIAL_') ? process.env[variable] : undefined;
}

/**
 * Sets each variable the environment leaves unset: secrets generated for local
 * use (runtime/local-secrets.ts), the embedded database's URL, the public URL
 * on the port in use. A value the operator set always wins.
 */
export function defaultEnv(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) if (!process.env[name]) process.env[name] = value;
  cached = null;
}
