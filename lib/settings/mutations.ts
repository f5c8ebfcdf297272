import 'server-only';
// Admin → Settings. A change reaches every replica's gateway and probes with the
// routing snapshot (the Setting table notifies standby_routing).
import { recordConfigChange } from '@/lib/config-versions/writer';
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { PRIVATE_NETWORKS_SETTING, readPrivateNetworks } from '@/lib/server/endpoint-policy';
import { parseInput } from '@/lib/server/errors';
import { inTransaction } from '@/lib/server/mutation';
import { settingsSection } from './config-section';
import { privateNetworksInput } from './schemas';

/** The non-public networks targets may point at (lib/server/endpoint-policy.ts). */
export async function setPrivateNetworks(caller: SessionUser | null, input: unknown) {
  const actor = requireActor(caller, 'settings.write');
  const { networks, reason } = parseInput(privateNetworksInput, input);
  return inTransaction(async (tx) => {
    const previous = await tx.setting.findUnique({ where: { key: PRIVATE_NETWORKS_SETTING }, select: { value: true } });
    const value = { networks };
    await tx.setting.upsert({ where: { key: PRIVATE_NETWORKS_SETTING }, create: { key: PRIVATE_NETWORKS_SETTING, value }, update: { value } });
    await recordConfigChange(tx, actor, settingsSection, {
      action: 'settings.private_networks',
      entityType: 'setting',
      entityId: PRIVATE_NETWORKS_SETTING,
      entityName: 'Private endpoint networks',
      before: { networks: readPrivateNetworks(previous?.value) },
      after: value,
      reason,
    });
    return value;
  });
}
