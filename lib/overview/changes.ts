// "What changed in the last hour" on the Overview: tier changes, breaker
// transitions, operator overrides set, cleared or expired, burn-rate alerts
// opened or resolved, and configuration changes from the audit log, as one
// list, newest first. A breaker or tier that keeps changing is one line, not
// one per change (a flapping breaker would fill the page). Pure
// (changes.test.ts): data.ts reads the rows.
import { formatLevel } from '@/lib/degradation/describe';
import { TIER_LABELS, tierRank } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';

export type ChangeKind = 'tier' | 'breaker' | 'override' | 'alert' | 'config';
export type ChangeTone = 'red' | 'orange' | 'yellow' | 'teal' | 'gray' | 'blue';
export type ChangeLink = { label: string; href: string };

export type ChangeItem = {
  /** Unique across kinds, stable across refreshes. */
  id: string;
  at: string;
  kind: ChangeKind;
  tone: ChangeTone;
  title: string;
  detail: string | null;
  links: ChangeLink[];
  /** The target or service a breaker or tier change is about: repeated changes of one subject are grouped. */
  subject?: string;
  /** How many changes this line stands for (1 unless grouped). */
  count?: number;
};

export type BreakerState = 'closed' | 'open' | 'half_open';
const BREAKER_LABELS: Record<BreakerState, string> = { closed: 'closed', open: 'open', half_open: 'half-open' };

export type TierChangeRow = { id: string; serviceName: string; at: Date; from: Tier; to: Tier; cause: string; actor: string; reason: string | null; level: number | null };
export type BreakerTransitionRow = { id: string; targetName: string; services: string[]; from: BreakerState; to: BreakerState; at: Date; cause: string };
export type OverrideRow = {
  id: string;
  kind: 'force_failover' | 'pin' | 'drain';
  serviceName: string | null;
  targetName: string | null;
  reason: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  clearedAt: Date | null;
  clearedBy: string | null;
};
export type AlertRow = { id: string; serviceName: string; severity: 'page' | 'ticket'; rule: string; openedAt: Date; resolvedAt: Date | null; longBurn: number; shortBurn: number; kind?: string; details?: unknown };
export type AuditRow = { id: string; at: Date; actorEmail: string; action: string; entityType: string; entityName: string | null; reason: string | null };

export type ChangeRows = { tiers: TierChangeRow[]; breakers: BreakerTransitionRow[]; overrides: OverrideRow[]; alerts: AlertRow[]; audit: AuditRow[] };

export const serviceHref = (name: string) => `/services/${encodeURIComponent(name)}`;
export const targetHref = (name: string) => `/targets/${encodeURIComponent(name)}`;
const serviceLink = (name: string): ChangeLink => ({ label: name, href: serviceHref(name) });
const targetLink = (name: string): ChangeLink => ({ label: name, href: targetHref(name) });

const why = (reason: string | null | undefined) => (reason?.trim() ? `: ${reason.trim()}` : '');

function tierChange(row: TierChangeRow): ChangeItem {
  const worse = tierRank(row.to) > tierRank(row.from);
  const tone: ChangeTone = !worse ? 'teal' : row.to === 'emergency' ? 'red' : row.to === 'minimal' ? 'orange' : 'yellow';
  const level = row.level === null ? '' : ` (capacity ${formatLevel(row.level)} of demand)`;
  const detail: Record<string, string> = {
    automatic: `Automatic${level}`,
    override: `Set by ${row.actor}${why(row.reason)}`,
    override_cleared: `Override cleared by ${row.actor}${why(row.reason)}`,
    override_expired: 'Override expired',
  };
  return {
    id: `tier-${row.id}`, at: row.at.toISOString(), kind: 'tier', tone,
    title: `${row.serviceName}: tier ${TIER_LABELS[row.from]} → ${TIER_LABELS[row.to]}`,
    detail: detail[row.cause] ?? `${row.cause} by ${row.actor}${why(row.reason)}`,
    links: [serviceLink(row.serviceName)],
    subject: row.serviceName,
  };
}

function breakerTransition(row: BreakerTransitionRow): ChangeItem {
  const tone: ChangeTone = row.to === 'open' ? 'red' : row.to === 'half_open' ? 'yellow' : 'teal';
  return {
    id: `breaker-${row.id}`, at: row.at.toISOString(), kind: 'breaker', tone,
    title: `${row.targetName}: breaker ${BREAKER_LABELS[row.from]} → ${BREAKER_LABELS[row.to]}`,
    detail: row.cause || null,
    links: [targetLink(row.targetName), ...row.services.map(serviceLink)],
    subject: row.targetName,
  };
}

function overrideSubject(row: OverrideRow): { text: string; links: ChangeLink[] } {
  const links = [...(row.serviceName ? [serviceLink(row.serviceName)] : []), ...(row.targetName ? [targetLink(row.targetName)] : [])];
  switch (row.kind) {
    case 'pin':
      return { text: `${row.serviceName ?? 'a service'} pinned to ${row.targetName ?? 'a target'}`, links };
    case 'drain':
      return { text: `${row.targetName ?? 'a target'} drained${row.serviceName ? ` for ${row.serviceName}` : ''}`, links };
    case 'force_failover':
      return { text: `${row.serviceName ?? 'a service'} forced to fail over${row.targetName ? ` away from ${row.targetName}` : ''}`, links };
  }
}

function overrideChanges(row: OverrideRow, since: Date, now: Date): ChangeItem[] {
  const { text, links } = overrideSubject(row);
  const items: ChangeItem[] = [];
  if (row.createdAt >= since) {
    const until = row.expiresAt ? `, until ${row.expiresAt.toISOString().slice(11, 16)} UTC` : '';
    items.push({ id: `override-${row.id}-set`, at: row.createdAt.toISOString(), kind: 'override', tone: 'yellow', title: `Override: ${text}`, detail: `By ${row.createdBy}${why(row.reason)}${until}`, links });
  }
  if (row.clearedAt && row.clearedAt >= since) {
    items.push({ id: `override-${row.id}-cleared`, at: row.clearedAt.toISOString(), kind: 'override', tone: 'gray', title: `Override ended: ${text}`, detail: `Cleared by ${row.clearedBy ?? 'someone'}`, links });
  }
  const expired = row.expiresAt && row.expiresAt >= since && row.expiresAt <= now && (!row.clearedAt || row.clearedAt > row.expiresAt);
  if (expired && row.expiresAt) {
    items.push({ id: `override-${row.id}-expired`, at: row.expiresAt.toISOString(), kind: 'override', tone: 'gray', title: `Override ended: ${text}`, detail: 'Expired', links });
  }
  return items;
}

const formatBurn = (burn: number) => `${burn >= 100 ? Math.round(burn).toLocaleString('en-US') : Number(burn.toFixed(1))}×`;

function alertChanges(row: AlertRow, since: Date): ChangeItem[] {
  if (row.kind === 'backup_missed') return backupAlertChanges(row, since);
  const label = `${row.severity === 'page' ? 'Page' : 'Ticket'} ${row.rule}`;
  const items: ChangeItem[] = [];
  if (row.openedAt >= since) {
    items.push({
      id: `alert-${row.id}-opened`, at: row.openedAt.toISOString(), kind: 'alert', tone: row.severity === 'page' ? 'red' : 'orange',
      title: `${row.serviceName}: burn-rate alert ${label} opened`, detail: `Burning ${formatBurn(row.longBurn)} over the long window, ${formatBurn(row.shortBurn)} over the short one`,
      links: [serviceLink(row.serviceName)],
    });
  }
  if (row.resolvedAt && row.resolvedAt >= since) {
    items.push({ id: `alert-${row.id}-resolved`, at: row.resolvedAt.toISOString(), kind: 'alert', tone: 'teal', title: `${row.serviceName}: burn-rate alert ${label} resolved`, detail: null, links: [serviceLink(row.serviceName)] });
  }
  return items;
}

/** A missed backup of a model the service routes to (lib/backups/task.ts). */
function backupAlertChanges(row: AlertRow, since: Date): ChangeItem[] {
  const details = (row.details ?? {}) as { model?: string; why?: string };
  const model = details.model ?? row.rule.replace(/^backup-missed:/, '');
  const links = [serviceLink(row.serviceName), { label: 'Backups', href: '/backups' }];
  const items: ChangeItem[] = [];
  if (row.openedAt >= since) items.push({ id: `alert-${row.id}-opened`, at: row.openedAt.toISOString(), kind: 'alert', tone: 'orange', title: `${row.serviceName}: backup of ${model} missed`, detail: details.why ?? null, links });
  if (row.resolvedAt && row.resolvedAt >= since) items.push({ id: `alert-${row.id}-resolved`, at: row.resolvedAt.toISOString(), kind: 'alert', tone: 'teal', title: `${row.serviceName}: backup of ${model} restorable again`, detail: null, links });
  return items;
}

const ENTITY_HREF: Record<string, (name: string) => string> = {
  service: serviceHref,
  target: targetHref,
  provider: (name) => `/providers?q=${encodeURIComponent(name)}`,
  region: (name) => `/regions?q=${encodeURIComponent(name)}`,
  simulated_upstream: () => '/simulator',
};

const VERBS: Record<string, string> = {
  create: 'created', update: 'updated', delete: 'deleted', enable: 'enabled', disable: 'disabled', rotate: 'rotated', apply: 'applied',
  chain_update: 'changed the failover chain of', policy_update: 'changed the degradation policy of', faults: 'set simulated faults on',
};

function auditChange(row: AuditRow): ChangeItem {
  const [domain, verb = ''] = row.action.split('.', 2);
  const did = VERBS[verb] ?? verb.replace(/_/g, ' ');
  const entity = row.entityName ? `${row.entityType} ${row.entityName}` : row.entityType;
  const href = row.entityName && ENTITY_HREF[row.entityType] ? ENTITY_HREF[row.entityType](row.entityName) : domain === 'config' ? '/admin/config' : '/audit';
  return {
    id: `audit-${row.id}`, at: row.at.toISOString(), kind: 'config', tone: 'blue',
    title: `${row.actorEmail} ${did} ${domain === 'config' ? 'a configuration' : entity}`,
    detail: row.reason?.trim() || null,
    links: [{ label: row.entityName ?? (domain === 'config' ? 'configuration' : 'audit log'), href }],
  };
}

/** Changes of one breaker or one service's tier beyond this many in the window become one line. */
export const GROUP_AFTER = 2;

const clock = (iso: string) => `${iso.slice(11, 16)} UTC`;

/**
 * One line for a subject that changed more than GROUP_AFTER times: placed at
 * its latest change, saying how many and since when, with the latest state,
 * its cause and its links.
 */
function groupRepeats(items: ChangeItem[]): ChangeItem[] {
  const bySubject = new Map<string, ChangeItem[]>();
  for (const item of items) {
    if (!item.subject || (item.kind !== 'breaker' && item.kind !== 'tier')) continue;
    const key = `${item.kind}:${item.subject}`;
    bySubject.set(key, [...(bySubject.get(key) ?? []), item]);
  }
  const grouped = new Set<string>();
  const lines: ChangeItem[] = [];
  for (const [key, group] of bySubject) {
    if (group.length <= GROUP_AFTER) continue;
    grouped.add(key);
    const [latest] = group; // newest first
    const earliest = group[group.length - 1];
    const what = latest.kind === 'breaker' ? 'breaker changed state' : 'tier changed';
    const now = latest.title.slice(latest.title.lastIndexOf('→') + 2);
    lines.push({
      ...latest,
      id: `${latest.kind}-group-${latest.subject}-${latest.id}`,
      title: `${latest.subject}: ${what} ${group.length} times, now ${now}`,
      detail: `Since ${clock(earliest.at)}${latest.detail ? `. Latest: ${latest.detail}` : ''}`,
      count: group.length,
    });
  }
  return [...items.filter((item) => !item.subject || !grouped.has(`${item.kind}:${item.subject}`)), ...lines];
}

/**
 * Every change in (since, now], newest first, a subject that keeps changing
 * grouped into one line, at most `limit` lines (truncated says whether more
 * happened).
 */
export function collectChanges(rows: ChangeRows, since: Date, now: Date, limit: number): { items: ChangeItem[]; truncated: boolean; total: number } {
  const all = [
    ...rows.tiers.map(tierChange),
    ...rows.breakers.map(breakerTransition),
    ...rows.overrides.flatMap((row) => overrideChanges(row, since, now)),
    ...rows.alerts.flatMap((row) => alertChanges(row, since)),
    ...rows.audit.map(auditChange),
  ].filter((item) => item.at >= since.toISOString() && item.at <= now.toISOString());
  const newestFirst = (a: ChangeItem, b: ChangeItem) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at < b.at ? 1 : -1);
  all.sort(newestFirst);
  const lines = groupRepeats(all).sort(newestFirst);
  return { items: lines.slice(0, limit), truncated: lines.length > limit, total: lines.length };
}
