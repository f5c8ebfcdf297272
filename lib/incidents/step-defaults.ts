// How a runbook step's blank parameters are filled from its incident: the
// incident's service, and the target at the heart of it (the one a signal
// named, else the service's primary). Notification text placeholders too.
// Pure; unit-tested beside it.
import type { ActionParams, CheckParams } from '@/lib/runbooks/schemas';
import type { ResolvedCheck } from './checks';

export type IncidentContext = {
  id: string;
  publicId: string;
  title: string;
  severity: string;
  status: string;
  serviceId: string | null;
  serviceName: string | null;
  /** The target a signal named, else the first of the service's chain. */
  focusTargetId: string | null;
  commander: string | null;
  link: string;
};

export type Names = { service: (id: string) => string | null; target: (id: string) => string | null };

/** The action's parameters with blanks filled where the incident says what they are. */
export function fillAction(params: ActionParams, ctx: IncidentContext): ActionParams {
  switch (params.action) {
    case 'pin':
    case 'drain':
      return { ...params, serviceId: params.serviceId ?? ctx.serviceId ?? undefined, targetId: params.targetId ?? (params.action === 'drain' ? (ctx.focusTargetId ?? undefined) : undefined) };
    case 'retire_model':
      return { ...params, targetId: params.targetId ?? (params.model ? undefined : (ctx.focusTargetId ?? undefined)) };
    case 'apply_config_version':
      return params;
    default:
      return { ...params, serviceId: params.serviceId ?? ctx.serviceId ?? undefined };
  }
}

/** A check with its subject filled in and named, or why it cannot be evaluated. */
export function resolveCheck(params: CheckParams, ctx: IncidentContext, names: Names): ResolvedCheck | { error: string } {
  if (params.metric === 'breaker_closed') {
    const targetId = params.targetId ?? ctx.focusTargetId;
    const targetName = targetId ? names.target(targetId) : null;
    if (!targetId || !targetName) return { error: targetId ? 'The target this check watches no longer exists.' : 'This incident names no target: set its service, or name a target in the runbook.' };
    return { metric: 'breaker_closed', targetId, targetName, forMinutes: params.forMinutes };
  }
  const serviceId = params.serviceId ?? ctx.serviceId;
  const serviceName = serviceId ? names.service(serviceId) : null;
  if (!serviceId || !serviceName) return { error: serviceId ? 'The service this check watches no longer exists.' : 'This incident names no service: set one to evaluate this check.' };
  return params.metric === 'error_rate'
    ? { metric: 'error_rate', serviceId, serviceName, belowPercent: params.belowPercent, forMinutes: params.forMinutes, minRequests: params.minRequests }
    : { metric: 'tier', serviceId, serviceName, tier: params.tier, forMinutes: params.forMinutes };
}

/** {incident}, {title}, {severity}, {status}, {service}, {commander}, {link} in a notification's text. */
export function renderMessage(template: string, ctx: IncidentContext): string {
  const values: Record<string, string> = {
    incident: ctx.publicId,
    title: ctx.title,
    severity: ctx.severity,
    status: ctx.status,
    service: ctx.serviceName ?? 'the service',
    commander: ctx.commander ?? 'nobody yet',
    link: ctx.link,
  };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
