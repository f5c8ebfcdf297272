'use client';

import { useRouter } from 'next/navigation';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { archivePlanAction, haltRunAction, startRunAction } from '@/lib/drills/actions';

export function RunNowButton({ planId, name, summary }: { planId: string; name: string; summary: string }) {
  const router = useRouter();
  return (
    <ConfirmButton
      size="sm"
      variant="filled"
      label="Run now"
      title={`Run ${name} now?`}
      message={summary}
      confirmLabel="Start the drill"
      success={`${name} started.`}
      action={async () => {
        const result = await startRunAction({ planId });
        if (result.ok) router.push(`/drills/runs/${(result.data as { runId: string }).runId}`);
        return result;
      }}
    />
  );
}

export function HaltButton({ runId }: { runId: string }) {
  return (
    <ConfirmButton
      size="sm"
      danger
      label="Halt now"
      title="Halt this drill?"
      message="Every fault of the drill ends at once on every replica; the run is marked halted with your reason and scores nothing."
      confirmLabel="Halt"
      success="Drill halted: its faults have ended."
      action={(reason) => haltRunAction({ runId, reason })}
    />
  );
}

export function ArchivePlanButton({ planId, version, name }: { planId: string; version: number; name: string }) {
  const router = useRouter();
  return (
    <ConfirmButton
      size="sm"
      variant="default"
      danger
      label="Archive"
      title={`Archive ${name}?`}
      message="It leaves the drills page, the calendar, the recovery posture and the compliance report, and its schedule stops. Its past runs stay readable from the audit log."
      confirmLabel="Archive the drill"
      success={`${name} archived.`}
      action={async (reason) => {
        const result = await archivePlanAction({ planId, expectedVersion: version, reason });
        if (result.ok) router.push('/drills');
        return result;
      }}
    />
  );
}
