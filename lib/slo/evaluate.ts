import 'server-only';
// The burn-rate alert loop: every 30 s the health monitor's leader judges every
// service against the multi-window rules (lib/slo/burn-rate.ts) and keeps one
// AlertEvent per service and rule while it fires: opened when it starts,
// lastSeenAt moved on while it lasts, resolvedAt set when it stops. A trigger
// NOTIFYs `standby_events` on open and resolve, for the incident flow.
import { db, Prisma } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { BURN_RULES, evaluateRule, type AlertSeverity, type BurnRule } from './burn-rate';
import { readWindowCounts } from './data';
import { INFINITE_BURN } from './status';

export const SLO_EVALUATION_INTERVAL_MS = 30_000;
export const BURN_RATE_ALERT_KIND = 'burn_rate';

// Two replicas may both believe they lead for a moment during a handover;
// serialising evaluations keeps "one open alert per service and rule" true.
const EVALUATION_LOCK = Prisma.sql`SELECT pg_advisory_xact_lock(hashtext('standby:slo-burn-rate-alerts'))`;

export type AlertChange = { serviceName: string; rule: BurnRule['id']; severity: AlertSeverity; longBurn: number; shortBurn: number };
export type EvaluationResult = { opened: AlertChange[]; resolved: AlertChange[]; firing: number };

const finite = (burn: number | null) => Math.min(burn ?? 0, INFINITE_BURN);

/** Judges every service now and opens, refreshes or resolves its burn-rate alerts. */
export async function evaluateBurnRateAlerts(now = new Date()): Promise<EvaluationResult> {
  const services = await db().service.findMany({ select: { id: true, name: true, sloTarget: true, sloWindowDays: true } });
  const counts = await readWindowCounts(services, now);
  const result: EvaluationResult = { opened: [], resolved: [], firing: 0 };

  await inTransaction(async (tx) => {
    await tx.$executeRaw(EVALUATION_LOCK);
    const open = await tx.alertEvent.findMany({
      where: { kind: BURN_RATE_ALERT_KIND, resolvedAt: null },
      orderBy: { openedAt: 'asc' },
      select: { id: true, serviceId: true, rule: true, severity: true, longBurn: true, shortBurn: true },
    });
    const openByKey = new Map<string, (typeof open)[number]>();
    const strays: string[] = [];
    for (const alert of open) {
      const key = `${alert.serviceId}/${alert.rule}`;
      // Should two ever be open for one rule (rows written by hand), the oldest stays the alert.
      if (openByKey.has(key)) strays.push(alert.id);
      else openByKey.set(key, alert);
    }

    for (const service of services) {
      const { windows } = counts.get(service.id)!;
      for (const rule of BURN_RULES) {
        const evaluation = evaluateRule(rule, windows, service.sloTarget);
        const key = `${service.id}/${rule.id}`;
        const existing = openByKey.get(key);
        openByKey.delete(key);
        const longBurn = finite(evaluation.longBurn);
        const shortBurn = finite(evaluation.shortBurn);
        const change: AlertChange = { serviceName: service.name, rule: rule.id, severity: rule.severity, longBurn, shortBurn };

        if (evaluation.firing) {
          result.firing += 1;
          const details = {
            sloTarget: service.sloTarget,
            threshold: rule.threshold,
            long: { window: rule.longWindow, ...windows[rule.longWindow] },
            short: { window: rule.shortWindow, ...windows[rule.shortWindow] },
            evaluatedAt: now.toISOString(),
          };
          if (existing) {
            await tx.alertEvent.update({ where: { id: existing.id }, data: { lastSeenAt: now, longBurn, shortBurn, details } });
          } else {
            await tx.alertEvent.create({
              data: { serviceId: service.id, kind: BURN_RATE_ALERT_KIND, severity: rule.severity, rule: rule.id, openedAt: now, lastSeenAt: now, longBurn, shortBurn, details },
            });
            result.opened.push(change);
          }
        } else if (existing) {
          await tx.alertEvent.update({ where: { id: existing.id }, data: { resolvedAt: now } });
          result.resolved.push(change);
        }
      }
    }

    // What is left open belongs to deleted services or to rules that no longer exist: nothing can fire them again.
    const orphans = [...strays, ...[...openByKey.values()].map((a) => a.id)];
    if (orphans.length > 0) await tx.alertEvent.updateMany({ where: { id: { in: orphans } }, data: { resolvedAt: now } });
  });
  return result;
}

const formatBurn = (burn: number) => `${burn >= 100 ? Math.round(burn) : burn.toFixed(1)}x`;

/** The leader task (worker/control-loops.ts). */
export const burnRateAlertTask = {
  name: 'slo-burn-rate-alerts',
  intervalMs: SLO_EVALUATION_INTERVAL_MS,
  run: async ({ log }: { log: (line: string) => void }): Promise<void> => {
    const { opened, resolved } = await evaluateBurnRateAlerts();
    for (const a of opened) log(`burn-rate ${a.severity} opened: ${a.serviceName} ${a.rule} (${formatBurn(a.longBurn)} long, ${formatBurn(a.shortBurn)} short)`);
    for (const a of resolved) log(`burn-rate ${a.severity} resolved: ${a.serviceName} ${a.rule}`);
  },
};
