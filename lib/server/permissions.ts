// The one permission map (issue: foundation, part 4). Pure: no I/O, so policy
// functions are unit-tested beside it (permissions.test.ts).
import type { Role } from './generated/prisma/enums';

export const ROLES = ['viewer', 'operator', 'commander', 'admin'] as const satisfies readonly Role[];

export const PERMISSIONS = [
  'estate.read', // see inventory, health, services, recovery posture
  'audit.read',
  'inventory.write', // providers, regions, targets, services
  'failover.write', // flip, pin, drain, tiers (failover issue)
  'drills.run',
  'recovery.write', // recovery components and objectives, episode classification
  'backups.write', // model backups: models, their required parts, bandwidth between regions, copy checks
  'incidents.write', // open and run incidents: severity, roles, status, steps, notes, post-mortems
  'runbooks.write', // edit the runbook library (a new version per edit)
  'credentials.manage',
  'users.manage',
  'tokens.manage',
  'settings.write',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: Permission[] = ['estate.read', 'audit.read'];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(VIEWER),
  operator: new Set<Permission>([...VIEWER, 'inventory.write', 'failover.write', 'drills.run', 'recovery.write', 'backups.write', 'runbooks.write']),
  commander: new Set<Permission>([...VIEWER, 'incidents.write', 'failover.write', 'runbooks.write']),
  admin: new Set<Permission>(PERMISSIONS),
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'Reads everything: health, inventory, compliance, audit. Changes nothing.',
  operator: 'SRE on call: edits inventory, flips failover, runs drills, sets recovery objectives, manages model backups, edits runbooks, runs the steering steps of an incident.',
  commander: 'Incident commander: runs incidents and runbooks, edits runbooks, may flip failover.',
  admin: 'Everything, plus users, credentials, API tokens and settings.',
};

export function hasPermission(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && ROLE_PERMISSIONS[role].has(permission);
}

export const canEditInventory = (role: Role | null | undefined) => hasPermission(role, 'inventory.write');
export const canManageUsers = (role: Role | null | undefined) => hasPermission(role, 'users.manage');
export const canManageCredentials = (role: Role | null | undefined) => hasPermission(role, 'credentials.manage');
