-- CreateEnum
CREATE TYPE "DegradationTier" AS ENUM ('full', 'degraded', 'minimal', 'emergency');

-- CreateEnum
CREATE TYPE "DemandSource" AS ENUM ('configured', 'measured');

-- CreateEnum
CREATE TYPE "QueuedRequestStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'expired');

-- CreateEnum
CREATE TYPE "AlertSeverity" AS ENUM ('page', 'ticket');

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "sloTarget" DOUBLE PRECISION NOT NULL DEFAULT 0.999,
ADD COLUMN     "sloWindowDays" INTEGER NOT NULL DEFAULT 30;

-- AlterTable
ALTER TABLE "Target" ADD COLUMN     "breakerConsecutiveFailures" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "declaredAvailability" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "DegradationPolicy" (
    "serviceId" UUID NOT NULL,
    "demandSource" "DemandSource" NOT NULL DEFAULT 'measured',
    "requiredRpm" INTEGER NOT NULL DEFAULT 60,
    "degradedBelow" DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    "minimalBelow" DOUBLE PRECISION NOT NULL DEFAULT 0.5,
    "emergencyBelow" DOUBLE PRECISION NOT NULL DEFAULT 0.05,
    "hysteresis" DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    "holdSeconds" INTEGER NOT NULL DEFAULT 60,
    "degradedTargetId" UUID,
    "degradedMaxTokens" INTEGER NOT NULL DEFAULT 512,
    "cacheTtlSeconds" INTEGER NOT NULL DEFAULT 3600,
    "rules" JSONB NOT NULL DEFAULT '[]',
    "retryAfterSeconds" INTEGER NOT NULL DEFAULT 30,
    "maintenanceMessage" TEXT NOT NULL DEFAULT 'This service is in emergency maintenance. Please retry later.',
    "queueEnabled" BOOLEAN NOT NULL DEFAULT true,
    "queueTtlSeconds" INTEGER NOT NULL DEFAULT 86400,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "DegradationPolicy_pkey" PRIMARY KEY ("serviceId")
);

-- CreateTable
CREATE TABLE "ServiceTierState" (
    "serviceId" UUID NOT NULL,
    "automaticTier" "DegradationTier" NOT NULL DEFAULT 'full',
    "automaticSince" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" DOUBLE PRECISION,
    "availableRpm" INTEGER NOT NULL DEFAULT 0,
    "requiredRpm" INTEGER NOT NULL DEFAULT 0,
    "pendingTier" "DegradationTier",
    "pendingSince" TIMESTAMP(3),
    "evaluatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "overrideTier" "DegradationTier",
    "overrideReason" TEXT,
    "overrideBy" TEXT,
    "overrideAt" TIMESTAMP(3),
    "overrideExpiresAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "ServiceTierState_pkey" PRIMARY KEY ("serviceId")
);

-- CreateTable
CREATE TABLE "TierChange" (
    "id" BIGSERIAL NOT NULL,
    "serviceId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from" "DegradationTier" NOT NULL,
    "to" "DegradationTier" NOT NULL,
    "cause" TEXT NOT NULL,
    "level" DOUBLE PRECISION,
    "availableRpm" INTEGER,
    "requiredRpm" INTEGER,
    "actor" TEXT NOT NULL,
    "reason" TEXT,

    CONSTRAINT "TierChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RequestRecord" (
    "id" BIGSERIAL NOT NULL,
    "serviceId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requestId" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "status" INTEGER NOT NULL,
    "errorClass" TEXT,
    "targetId" UUID,
    "attempts" INTEGER NOT NULL,
    "latencyMs" INTEGER NOT NULL,
    "ttftMs" INTEGER,
    "stream" BOOLEAN NOT NULL,
    "tier" "DegradationTier" NOT NULL,
    "servedBy" TEXT NOT NULL,
    "promptTokens" INTEGER,
    "completionTokens" INTEGER,

    CONSTRAINT "RequestRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceRollup" (
    "serviceId" UUID NOT NULL,
    "resolutionSec" INTEGER NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "errorsByClass" JSONB NOT NULL DEFAULT '{}',
    "servedBy" JSONB NOT NULL DEFAULT '{}',
    "latencySumMs" BIGINT NOT NULL DEFAULT 0,
    "latencyHist" INTEGER[],
    "ttftCount" INTEGER NOT NULL DEFAULT 0,
    "ttftSumMs" BIGINT NOT NULL DEFAULT 0,
    "ttftHist" INTEGER[],

    CONSTRAINT "ServiceRollup_pkey" PRIMARY KEY ("serviceId","resolutionSec","bucket")
);

-- CreateTable
CREATE TABLE "TargetRollup" (
    "targetId" UUID NOT NULL,
    "resolutionSec" INTEGER NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "probes" INTEGER NOT NULL DEFAULT 0,
    "probeFailures" INTEGER NOT NULL DEFAULT 0,
    "errorsByClass" JSONB NOT NULL DEFAULT '{}',
    "latencySumMs" BIGINT NOT NULL DEFAULT 0,
    "latencyHist" INTEGER[],
    "ttftCount" INTEGER NOT NULL DEFAULT 0,
    "ttftSumMs" BIGINT NOT NULL DEFAULT 0,
    "ttftHist" INTEGER[],

    CONSTRAINT "TargetRollup_pkey" PRIMARY KEY ("targetId","resolutionSec","bucket")
);

-- CreateTable
CREATE TABLE "QueuedRequest" (
    "id" UUID NOT NULL,
    "publicId" TEXT NOT NULL,
    "serviceId" UUID NOT NULL,
    "tokenId" UUID,
    "body" JSONB NOT NULL,
    "status" "QueuedRequestStatus" NOT NULL DEFAULT 'queued',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "resultStatus" INTEGER,
    "result" JSONB,
    "lastError" TEXT,

    CONSTRAINT "QueuedRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertEvent" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" "AlertSeverity" NOT NULL,
    "rule" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "longBurn" DOUBLE PRECISION NOT NULL,
    "shortBurn" DOUBLE PRECISION NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AlertEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DegradationPolicy_degradedTargetId_idx" ON "DegradationPolicy"("degradedTargetId");

-- CreateIndex
CREATE INDEX "TierChange_serviceId_at_idx" ON "TierChange"("serviceId", "at" DESC);

-- CreateIndex
CREATE INDEX "TierChange_at_idx" ON "TierChange"("at");

-- CreateIndex
CREATE INDEX "RequestRecord_serviceId_at_idx" ON "RequestRecord"("serviceId", "at");

-- CreateIndex
CREATE INDEX "RequestRecord_at_idx" ON "RequestRecord"("at");

-- CreateIndex
CREATE UNIQUE INDEX "QueuedRequest_publicId_key" ON "QueuedRequest"("publicId");

-- CreateIndex
CREATE INDEX "QueuedRequest_status_createdAt_idx" ON "QueuedRequest"("status", "createdAt");

-- CreateIndex
CREATE INDEX "QueuedRequest_serviceId_status_idx" ON "QueuedRequest"("serviceId", "status");

-- CreateIndex
CREATE INDEX "AlertEvent_serviceId_resolvedAt_idx" ON "AlertEvent"("serviceId", "resolvedAt");

-- CreateIndex
CREATE INDEX "AlertEvent_openedAt_idx" ON "AlertEvent"("openedAt");

-- CreateIndex
CREATE INDEX "AlertEvent_resolvedAt_idx" ON "AlertEvent"("resolvedAt");

-- AddForeignKey
ALTER TABLE "DegradationPolicy" ADD CONSTRAINT "DegradationPolicy_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DegradationPolicy" ADD CONSTRAINT "DegradationPolicy_degradedTargetId_fkey" FOREIGN KEY ("degradedTargetId") REFERENCES "Target"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceTierState" ADD CONSTRAINT "ServiceTierState_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rollup merging (lib/health/rollups.ts): element-wise sum of two histograms,
-- and key-wise sum of two {"class": count} objects. Plain SQL bodies: the
-- offline migration engine splits statements on every semicolon.
CREATE FUNCTION "standby_int_array_add"(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS
'SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), ''{}''::integer[]) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)';

CREATE FUNCTION "standby_jsonb_add_counts"(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS
'SELECT coalesce(jsonb_object_agg(key, total), ''{}''::jsonb) FROM (SELECT key, sum(value::bigint) AS total FROM (SELECT * FROM jsonb_each_text(coalesce(a, ''{}''::jsonb)) UNION ALL SELECT * FROM jsonb_each_text(coalesce(b, ''{}''::jsonb))) e GROUP BY key) s';

-- The gateway's snapshot carries each service's degradation policy and tier.
CREATE TRIGGER "DegradationPolicy_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "DegradationPolicy" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "ServiceTierState_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "ServiceTierState" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();

-- Alert events are announced for the incident flow to pick up.
CREATE FUNCTION "notify_alert_event"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN PERFORM pg_notify(''standby_events'', json_build_object(''id'', NEW."id", ''serviceId'', NEW."serviceId", ''kind'', NEW."kind", ''severity'', NEW."severity", ''rule'', NEW."rule", ''resolved'', NEW."resolvedAt" IS NOT NULL)::text)\073 RETURN NULL\073 END';
CREATE TRIGGER "AlertEvent_notify" AFTER INSERT OR UPDATE OF "resolvedAt" ON "AlertEvent" FOR EACH ROW EXECUTE FUNCTION "notify_alert_event"();
