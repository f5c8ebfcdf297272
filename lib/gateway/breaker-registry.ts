import 'server-only';
// The replica's live breakers, one per target (pure state machine in breaker.ts).
// A local transition is written to TargetBreaker + BreakerTransition without
// waiting; the row change NOTIFYs every replica, whose snapshot reload calls
// followShared(), so all replicas agree on each target's state. The row names
// the replica that wrote it, so a replica never follows its own write back.
import { db } from '@/lib/server/db';
import { DEFAULT_BREAKER_CONFIG } from '@/lib/routing/defaults';
import { forceState, initialBreaker, nextProbeAt, recordResult, tryAcquire, type Breaker, type Transition } from './breaker';
import { type BreakerConfig, type BreakerView } from '@/lib/routing/model';
import type { BreakerState } from '@/lib/routing/enums';

export type TransitionRecord = Transition & { targetId: string; replica: string };
export type TransitionWriter = (transition: TransitionRecord) => Promise<void>;

export const writeTransition: TransitionWriter = async (t) => {
  await db().$transaction([
    db().targetBreaker.upsert({
      where: { targetId: t.targetId },
      create: { targetId: t.targetId, state: t.to, since: new Date(t.at), replica: t.replica },
      update: { state: t.to, since: new Date(t.at), version: { increment: 1 }, replica: t.replica },
    }),
    db().breakerTransition.create({ data: { targetId: t.targetId, from: t.from, to: t.to, at: new Date(t.at), cause: t.cause, replica: t.replica } }),
  ]);
};

export class BreakerRegistry {
  private readonly breakers = new Map<string, Breaker>();
  private readonly pendingWrites: TransitionRecord[] = [];
  /** The shared row version last looked at, per target: only a row that moved is news. */
  private readonly seenVersions = new Map<string, number>();
  /** Targets whose shared state this registry has written: a row it wrote is its own past. */
  private readonly written = new Set<string>();
  private writing = false;

  constructor(
    private readonly replica: string,
    private readonly configOf: (targetId: string) => BreakerConfig = () => DEFAULT_BREAKER_CONFIG,
    private readonly write: TransitionWriter = writeTransition,
    private readonly onTransition: (t: TransitionRecord) => void = () => {},
    /** The clock of `view` and of calls that pass no time (a test moves it on instead of waiting). */
    private readonly clock: () => number = Date.now,
  ) {}

  private get(targetId: string, now: number): Breaker {
    let breaker = this.breakers.get(targetId);
    if (!breaker) {
      breaker = initialBreaker(now);
      this.breakers.set(targetId, breaker);
    }
    return breaker;
  }

  private commit(targetId: string, breaker: Breaker, transition: Transition | undefined, share: boolean): void {
    this.breakers.set(targetId, breaker);
    if (!transition) return;
    const record = { ...transition, targetId, replica: this.replica };
    this.onTransition(record);
    if (share) {
      this.written.add(targetId);
      this.pendingWrites.push(record);
      void this.drain();
    }
  }

  /** Transitions are written in order; if the database is away they wait and are retried. */
  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.pendingWrites.length > 0) {
        try {
          await this.write(this.pendingWrites[0]);
          this.pendingWrites.shift();
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** May an attempt go to this target now? (OPEN refuses; HALF_OPEN admits a limited number of probes.) */
  acquire(targetId: string, now = this.clock()): boolean {
    const { allowed, breaker, transition } = tryAcquire(this.get(targetId, now), now, this.configOf(targetId));
    this.commit(targetId, breaker, transition, true);
    return allowed;
  }

  report(targetId: string, ok: boolean, acquiredAt: number, now = this.clock()): void {
    const { breaker, transition } = recordResult(this.get(targetId, now), ok, now, this.configOf(targetId), acquiredAt);
    this.commit(targetId, breaker, transition, true);
  }

  /**
   * Follows the states the replicas share through PostgreSQL (the snapshot's
   * breaker rows). A row is news only when its version moved, and only when
   * another replica (or an operator) wrote it: this replica's own write read
   * back is its past, and following it would undo whatever the breaker has
   * done since (an OPEN written, then HALF_OPEN here, then the OPEN read back
   * would let another trial request through to a target that just failed).
   * A row under this replica's name that this registry never wrote (an
   * earlier process with the same host and pid, as in a restarted container)
   * is followed like any other.
   */
  followShared(shared: ReadonlyMap<string, { state: BreakerState; since: number; version: number; replica: string | null }>): void {
    for (const [targetId, row] of shared) {
      if (this.seenVersions.get(targetId) === row.version) continue;
      this.seenVersions.set(targetId, row.version);
      if (row.replica === this.replica && this.written.has(targetId)) continue;
      this.applyShared(targetId, row.state, row.since);
    }
  }

  /** Another replica (or an operator) changed the shared state: follow it without writing it back. */
  applyShared(targetId: string, state: BreakerState, since: number, cause = 'state shared by another replica'): void {
    const current = this.get(targetId, since);
    if (current.state === state) return;
    const { breaker, transition } = forceState(current, state, since, cause);
    this.commit(targetId, breaker, transition, false);
  }

  /**
   * The state planners route by. An OPEN breaker whose openMs has passed reads as
   * HALF_OPEN: it admits a probe (acquire() makes the move), so the planner must
   * offer the target again, or traffic would never return to a recovered primary.
   */
  readonly view: BreakerView = (targetId) => {
    const breaker = this.breakers.get(targetId);
    if (!breaker) return 'closed';
    const probeAt = nextProbeAt(breaker, this.configOf(targetId));
    return probeAt !== null && probeAt <= this.clock() ? 'half_open' : breaker.state;
  };

  states(): Map<string, BreakerState> {
    return new Map([...this.breakers].map(([id, b]) => [id, b.state]));
  }
}
