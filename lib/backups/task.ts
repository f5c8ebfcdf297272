import 'server-only';
// The leader's loop for model backups, every minute: self-hosted targets get
// their model row, and a missed backup (late on its schedule, or a deployed
// version no copy has) raises an alert for each service that routes to the
// model, resolved when a restorable copy arrives. Alerts are AlertEvents
// (kind backup_missed), the table the incident flow follows.
import { db } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { formatSpan } from '@/lib/recovery/format';
import { getBackupsOverview } from './data';
import { syncModelsIn } from './mutations';

export const BACKUP_ALERT_KIND = 'backup_missed';

export async function evaluateBackupAlerts(now = Date.now()): Promise<{ opened: string[]; resolved: number }> {
  const overview = await getBackupsOverview(now);
  const services = new Map((await db().service.findMany({ select: { id: true, name: true } })).map((s) => [s.name, s.id]));
  const wanted = new Map<string, { serviceId: string; model: string; details: Record<string, unknown> }>();
  for (const m of overview.models) {
    const missed = m.status.backup.overdue || m.status.backup.missingSinceChange;
    if (!missed || !m.target) continue;
    const why = m.status.backup.missingSinceChange ? 'the deployed version changed and no copy has it' : `no restorable copy for ${formatSpan(m.status.backup.ageMs)} (one is due every ${formatSpan(m.scheduleHours * 3_600_000)})`;
    for (const service of m.target.services) {
      const serviceId = services.get(service);
      if (serviceId) wanted.set(`${serviceId}/${m.name}`, { serviceId, model: m.name, details: { model: m.name, modelId: m.id, why, newestRestorableAt: m.status.backup.newestRestorableAt } });
    }
  }
  return inTransaction(async (tx) => {
    const open = await tx.alertEvent.findMany({ where: { kind: BACKUP_ALERT_KIND, resolvedAt: null }, select: { id: true, serviceId: true, rule: true } });
    const openKeys = new Map(open.map((a) => [`${a.serviceId}/${a.rule.replace(/^backup-missed:/, '')}`, a.id]));
    const opened: string[] = [];
    for (const [key, alert] of wanted) {
      const existing = openKeys.get(key);
      if (existing) await tx.alertEvent.update({ where: { id: existing }, data: { lastSeenAt: new Date(now), details: alert.details as object } });
      else {
        await tx.alertEvent.create({ data: { serviceId: alert.serviceId, kind: BACKUP_ALERT_KIND, severity: 'ticket', rule: `backup-missed:${alert.model}`, longBurn: 0, shortBurn: 0, details: alert.details as object, openedAt: new Date(now), lastSeenAt: new Date(now) } });
        opened.push(alert.model);
      }
    }
    const gone = open.filter((a) => !wanted.has(`${a.serviceId}/${a.rule.replace(/^backup-missed:/, '')}`)).map((a) => a.id);
    if (gone.length) await tx.alertEvent.updateMany({ where: { id: { in: gone } }, data: { resolvedAt: new Date(now) } });
    return { opened, resolved: gone.length };
  });
}

export function backupsTask() {
  return {
    name: 'model-backups',
    intervalMs: 60_000,
    run: async ({ log }: { log: (line: string) => void }): Promise<void> => {
      const created = await inTransaction((tx) => syncModelsIn(tx));
      if (created.length) log(`backups: models of self-hosted targets added: ${created.join(', ')}`);
      const alerts = await evaluateBackupAlerts();
      if (alerts.opened.length) log(`backups: missed backups of ${[...new Set(alerts.opened)].join(', ')}`);
    },
  };
}
