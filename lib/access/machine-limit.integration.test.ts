// The machine APIs' per-token limit, through the evidence route as a job calls
// it: requests past the limit in a minute get 429 with Retry-After and write
// nothing; another token is not affected.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { disconnect, uniqueName } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { generateToken } from './tokens';

// Read by env() at its first use, which comes after this line.
process.env.STANDBY_MACHINE_API_PER_MINUTE = '5';
after(disconnect);

async function evidenceToken() {
  const { token, prefix, tokenHash } = generateToken(randomBytes);
  await db().apiToken.create({ data: { name: uniqueName('evidence-job'), prefix, tokenHash, services: [], scopes: ['recovery:evidence'], createdBy: 'integration test' } });
  return token;
}

const report = (token: string) =>
  new Request('http://standby.test/api/v1/recovery/evidence', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ component: 'no such component', kind: 'backup', ok: true }),
  });

test('a token past its requests per minute gets 429 with Retry-After; a token within its own is served', async () => {
  const { receiveEvidence } = await import('@/lib/recovery/evidence');
  const [busy, quiet] = [await evidenceToken(), await evidenceToken()];
  const answers = await Promise.all(Array.from({ length: 8 }, () => receiveEvidence(report(busy))));
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 429).length, 3, statuses.join(' '));
  const limited = answers.find((a) => a.status === 429)!;
  assert.ok(Number(limited.headers.get('retry-after')) >= 1 && Number(limited.headers.get('retry-after')) <= 60);
  assert.match(((await limited.json()) as { error: { message: string } }).error.message, /more than 5 requests in a minute/);
  assert.notEqual((await receiveEvidence(report(quiet))).status, 429, 'another token has its own allowance');
});
