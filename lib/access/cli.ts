import 'server-only';
import { parseArgs } from 'node:util';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { launchEnv } from '@/lib/server/env';
import { AppError } from '@/lib/server/errors';
import { createUserAs } from './mutations';

async function readPassword(): Promise<string> {
  const given = launchEnv().STANDBY_NEW_PASSWORD;
  if (given) return given;
  if (!process.stdin.isTTY) throw new Error('Set STANDBY_NEW_PASSWORD, or run in a terminal to be asked for the password.');
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question('Password (12+ characters): ');
  } finally {
    rl.close();
  }
}

/** `user create --email E --name N --role R`: creates a user as Standby itself (audited as 'system'). */
export async function runUserCommand(args: string[], log: (line: string) => void): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new Error('Usage: npm run standby -- user create --email E --name N --role viewer|operator|commander|admin');
  const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'viewer' } } });
  try {
    const user = await createUserAs(SYSTEM_ACTOR, { ...values, password: await readPassword(), reason: 'created from the command line' });
    log(`created ${user.role} ${user.email}`);
  } catch (error) {
    if (error instanceof AppError && error.fieldErrors) {
      for (const [field, messages] of Object.entries(error.fieldErrors)) log(`${field}: ${messages.join(' ')}`);
      throw new Error('user not created');
    }
    throw error;
  }
}
