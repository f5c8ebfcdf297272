// Runs once after the webServers are up: refuse anything but the local test database.
import { E2E_DATABASE_URL } from './test-env';

export default async function globalSetup() {
  const host = new URL(E2E_DATABASE_URL).hostname;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) throw new Error(`e2e tests refuse a non-local database (${host}).`);
  if (process.env.DATABASE_URL && !/@(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(process.env.DATABASE_URL)) {
    throw new Error('e2e tests refuse to run with a non-local DATABASE_URL in the environment.');
  }
}
