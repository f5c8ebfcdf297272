import 'server-only';
// The Emergency tier's retry queue in PostgreSQL (prisma QueuedRequest): a
// client that sends `x-standby-queue: true` while a service is in Emergency
// gets 202 and an id; the leader's replay loop (queue-replay.ts) runs the
// request once the service has recovered, and the client fetches the result
// with GET /api/v1/queued/<id>. Enqueuing is the one database write on the
// gateway's request path, made only because the client asked for it; it is
// bounded in time so that a database that hangs cannot hold the request.
import { randomBytes } from 'node:crypto';
import { db, Prisma } from '@/lib/server/db';

export type QueuedStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'expired';

export type QueuedRequestView = {
  publicId: string;
  serviceId: string;
  tokenId: string | null;
  status: QueuedStatus;
  createdAt: Date;
  expiresAt: Date;
  completedAt: Date | null;
  attempts: number;
  resultStatus: number | null;
  result: unknown;
  lastError: string | null;
};

export type ClaimedRequest = { id: string; publicId: string; serviceId: string; tokenId: string | null; body: Record<string, unknown>; attempts: number };

/** What the gateway needs: queue a request, read one back. */
export type GatewayQueue = {
  enqueue(input: { serviceId: string; tokenId: string | null; body: Record<string, unknown>; ttlSeconds: number; now: number }): Promise<{ publicId: string; createdAt: Date; expiresAt: Date }>;
  find(publicId: string): Promise<QueuedRequestView | null>;
};

/** What the replay loop needs besides. */
export type ReplayQueue = GatewayQueue & {
  /** Queued rows past their expiry become expired; returns how many. */
  expireDue(now: number): Promise<number>;
  /** Rows left running by a leader that died mid-replay go back to the queue. */
  releaseStale(startedBefore: number): Promise<number>;
  /** Services with rows ready to run now, oldest first. */
  pendingServiceIds(now: number): Promise<string[]>;
  /** Takes up to `limit` ready rows of a service, in order, marking them running; concurrent claimers skip each other's rows. */
  claim(serviceId: string, limit: number, now: number): Promise<ClaimedRequest[]>;
  finish(id: string, outcome: { status: 'succeeded' | 'failed'; resultStatus: number; result: unknown; lastError: string | null; now: number }): Promise<void>;
  /** Back to the queue; a tier refusal does not count as an attempt. */
  release(id: string, outcome: { countAttempt: boolean; lastError: string | null; resultStatus: number | null }): Promise<void>;
};

export const QUEUED_ID_PREFIX = 'sbq_';
export const newQueuedId = () => `${QUEUED_ID_PREFIX}${randomBytes(18).toString('base64url')}`;

/** A replay that failed waits 2 s, 4 s, 8 s... up to a minute before the next one (by its startedAt). */
export const REPLAY_BACKOFF_BASE_SECONDS = 2;
export const REPLAY_BACKOFF_MAX_SECONDS = 60;

/**
 * The enqueue budget: past this the client gets the maintenance answer saying
 * the queue is unavailable. The insert is not cancelled, so a very slow one may
 * still land and be replayed with nobody to fetch it: wasted work, never a
 * wrong answer.
 */
const ENQUEUE_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const VIEW_SELECT = {
  publicId: true, serviceId: true, tokenId: true, status: true, createdAt: true, expiresAt: true, completedAt: true, attempts: true, resultStatus: true, result: true, lastError: true,
} as const;

export function createRetryQueue(): ReplayQueue {
  return {
    async enqueue({ serviceId, tokenId, body, ttlSeconds, now }) {
      const createdAt = new Date(now);
      const expiresAt = new Date(now + ttlSeconds * 1000);
      const publicId = newQueuedId();
      await withTimeout(
        db().queuedRequest.create({ data: { publicId, serviceId, tokenId, body: body as Prisma.InputJsonObject, createdAt, expiresAt }, select: { id: true } }),
        ENQUEUE_TIMEOUT_MS,
        'queueing the request',
      );
      return { publicId, createdAt, expiresAt };
    },

    async find(publicId) {
      return db().queuedRequest.findUnique({ where: { publicId }, select: VIEW_SELECT });
    },

    async expireDue(now) {
      const { count } = await db().queuedRequest.updateMany({
        where: { status: 'queued', expiresAt: { lte: new Date(now) } },
        data: { status: 'expired', completedAt: new Date(now), lastError: 'The service did not recover before the request expired.' },
      });
      return count;
    },

    async releaseStale(startedBefore) {
      const { count } = await db().queuedRequest.updateMany({ where: { status: 'running', startedAt: { lt: new Date(startedBefore) } }, data: { status: 'queued' } });
      return count;
    },

    async pendingServiceIds(now) {
      const rows = await db().$queryRaw<{ serviceId: string }[]>`
        SELECT "serviceId" FROM "QueuedRequest"
        WHERE status = 'queued' AND "expiresAt" > ${new Date(now)}::timestamp
        GROUP BY "serviceId" ORDER BY min("createdAt")`;
      return rows.map((row) => row.serviceId);
    },

    async claim(serviceId, limit, now) {
      const at = new Date(now);
      // One statement: the rows are locked, skipped by any other claimer, and marked running together.
      return db().$queryRaw<ClaimedRequest[]>`
        UPDATE "QueuedRequest" q SET status = 'running', "startedAt" = ${at}::timestamp, attempts = q.attempts + 1
        FROM (
          SELECT id FROM "QueuedRequest"
          WHERE "serviceId" = ${serviceId}::uuid AND status = 'queued' AND "expiresAt" > ${at}::timestamp
            AND ("startedAt" IS NULL OR "startedAt" <= ${at}::timestamp
                 - make_interval(secs => least(${REPLAY_BACKOFF_MAX_SECONDS}::int, ${REPLAY_BACKOFF_BASE_SECONDS}::int * power(2, greatest(attempts - 1, 0))::int)))
          ORDER BY "createdAt", id
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED
        ) picked
        WHERE q.id = picked.id
        RETURNING q.id, q."publicId", q."serviceId", q."tokenId", q.body, q.attempts`;
    },

    async finish(id, { status, resultStatus, result, lastError, now }) {
      await db().queuedRequest.update({
        where: { id },
        data: { status, resultStatus, result: result === null ? Prisma.JsonNull : (result as Prisma.InputJsonValue), lastError, completedAt: new Date(now) },
      });
    },

    async release(id, { countAttempt, lastError, resultStatus }) {
      await db().queuedRequest.update({
        where: { id },
        // A refusal by the tier leaves startedAt unset so that the row is taken again as soon as the tier allows.
        data: countAttempt ? { status: 'queued', lastError, resultStatus } : { status: 'queued', lastError, resultStatus, attempts: { decrement: 1 }, startedAt: null },
      });
    },
  };
}
