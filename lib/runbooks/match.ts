// Which runbooks attach to an incident, by their conditions (FireHydrant's
// "runbooks attached by conditions"). A condition left empty matches
// anything; one that is set must hold. Among those that hold, the more
// specific match ranks first. Pure; unit-tested beside it.
import type { FailureMode, IncidentSeverity } from './model';

export type RunbookConditions = { id: string; name: string; failureMode: FailureMode; severities: readonly IncidentSeverity[]; serviceIds: readonly string[]; targetIds: readonly string[] };
export type IncidentContext = { failureMode: FailureMode | null; severity: IncidentSeverity; serviceId: string | null; targetIds: readonly string[] };
export type RunbookMatch = { id: string; name: string; score: number; because: string[] };

export function matchRunbooks(runbooks: readonly RunbookConditions[], incident: IncidentContext, names: { service?: string; failureMode?: string } = {}): RunbookMatch[] {
  const matches: RunbookMatch[] = [];
  for (const r of runbooks) {
    const because: string[] = [];
    let score = 0;
    if (incident.failureMode) {
      if (r.failureMode !== incident.failureMode) continue;
      score += 8;
      because.push(names.failureMode ?? 'its failure mode');
    }
    if (r.severities.length) {
      if (!r.severities.includes(incident.severity)) continue;
      score += 1;
      because.push(incident.severity);
    }
    if (r.serviceIds.length) {
      if (!incident.serviceId || !r.serviceIds.includes(incident.serviceId)) continue;
      score += 4;
      because.push(names.service ?? 'its service');
    }
    if (r.targetIds.length) {
      if (!incident.targetIds.some((t) => r.targetIds.includes(t))) continue;
      score += 4;
      because.push('a target it names');
    }
    matches.push({ id: r.id, name: r.name, score, because });
  }
  return matches.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
}
