// Prisma CLI configuration (migrate, generate). The running product never uses
// the CLI: it applies prisma/migrations itself at start-up (lib/server/runtime/migrate.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5488/standby' },
});
