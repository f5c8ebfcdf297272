// What Next's pages and routes need of this replica's data plane, which the
// front door starts outside Next (lib/gateway/runtime.ts): its status for
// GET /api/health and the dashboard's banner, and its metrics for the sign-in
// counter. Published once by the replica's bootstrap; null in a process that
// runs no data plane (next dev on its own, a test).
import { processSlot } from './process-slot';

export type DataPlaneStatus = {
  snapshot: { fresh: boolean; loadedAt: number | null; listening: boolean; lastError: string | null };
  recorder: { buffered: number; written: number; dropped: number; lastError: string | null };
};

/** How a sign-in attempt ended (lib/access/sign-in.ts), as /api/metrics counts it. */
export type SignInOutcome = 'signed_in' | 'refused' | 'throttled';

export type DataPlaneLink = { status(): DataPlaneStatus; observeSignIn(outcome: SignInOutcome): void };

const slot = processSlot<DataPlaneLink>('dataPlane');

export function publishDataPlane(link: DataPlaneLink): void {
  slot.set(link);
}

export function unpublishDataPlane(): void {
  slot.clear();
}

export function dataPlaneStatus(): DataPlaneStatus | null {
  return slot.get()?.status() ?? null;
}

/** Counted in /api/metrics (standby_signin_attempts_total) by the data plane of this process, when there is one. */
export function countSignIn(outcome: SignInOutcome): void {
  slot.get()?.observeSignIn(outcome);
}
