// The post-mortem's figures, drafted from the data: impact (failed requests,
// error budget burned, services and tiers affected), the RTO breakdown of the
// incident's disruption episodes against their objectives, and the step that
// took longest. Pure; data.ts reads the inputs, the page and the PDF print
// the same result. Unit-tested beside it (postmortem.test.ts).
import type { RecoveryComponentKind } from '@/lib/recovery/model';
import { tierRank } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';
import { slowestPart, type RtoParts } from '@/lib/recovery/rto-parts';

export type ServiceWindow = {
  name: string;
  sloTarget: number;
  sloWindowDays: number;
  /** Client requests and failures during the incident. */
  requests: number;
  failures: number;
  /** Client requests over the SLO window ending when the incident did: the budget is a share of these. */
  sloWindowRequests: number;
  /** The service's tier when the incident opened, then every tier it changed to during it. */
  tiers: Tier[];
};

export type EpisodeFigures = {
  id: string;
  componentName: string;
  componentKind: RecoveryComponentKind;
  disruption: string;
  startedAt: number;
  restoredAt: number | null;
  parts: RtoParts;
  rtoMs: number | null;
  objectiveRtoMs: number | null;
  failedRequests: number;
};

export type StepFigures = { runbook: string; title: string; kind: string; status: string; startedAt: number | null; finishedAt: number | null; startedBy: string | null; finishedBy: string | null };

export type PostmortemInputs = { openedAt: number; endedAt: number; ongoing: boolean; services: ServiceWindow[]; episodes: EpisodeFigures[]; steps: StepFigures[]; primaryComponentName: string | null };

export type ServiceImpactFigures = {
  name: string;
  requests: number;
  failures: number;
  failedShare: number | null;
  /** Share of the SLO window's error budget these failures used (1 = all of it); null when the window allows no failures to speak of. */
  budgetBurned: number | null;
  worstTier: Tier;
  tierChanges: number;
};

export type PostmortemFigures = {
  window: { from: number; to: number; durationMs: number; ongoing: boolean };
  impact: { requests: number; failures: number; failedShare: number | null; services: ServiceImpactFigures[]; affectedServices: string[] };
  rto: (EpisodeFigures & { ratio: number | null; slowest: keyof RtoParts | null }) | null;
  episodes: (EpisodeFigures & { ratio: number | null })[];
  steps: (StepFigures & { durationMs: number | null })[];
  slowestStep: (StepFigures & { durationMs: number }) | null;
};

const ratioOf = (e: EpisodeFigures) => (e.rtoMs !== null && e.objectiveRtoMs ? e.rtoMs / e.objectiveRtoMs : null);

export function computePostmortem(inputs: PostmortemInputs): PostmortemFigures {
  const services = inputs.services.map((s): ServiceImpactFigures => {
    const allowed = (1 - s.sloTarget) * s.sloWindowRequests;
    const worstTier = s.tiers.reduce<Tier>((worst, tier) => (tierRank(tier) > tierRank(worst) ? tier : worst), 'full');
    return {
      name: s.name,
      requests: s.requests,
      failures: s.failures,
      failedShare: s.requests > 0 ? s.failures / s.requests : null,
      budgetBurned: allowed >= 1 ? s.failures / allowed : null,
      worstTier,
      tierChanges: Math.max(0, s.tiers.length - 1),
    };
  });
  const requests = services.reduce((sum, s) => sum + s.requests, 0);
  const failures = services.reduce((sum, s) => sum + s.failures, 0);
  const episodes = [...inputs.episodes].sort((a, b) => a.startedAt - b.startedAt).map((e) => ({ ...e, ratio: ratioOf(e) }));
  // The headline RTO: the incident's own service's routing if it had an episode, else the episode furthest over its objective.
  const headline =
    episodes.find((e) => e.componentName === inputs.primaryComponentName) ??
    [...episodes].sort((a, b) => (b.ratio ?? -1) - (a.ratio ?? -1) || (b.rtoMs ?? 0) - (a.rtoMs ?? 0))[0] ??
    null;
  const steps = inputs.steps.map((s) => ({ ...s, durationMs: s.startedAt !== null && s.finishedAt !== null ? Math.max(0, s.finishedAt - s.startedAt) : null }));
  const timed = steps.filter((s): s is StepFigures & { durationMs: number } => s.durationMs !== null && s.durationMs > 0);
  return {
    window: { from: inputs.openedAt, to: inputs.endedAt, durationMs: Math.max(0, inputs.endedAt - inputs.openedAt), ongoing: inputs.ongoing },
    impact: {
      requests,
      failures,
      failedShare: requests > 0 ? failures / requests : null,
      services,
      affectedServices: services.filter((s) => s.failures > 0 || s.worstTier !== 'full').map((s) => s.name),
    },
    rto: headline ? { ...headline, slowest: slowestPart(headline.parts, headline.componentKind) } : null,
    episodes,
    steps,
    slowestStep: timed.reduce<(StepFigures & { durationMs: number }) | null>((worst, s) => (worst === null || s.durationMs > worst.durationMs ? s : worst), null),
  };
}
