import { Badge } from '@mantine/core';
import type { ModelStatus } from '@/lib/backups/estimate';

const LOOK: Record<ModelStatus['verdict'], { color: string; label: string }> = {
  protected: { color: 'teal', label: 'Restorable in time' },
  at_risk: { color: 'orange', label: 'At risk' },
  unprotected: { color: 'red', label: 'Not restorable elsewhere' },
};

export function BackupVerdictBadge({ verdict, testId = 'backup-verdict' }: { verdict: ModelStatus['verdict']; testId?: string }) {
  return (
    <Badge color={LOOK[verdict].color} variant="light" miw="max-content" data-testid={testId}>
      {LOOK[verdict].label}
    </Badge>
  );
}

export function RestorableBadge({ restorable }: { restorable: boolean }) {
  return (
    <Badge color={restorable ? 'teal' : 'red'} variant="light" miw="max-content">
      {restorable ? 'restorable' : 'not restorable'}
    </Badge>
  );
}
