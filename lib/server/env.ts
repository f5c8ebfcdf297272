// The one place environment variables are read and validated (STYLE.md habit 4).
// Parsed lazily: `next build` imports server modules without a runtime environment.
import { z } from 'zod';
import { parseTrustedProxies } from './client-address';

const schema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters'),
  NEXTAUTH_URL: z.string().url().optional(),
  STANDBY_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)'),
  STANDBY_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
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
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
});

export type Env = z.infer<typeof schema>;

let cached: Env | null = null;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Standby's environment is invalid: ${problems}`);
  }
  cached = parsed.data;
  return cached;
}
