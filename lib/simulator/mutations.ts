import 'server-only';
// Simulator writes: each checks the caller's permission, validates its input,
// and records an audit entry in the same transaction as the change. The
// NOTIFY trigger on SimulatedUpstream and Setting carries the change to every
// replica's fault cache (store.ts) when the transaction commits.
import { recordAudit } from '@/lib/audit/record';
import { requireActor, type Actor, type SessionUser } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction } from '@/lib/server/mutation';
import { NO_FAULTS, readFaults, type Faults } from './faults';
import { DEMO_TRAFFIC_KEY, readDemoTraffic, resetFaultsInput, setDemoTrafficInput, setFaultsInput, type DemoTraffic } from './schemas';

type Caller = SessionUser | null;

// Injecting faults changes what the gateway sees from an upstream, as an outage would:
// the same permission as flipping failover.
const PERMISSION = 'failover.write';

const upstreamSnapshot = { name: true, faults: true, version: true } as const;

async function writeFaults(tx: Tx, actor: Actor, name: string, version: number, faults: Faults, reason: string | undefined) {
  const before = await tx.simulatedUpstream.findUnique({ where: { name }, select: upstreamSnapshot });
  if (!before) throw new AppError('NOT_FOUND', `There is no simulated upstream named ${name}. The demo estate may have been reseeded: reload the page.`);
  const { count } = await tx.simulatedUpstream.updateMany({
    where: { name, version },
    data: { faults: faults as unknown as Prisma.InputJsonValue, version: { increment: 1 } },
  });
  assertVersionMatched(count, 'simulated upstream');
  const after = await tx.simulatedUpstream.findUniqueOrThrow({ where: { name }, select: upstreamSnapshot });
  await recordAudit(tx, actor, { action: 'simulator.faults', entityType: 'simulated_upstream', entityId: name, entityName: name, before, after, reason });
  return { name, version: after.version, faults: readFaults(after.faults).faults };
}

/** Sets the whole fault profile of one simulated upstream. */
export async function setFaults(caller: Caller, input: unknown) {
  const actor = requireActor(caller, PERMISSION);
  const { name, version, faults, reason } = parseInput(setFaultsInput, input);
  return inTransaction((tx) => writeFaults(tx, actor, name, version, faults, reason));
}

/** Back to healthy: no faults at all. */
export async function resetFaults(caller: Caller, input: unknown) {
  const actor = requireActor(caller, PERMISSION);
  const { name, version, reason } = parseInput(resetFaultsInput, input);
  return inTransaction((tx) => writeFaults(tx, actor, name, version, NO_FAULTS, reason));
}

/**
 * Configures the demo traffic generator (demo-traffic.ts). One setting for the
 * whole estate; the last save wins, and each is audited with what it replaced.
 */
export async function setDemoTraffic(caller: Caller, input: unknown): Promise<DemoTraffic> {
  const actor = requireActor(caller, PERMISSION);
  const { reason, ...value } = parseInput(setDemoTrafficInput, input);
  return inTransaction(async (tx) => {
    if (value.services.length > 0) {
      const known = await tx.service.findMany({ where: { name: { in: value.services } }, select: { name: true } });
      const missing = value.services.filter((name) => !known.some((service) => service.name === name));
      if (missing.length > 0) {
        const message = `No service is named ${missing.join(', ')}. It may have been renamed or deleted: choose again.`;
        throw new AppError('INVALID', message, { services: [message] });
      }
    }
    const previous = await tx.setting.findUnique({ where: { key: DEMO_TRAFFIC_KEY }, select: { value: true } });
    const json = value as unknown as Prisma.InputJsonValue;
    await tx.setting.upsert({ where: { key: DEMO_TRAFFIC_KEY }, create: { key: DEMO_TRAFFIC_KEY, value: json }, update: { value: json } });
    await recordAudit(tx, actor, {
      action: 'simulator.demo_traffic',
      entityType: 'setting',
      entityId: DEMO_TRAFFIC_KEY,
      entityName: 'Demo traffic',
      before: previous ? readDemoTraffic(previous.value) : null,
      after: value,
      reason,
    });
    return value;
  });
}
