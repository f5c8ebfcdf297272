// The vocabulary of recovery objectives (DESIGN.md, "RTO" and "Evidence, not
// declarations"), shared by the page, the report, the detector and the API.
// Pure: no I/O, safe in the browser.
import type { DisruptionKind, EvidenceKind, RecoveryComponentKind } from '@/lib/server/generated/prisma/enums';

export type { DisruptionKind, EvidenceKind, RecoveryComponentKind };

export const DISRUPTIONS = ['provider_outage', 'regional_outage', 'capacity_loss', 'model_retirement', 'data_loss'] as const satisfies readonly DisruptionKind[];
export const COMPONENT_KINDS = ['service_routing', 'model_serving', 'conversation_history', 'configuration', 'external'] as const satisfies readonly RecoveryComponentKind[];
export const EVIDENCE_KINDS = ['backup', 'replica_lag', 'restore_test', 'drill', 'config_export', 'conversation_write'] as const satisfies readonly EvidenceKind[];

export const DISRUPTION_LABELS: Record<DisruptionKind, string> = {
  provider_outage: 'Provider outage',
  regional_outage: 'Regional outage',
  capacity_loss: 'Rate limiting or capacity loss',
  model_retirement: 'Model quality or safety retirement',
  data_loss: 'Loss of data or artifacts',
};

/** Short column headings for the grid. */
export const DISRUPTION_SHORT: Record<DisruptionKind, string> = {
  provider_outage: 'Provider outage',
  regional_outage: 'Regional outage',
  capacity_loss: 'Capacity loss',
  model_retirement: 'Model retirement',
  data_loss: 'Data loss',
};

export const COMPONENT_KIND_LABELS: Record<RecoveryComponentKind, string> = {
  service_routing: 'API routing',
  model_serving: 'Model serving',
  conversation_history: 'Conversation history',
  configuration: 'Configuration',
  external: 'Outside Standby',
};

export const EVIDENCE_KIND_LABELS: Record<EvidenceKind, string> = {
  backup: 'Backup',
  replica_lag: 'Replica lag',
  restore_test: 'Restore test',
  drill: 'Drill',
  config_export: 'Configuration export',
  conversation_write: 'Durable conversation write',
};

/** Components whose loss can lose data: their RPO is measured from reported copies. Routing and API serving hold no state. */
export const STATEFUL_KINDS: ReadonlySet<RecoveryComponentKind> = new Set(['conversation_history', 'configuration', 'external']);

/** Episodes are detected for these from the gateway's own traffic. */
export const TRAFFIC_KINDS: ReadonlySet<RecoveryComponentKind> = new Set(['service_routing', 'model_serving']);

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Evidence older than a quarter proves nothing any more (the seeds' quarterly rule). */
export const EVIDENCE_FRESH_MS = 90 * DAY;

export type ObjectiveTemplate = { disruption: DisruptionKind; rtoMs: number; rpoMs: number };

const each = (disruptions: readonly DisruptionKind[], rtoMs: number, rpoMs: number): ObjectiveTemplate[] => disruptions.map((disruption) => ({ disruption, rtoMs, rpoMs }));
const OUTAGES = ['provider_outage', 'regional_outage', 'capacity_loss', 'model_retirement'] as const;

/**
 * The objectives a new component starts with: DESIGN.md's reference table
 * (API routing 30 s / 0; conversation history 5 min / 1 min; model serving
 * 5 min / 0; user preferences 15 min / 5 min, which is what an outside
 * component starts from). Only the disruptions that can take the component
 * down are listed: routing and API serving hold no data to lose; state is
 * lost to a regional outage (the copy in another region counts) or to a loss
 * of data.
 *
 * Configuration: RTO 15 min, RPO 1 h. The gateway keeps routing on its last
 * snapshot when the control plane is gone (static stability), so callers do
 * not wait on it, but nobody can flip failover until it is back: it should be
 * back within one incident's triage, like user preferences. Edits happen a
 * few times a day and each is in the audit log, so an hourly export loses at
 * most an hour of edits that an operator can redo from the log.
 */
export function defaultObjectives(kind: RecoveryComponentKind, options: { selfHosted?: boolean } = {}): ObjectiveTemplate[] {
  switch (kind) {
    case 'service_routing':
      return each(OUTAGES, 30 * SECOND, 0);
    case 'model_serving':
      // A self-hosted model's weights, tokenizer and templates can be lost; an API model's cannot (by us).
      return [...each(OUTAGES, 5 * MINUTE, 0), ...(options.selfHosted ? each(['data_loss'], 5 * MINUTE, 0) : [])];
    case 'conversation_history':
      return each(['regional_outage', 'data_loss'], 5 * MINUTE, MINUTE);
    case 'configuration':
      return each(['regional_outage', 'data_loss'], 15 * MINUTE, HOUR);
    case 'external':
      return each(['regional_outage', 'data_loss'], 15 * MINUTE, 5 * MINUTE);
  }
}

/** The reason an objective created from the defaults records. */
export const DEFAULT_OBJECTIVE_REASON = 'Default from the reference table (DESIGN.md)';

export const routingComponentName = (serviceName: string) => `${serviceName} routing`;
export const servingComponentName = (targetName: string) => `${targetName} serving`;
export const conversationComponentName = (serviceName: string) => `${serviceName} conversations`;
