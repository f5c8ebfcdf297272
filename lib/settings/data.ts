import 'server-only';
import { db } from '@/lib/server/db';
import { PRIVATE_NETWORKS_SETTING, readPrivateNetworks } from '@/lib/server/endpoint-policy';

export type PrivateNetworks = { networks: string[]; updatedAt: string | null };

export async function getPrivateNetworks(): Promise<PrivateNetworks> {
  const row = await db().setting.findUnique({ where: { key: PRIVATE_NETWORKS_SETTING }, select: { value: true, updatedAt: true } });
  return { networks: readPrivateNetworks(row?.value), updatedAt: row?.updatedAt.toISOString() ?? null };
}
