// Which requests a degraded service still serves as in Full: a tier sheds only
// the overflow (DESIGN.md, "Degradation level"). The control loop works out
// the share of demand the healthy targets have room for (servedShare =
// min(1, D)); each replica serves that share of its requests normally and
// gives the rest the tier's behaviour. A share rather than a per-replica rate
// limit: a load balancer gives each replica its part of the demand, so the
// same share on every replica sheds the same overflow in total, with no
// coordination. Pure (overflow.test.ts): no clock, no randomness.
import { overrideInForce } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';
import type { TierOverride } from '@/lib/routing/model';

/** What the gateway's snapshot holds about a service's tier (SnapshotDegradation, without its policy). */
export type TierInForce = { automaticTier: Tier; override: TierOverride | null; servedShare: number };

/**
 * Spreads admissions evenly: each request adds the served share to a credit,
 * and a request that brings the credit to one is admitted and spends it. A
 * share of 0.75 admits three requests in every four, in a steady pattern
 * rather than by chance, so a small sample is shed exactly as the share says.
 */
export class OverflowGate {
  private readonly credit = new Map<string, number>();

  /** Whether this request of `serviceId` fits within the share the healthy targets can take. */
  admit(serviceId: string, share: number): boolean {
    if (share >= 1) {
      this.credit.delete(serviceId);
      return true;
    }
    if (!(share > 0)) return false;
    const credit = (this.credit.get(serviceId) ?? 0) + share;
    // The tolerance keeps 0.1 added ten times (0.9999999999999999) from missing its admission.
    if (credit >= 1 - 1e-9) {
      this.credit.set(serviceId, credit - 1);
      return true;
    }
    this.credit.set(serviceId, credit);
    return false;
  }
}

/**
 * The tier one request gets. An operator's override applies to every request:
 * it is a deliberate choice, shown with its effect before it is confirmed. The
 * automatic tier applies only to the overflow: a request within the share the
 * healthy targets can take is served as in Full.
 */
export function tierForRequest(state: TierInForce, serviceId: string, gate: OverflowGate, now: number): Tier {
  const override = overrideInForce(state.override, now);
  if (override) return override.tier;
  if (state.automaticTier === 'full') return 'full';
  return gate.admit(serviceId, state.servedShare) ? 'full' : state.automaticTier;
}
