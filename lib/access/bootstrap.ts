import 'server-only';
// A production database starts with no users. The first admin comes from
// STANDBY_ADMIN_EMAIL and STANDBY_ADMIN_PASSWORD on first start, or from
// `npm run standby -- user create`.
import { db } from '@/lib/server/db';
import { launchEnv } from '@/lib/server/env';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { createUserAs } from './mutations';

export async function bootstrapFirstAdmin(log: (line: string) => void): Promise<void> {
  if ((await db().user.count()) > 0) return;
  const { STANDBY_ADMIN_EMAIL: email, STANDBY_ADMIN_PASSWORD: password } = launchEnv();
  if (!email || !password) {
    log('no users yet: set STANDBY_ADMIN_EMAIL and STANDBY_ADMIN_PASSWORD and restart, or run: npm run standby -- user create --email you@example.com --name "You" --role admin');
    return;
  }
  await createUserAs(SYSTEM_ACTOR, { email, name: 'Administrator', role: 'admin', password, reason: 'first start' });
  log(`created the first admin, ${email}`);
}
