// The incident flow's vocabulary (DESIGN.md: detect, triage P0-P3, mitigate,
// investigate, recover, post-mortem). Pure.
import type { FailureMode, IncidentSeverity, IncidentStatus } from '@/lib/server/generated/prisma/enums';
import type { DisruptionKind } from '@/lib/recovery/model';

export type { IncidentSeverity, IncidentStatus };

export const STATUSES = ['triage', 'mitigating', 'investigating', 'recovering', 'resolved', 'postmortem', 'closed'] as const satisfies readonly IncidentStatus[];

export const STATUS_LABELS: Record<IncidentStatus, string> = {
  triage: 'Triage',
  mitigating: 'Mitigating',
  investigating: 'Investigating',
  recovering: 'Recovering',
  resolved: 'Resolved',
  postmortem: 'Post-mortem',
  closed: 'Closed',
};

/** What each phase is for, as the status picker says it. */
export const STATUS_HINTS: Record<IncidentStatus, string> = {
  triage: 'Assess the impact and set the severity',
  mitigating: 'Stop the bleeding: move traffic, shed load',
  investigating: 'Find the cause while callers are served',
  recovering: 'Bring the primary back and watch it hold',
  resolved: 'Callers are served as before',
  postmortem: 'Write up what happened and what to change',
  closed: 'Post-mortem done, follow-ups tracked',
};

/** Open incidents are those still being worked on: signals join them. */
export const OPEN_STATUSES: readonly IncidentStatus[] = ['triage', 'mitigating', 'investigating', 'recovering'];
export const isOpen = (status: IncidentStatus) => OPEN_STATUSES.includes(status);

export const SEVERITY_COLORS: Record<IncidentSeverity, string> = { P0: 'red', P1: 'orange', P2: 'yellow', P3: 'gray' };

export const STATUS_COLORS: Record<IncidentStatus, string> = {
  triage: 'red',
  mitigating: 'orange',
  investigating: 'yellow',
  recovering: 'blue',
  resolved: 'teal',
  postmortem: 'grape',
  closed: 'gray',
};

export const publicIdOf = (number: number) => `INC-${number}`;

/** Parses INC-12 (or 12) back to the number; null if it is neither. */
export function numberOfPublicId(value: string): number | null {
  const match = /^(?:inc-)?(\d{1,9})$/i.exec(value.trim());
  return match ? Number(match[1]) : null;
}

export const ROLE_FIELDS = ['commanderId', 'operationsLeadId', 'communicationsLeadId'] as const;
export type IncidentRole = (typeof ROLE_FIELDS)[number];
export const ROLE_LABELS: Record<IncidentRole, string> = {
  commanderId: 'Commander',
  operationsLeadId: 'Operations lead',
  communicationsLeadId: 'Communications',
};

/** The failure mode an episode's disruption suggests; a self-hosted target's outage is a GPU or node failure. */
export function failureModeOf(disruption: DisruptionKind, selfHosted = false): FailureMode {
  switch (disruption) {
    case 'provider_outage':
      return selfHosted ? 'gpu_node_failure' : 'provider_outage';
    case 'regional_outage':
      return 'regional_outage';
    case 'capacity_loss':
      return 'capacity_exhaustion';
    case 'model_retirement':
      return 'quality_degradation';
    case 'data_loss':
      return 'lost_artifacts';
  }
}

/** Timeline kinds, and whether an entry of that kind is in the curated view by default. */
export const TIMELINE_KINDS = {
  opened: true,
  acknowledged: true,
  alert: true,
  breaker: false,
  override: true,
  tier: true,
  episode: true,
  step: true,
  runbook: true,
  notification: false,
  role: false,
  severity: true,
  status: true,
  note: true,
  retirement: true,
  signal: false,
  correction: false,
  postmortem: false,
  followup: false,
  drill: true,
} as const;
export type TimelineKind = keyof typeof TIMELINE_KINDS;
export const curatedByDefault = (kind: string) => (TIMELINE_KINDS as Record<string, boolean>)[kind] ?? false;
