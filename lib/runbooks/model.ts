// The runbook library's vocabulary: failure modes, step kinds and the actions
// a step can take. Pure, shared by the pages, the editor and the incident flow.
import type { FailureMode, IncidentSeverity, RunbookStepKind } from '@/lib/server/generated/prisma/enums';

export type { FailureMode, IncidentSeverity, RunbookStepKind };

export const FAILURE_MODES = [
  'provider_outage',
  'regional_outage',
  'capacity_exhaustion',
  'quality_degradation',
  'safety_incident',
  'gpu_node_failure',
  'lost_artifacts',
  'database_loss',
] as const satisfies readonly FailureMode[];

export const FAILURE_MODE_LABELS: Record<FailureMode, string> = {
  provider_outage: 'Provider outage',
  regional_outage: 'Regional outage',
  capacity_exhaustion: 'Rate limiting and capacity exhaustion',
  quality_degradation: 'Model quality degradation',
  safety_incident: 'Safety incident',
  gpu_node_failure: 'Self-hosted GPU or node failure',
  lost_artifacts: 'Lost model artifacts',
  database_loss: "Loss of Standby's own database",
};

export const SEVERITIES = ['P0', 'P1', 'P2', 'P3'] as const satisfies readonly IncidentSeverity[];

export const SEVERITY_LABELS: Record<IncidentSeverity, string> = {
  P0: 'P0 critical',
  P1: 'P1 major',
  P2: 'P2 minor',
  P3: 'P3 low',
};

export const STEP_KINDS = ['instruction', 'action', 'check', 'notify', 'decision'] as const satisfies readonly RunbookStepKind[];

export const STEP_KIND_LABELS: Record<RunbookStepKind, string> = {
  instruction: 'Instruction',
  action: 'Action',
  check: 'Check',
  notify: 'Notify',
  decision: 'Decision',
};

/** Standby actions a step can run; each goes through the same mutation as its page. */
export const STEP_ACTIONS = [
  'force_failover',
  'pin',
  'drain',
  'return_to_automatic',
  'tier_override',
  'clear_tier_override',
  'retire_model',
  'apply_config_version',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export const STEP_ACTION_LABELS: Record<StepAction, string> = {
  force_failover: 'Force failover',
  pin: 'Pin to a target',
  drain: 'Drain a target',
  return_to_automatic: 'Return to automatic routing',
  tier_override: 'Hold a degradation tier',
  clear_tier_override: 'Clear the tier hold',
  retire_model: 'Retire a model everywhere',
  apply_config_version: 'Apply a saved configuration version',
};

/** Exit criteria a check step reads from live telemetry. */
export const CHECK_METRICS = ['error_rate', 'breaker_closed', 'tier'] as const;
export type CheckMetric = (typeof CHECK_METRICS)[number];

export const CHECK_METRIC_LABELS: Record<CheckMetric, string> = {
  error_rate: 'Error rate of a service below a share',
  breaker_closed: "A target's breaker closed",
  tier: 'A service in a tier (or better)',
};

/** Lanes: 0 is the main line; 1-3 run beside each other (lanes.ts). */
export const LANES = [0, 1, 2, 3] as const;
export const LANE_LABELS: Record<number, string> = { 0: 'Main', 1: 'Lane A', 2: 'Lane B', 3: 'Lane C' };
