import { Badge, Tooltip } from '@mantine/core';
import { VERDICT_COLORS, VERDICT_LABELS, type Verdict } from '@/lib/recovery/verdict';

const HELP: Record<Verdict, string> = {
  compliant: 'Measured within the objective, with evidence from the last 90 days.',
  exceeded: 'The worst measured figure was up to 2x the objective.',
  severe: 'The worst measured figure was 2x to 4x the objective.',
  critical: 'The worst measured figure was over 4x the objective, or a restore failed.',
  unverified: 'Nothing measured it within the last 90 days: a drill, a restore test or a real episode would.',
  no_evidence: 'Its reports stopped arriving: what it last said no longer counts.',
  no_objective: 'No objective is set for this disruption.',
};

export function VerdictBadge({ verdict, size = 'sm' }: { verdict: Verdict; size?: 'xs' | 'sm' | 'md' }) {
  return (
    <Tooltip label={HELP[verdict]} multiline w={260} withinPortal>
      <Badge color={VERDICT_COLORS[verdict]} variant={verdict === 'compliant' || verdict === 'unverified' || verdict === 'no_evidence' ? 'light' : 'filled'} size={size} tt="none" miw="max-content" data-verdict={verdict}>
        {VERDICT_LABELS[verdict]}
      </Badge>
    </Tooltip>
  );
}
