// Sign-in throttling policy, pure (throttle.test.ts). After `maxFailures`
// failures within the window an account or address is locked for `lockMinutes`.
export type ThrottleState = { failures: number; windowStartsAt: Date; lockedUntil: Date | null };
export type ThrottlePolicy = { maxFailures: number; lockMinutes: number; windowMinutes: number };

export function lockRemainingMs(state: ThrottleState | null, now: Date): number {
  if (!state?.lockedUntil) return 0;
  return Math.max(0, state.lockedUntil.getTime() - now.getTime());
}

export function afterFailure(state: ThrottleState | null, now: Date, policy: ThrottlePolicy): ThrottleState {
  const windowExpired = !state || now.getTime() - state.windowStartsAt.getTime() > policy.windowMinutes * 60_000;
  const failures = windowExpired ? 1 : state.failures + 1;
  const windowStartsAt = windowExpired ? now : state.windowStartsAt;
  const lockedUntil = failures >= policy.maxFailures ? new Date(now.getTime() + policy.lockMinutes * 60_000) : null;
  return { failures: lockedUntil ? 0 : failures, windowStartsAt: lockedUntil ? now : windowStartsAt, lockedUntil };
}

export function lockMessage(remainingMs: number): string {
  const minutes = Math.ceil(remainingMs / 60_000);
  return `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an admin to check the account.`;
}
