'use client';

import { ConfirmButton } from '@/components/ui/confirm-button';
import { resetFaultsAction } from '@/lib/simulator/actions';

export function ResetFaultsButton({ name, version }: { name: string; version: number }) {
  return (
    <ConfirmButton
      label="Reset to healthy"
      variant="default"
      title={`Reset ${name} to healthy?`}
      message="Every fault of this simulated upstream is removed; it answers every request at once."
      confirmLabel="Reset"
      success={`${name} is healthy again.`}
      action={(reason) => resetFaultsAction({ name, version, reason })}
    />
  );
}
