// Another replica calling a machine API, for lib/access/machine-limit.integration.test.ts: a process of its own (its
// own memory, the same PostgreSQL) that sends MACHINE_API_REQUESTS evidence reports with MACHINE_API_TOKEN and
// prints the statuses it got, one line.
import { receiveEvidence } from '@/lib/recovery/evidence';
import { db } from '@/lib/server/db';

async function main() {
  const token = process.env.MACHINE_API_TOKEN ?? '';
  const count = Number(process.env.MACHINE_API_REQUESTS ?? 1);
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const answer = await receiveEvidence(
      new Request('http://standby.test/api/v1/recovery/evidence', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ component: 'no such component', kind: 'backup', ok: true }),
      }),
    );
    statuses.push(answer.status);
  }
  console.log(statuses.join(' '));
  await db().$disconnect();
}

void main();
