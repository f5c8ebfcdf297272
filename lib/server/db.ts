import 'server-only';
// One Prisma client per process (STYLE.md habit 2), over node-postgres.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { env } from './env';

export { Prisma } from './generated/prisma/client';
export type { Role, ProviderKind, ApiStyle, QualityClass } from './generated/prisma/enums';

const globalForPrisma = globalThis as unknown as { standbyPrisma?: PrismaClient };

function createClient(): PrismaClient {
  const adapter = new PrismaPg({ connectionString: env().DATABASE_URL, max: 10 });
  return new PrismaClient({ adapter });
}

/** The process-wide client; created on first use so builds never connect. */
export function db(): PrismaClient {
  return (globalForPrisma.standbyPrisma ??= createClient());
}

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
