// Who may do what in an incident (pure; docs/decisions/011-incidents-live-timeline.md):
// - viewers read every incident, runbook and post-mortem and act on nothing;
// - commanders and admins (incidents.write) run incidents: open, acknowledge,
//   severity, status, roles, runbooks, every kind of step, notes, timeline
//   corrections, post-mortems and follow-ups;
// - an action step needs the permission of its action as well, exactly as on
//   its own page (failover.write for steering, tiers and retirement; applying
//   a configuration version is settings.write, an admin's);
// - operators (failover.write) may run an incident's action steps, since they
//   can take those actions from the service page anyway, and add notes; the
//   rest of the incident is the commander's.
import { hasPermission, type Permission } from '@/lib/server/permissions';
import type { Role } from '@/lib/server/generated/prisma/enums';
import type { StepAction } from '@/lib/runbooks/model';

type R = Role | null | undefined;

export const permissionForAction = (action: StepAction): Permission => (action === 'apply_config_version' ? 'settings.write' : 'failover.write');

export const canRunIncident = (role: R) => hasPermission(role, 'incidents.write');
export const canRunActionStep = (role: R, action: StepAction) => hasPermission(role, permissionForAction(action)) && (hasPermission(role, 'incidents.write') || hasPermission(role, 'failover.write'));
export const canAddNote = (role: R) => hasPermission(role, 'incidents.write') || hasPermission(role, 'failover.write');
export const canEditRunbooks = (role: R) => hasPermission(role, 'runbooks.write');
export const canManageWebhooks = (role: R) => hasPermission(role, 'credentials.manage');
