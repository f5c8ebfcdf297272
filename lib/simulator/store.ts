import 'server-only';
// Simulator state in PostgreSQL, as the Simulator page reads it. The process
// that serves /simulated keeps it in memory instead (simulator/fault-cache.ts).
import { db } from '@/lib/server/db';
import { readFaults, type Faults } from './faults';
import { DEMO_TRAFFIC_KEY, DEMO_TRAFFIC_OFF, readDemoTraffic, type DemoTraffic } from './schemas';
import { findSimulatedUpstream, type SimulatedProtocol } from './upstreams';

// ---------------------------------------------------------------- pages

export type SimulatedUpstreamRow = {
  name: string;
  /** Null for a row that is not one of SIMULATED_UPSTREAMS (added by hand): it is served, with either protocol. */
  protocol: SimulatedProtocol | null;
  faults: Faults;
  /** False when the stored profile does not parse: it is served as no faults until saved again. */
  faultsValid: boolean;
  version: number;
  updatedAt: string;
};

export async function listSimulatedUpstreams(): Promise<SimulatedUpstreamRow[]> {
  const rows = await db().simulatedUpstream.findMany({ orderBy: { name: 'asc' }, select: { name: true, faults: true, version: true, updatedAt: true } });
  return rows.map((row) => {
    const { faults, valid } = readFaults(row.faults);
    return { name: row.name, protocol: findSimulatedUpstream(row.name)?.protocol ?? null, faults, faultsValid: valid, version: row.version, updatedAt: row.updatedAt.toISOString() };
  });
}

export async function getDemoTraffic(): Promise<DemoTraffic> {
  const row = await db().setting.findUnique({ where: { key: DEMO_TRAFFIC_KEY }, select: { value: true } });
  return row ? readDemoTraffic(row.value) : DEMO_TRAFFIC_OFF;
}
