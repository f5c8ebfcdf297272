import 'server-only';
// Writes evidence reports: from outside Standby through POST
// /api/v1/recovery/evidence, and from Standby's own domains (backups,
// drills, configuration history) by calling recordEvidence. Evidence is
// measurement, like health samples: each row keeps who reported it (the API
// token's name, or "standby") and when it arrived, and is never edited; it is
// not written to the audit log, which records changes people make.
import { authenticateMachine } from '@/lib/access/token-auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { inTransaction } from '@/lib/server/mutation';
import { errorResponse } from '@/lib/server/route';
import { evidenceFigures } from './rpo';
import { evidenceBatchInput, type EvidenceReport } from './schemas';

export type RecordedEvidence = { id: string; component: string; kind: string; observedAt: string; copyAt: string | null; rpoMs: number | null };

const MAX_FUTURE_MS = 5 * 60_000;

/** The point in time of the component's newest point-in-time copy observed up to `at` (replicas excluded). */
async function previousCopyAt(tx: Tx, componentId: string, at: Date): Promise<number | null> {
  const rows = await tx.$queryRaw<{ at: Date | null }[]>(Prisma.sql`
    SELECT max("copyAt") AS at FROM "RecoveryEvidence"
    WHERE "componentId" = ${componentId}::uuid AND "copyAt" IS NOT NULL AND NOT continuous AND "observedAt" <= ${at}::timestamp`);
  return rows[0]?.at?.getTime() ?? null;
}

/**
 * Records reports for components named as on the Recovery page, all or
 * none: an unknown or retired component refuses the whole batch, so a
 * misconfigured job is noticed rather than half-recorded.
 */
export async function recordEvidence(reports: readonly EvidenceReport[], source: string, receivedAt = new Date()): Promise<RecordedEvidence[]> {
  const names = [...new Set(reports.map((r) => r.component))];
  return inTransaction(async (tx) => {
    const components = await tx.recoveryComponent.findMany({ where: { name: { in: names } }, select: { id: true, name: true, retiredAt: true } });
    const byName = new Map(components.map((c) => [c.name, c]));
    const fieldErrors: Record<string, string[]> = {};
    reports.forEach((r, i) => {
      const component = byName.get(r.component);
      const problem = !component ? `No recovery component named "${r.component}". Components are listed on the Recovery page; an admin or operator adds new ones there.` : component.retiredAt ? `"${r.component}" is retired: its service or target was deleted.` : null;
      if (problem) fieldErrors[reports.length > 1 ? `reports.${i}.component` : 'component'] = [problem];
      if (r.observedAt !== undefined && r.observedAt > receivedAt.getTime() + MAX_FUTURE_MS) (fieldErrors[reports.length > 1 ? `reports.${i}.observedAt` : 'observedAt'] ??= []).push('observedAt is in the future. Check the reporting machine\'s clock.');
    });
    if (Object.keys(fieldErrors).length) throw new AppError('INVALID', 'Some reports need attention; none was recorded.', fieldErrors);

    // One writer per component at a time, so each copy is measured against the one before it.
    const ids = [...new Set(reports.map((r) => byName.get(r.component)!.id))].sort();
    for (const id of ids) await tx.$executeRaw(Prisma.sql`SELECT pg_advisory_xact_lock(hashtext(${`standby:evidence:${id}`}))`);

    const recorded: RecordedEvidence[] = [];
    for (const report of [...reports].sort((a, b) => (a.observedAt ?? receivedAt.getTime()) - (b.observedAt ?? receivedAt.getTime()))) {
      const component = byName.get(report.component)!;
      const observed = new Date(report.observedAt ?? receivedAt.getTime());
      const figures = evidenceFigures(report, receivedAt.getTime(), await previousCopyAt(tx, component.id, observed));
      const values = Object.fromEntries(
        Object.entries({
          newestCopyAt: report.newestCopyAt !== undefined ? new Date(report.newestCopyAt).toISOString() : undefined,
          lagMs: report.lagMs, restoreMs: report.restoreMs, sizeBytes: report.sizeBytes, reference: report.reference, detail: report.detail,
        }).filter(([, v]) => v !== undefined),
      );
      const row = await tx.recoveryEvidence.create({
        data: {
          componentId: component.id, kind: report.kind, observedAt: observed, receivedAt, ok: report.ok,
          copyAt: figures.copyAt === null ? null : new Date(figures.copyAt), continuous: figures.continuous, rpoMs: figures.rpoMs, restoreMs: figures.restoreMs,
          disruption: report.disruption ?? (report.kind === 'restore_test' ? 'data_loss' : null), values, source,
        },
        select: { id: true },
      });
      recorded.push({ id: row.id, component: component.name, kind: report.kind, observedAt: observed.toISOString(), copyAt: figures.copyAt === null ? null : new Date(figures.copyAt).toISOString(), rpoMs: figures.rpoMs });
    }
    return recorded;
  });
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * POST /api/v1/recovery/evidence (app/api/v1/recovery/evidence/route.ts):
 * a bearer token with the 'recovery:evidence' scope, a JSON body of one
 * report or { "reports": [...] } (at most 100), all recorded or none.
 */
export async function receiveEvidence(request: Request): Promise<Response> {
  try {
    const caller = await authenticateMachine(request.headers.get('authorization'), 'recovery:evidence');
    if (!(request.headers.get('content-type') ?? '').toLowerCase().includes('application/json')) throw new AppError('INVALID', 'Send the report as JSON (content-type: application/json).');
    const tooLarge = () => new AppError('INVALID', 'The body is larger than 1 MiB: send at most 100 reports per request.');
    if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw tooLarge();
    const text = await request.text();
    if (text.length > MAX_BODY_BYTES) throw tooLarge();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('INVALID', 'The body is not valid JSON.');
    }
    const input = parseInput(evidenceBatchInput, body);
    const recorded = await recordEvidence('reports' in input ? input.reports : [input], caller.tokenName);
    return Response.json({ recorded }, { status: 201 });
  } catch (error) {
    return errorResponse(error, '/api/v1/recovery/evidence');
  }
}
