-- Drills (issue 14): plans, runs, fault leases and each run's timeline. A fault lease
-- notifies standby_routing like every table the routing snapshot reads, so every replica's
-- gateway starts and ends it within milliseconds (lib/gateway/snapshot.ts)

-- CreateEnum
CREATE TYPE "DrillRunStatus" AS ENUM ('scheduled', 'running', 'passed', 'failed', 'halted', 'cancelled');

-- CreateEnum
CREATE TYPE "DrillFaultKind" AS ENUM ('error_status', 'rate_limited', 'added_latency', 'slow_first_token', 'stream_cut', 'stream_stall', 'no_response', 'target_down');

-- CreateEnum
CREATE TYPE "DrillTrafficMode" AS ENUM ('share', 'synthetic');

-- CreateTable
CREATE TABLE "DrillPlan" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "componentId" UUID NOT NULL,
    "disruption" "DisruptionKind" NOT NULL,
    "serviceId" UUID NOT NULL,
    "scope" JSONB NOT NULL,
    "trafficMode" "DrillTrafficMode" NOT NULL DEFAULT 'synthetic',
    "trafficShare" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "syntheticRps" DOUBLE PRECISION NOT NULL DEFAULT 2,
    "faults" JSONB NOT NULL,
    "haltConditions" JSONB NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "runbookId" UUID,
    "drillWebhookId" UUID,
    "recurrenceDays" INTEGER,
    "cadenceDays" INTEGER NOT NULL DEFAULT 90,
    "nextRunAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "archivedAt" TIMESTAMP(3),

    CONSTRAINT "DrillPlan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DrillRun" (
    "id" UUID NOT NULL,
    "planId" UUID NOT NULL,
    "status" "DrillRunStatus" NOT NULL DEFAULT 'scheduled',
    "scheduledFor" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "startedBy" TEXT,
    "faultsEndAt" TIMESTAMP(3),
    "faultsEndedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "tested" JSONB NOT NULL DEFAULT '{}',
    "planVersion" INTEGER NOT NULL DEFAULT 1,
    "objectiveRtoMs" DOUBLE PRECISION,
    "measuredRtoMs" DOUBLE PRECISION,
    "episodeId" UUID,
    "incidentId" UUID,
    "verdict" TEXT,
    "brokenPart" TEXT,
    "haltReason" TEXT,
    "syntheticSent" INTEGER NOT NULL DEFAULT 0,
    "syntheticFailed" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DrillRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DrillFault" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "kind" "DrillFaultKind" NOT NULL,
    "targetIds" TEXT[],
    "share" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "drillOnly" BOOLEAN NOT NULL DEFAULT false,
    "params" JSONB NOT NULL DEFAULT '{}',
    "startsAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "endReason" TEXT,

    CONSTRAINT "DrillFault_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DrillEvent" (
    "id" BIGSERIAL NOT NULL,
    "runId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "DrillEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DrillPlan_name_key" ON "DrillPlan"("name");

-- CreateIndex
CREATE INDEX "DrillRun_status_idx" ON "DrillRun"("status");

-- CreateIndex
CREATE INDEX "DrillRun_planId_createdAt_idx" ON "DrillRun"("planId", "createdAt");

-- CreateIndex
CREATE INDEX "DrillFault_endedAt_expiresAt_idx" ON "DrillFault"("endedAt", "expiresAt");

-- CreateIndex
CREATE INDEX "DrillFault_runId_idx" ON "DrillFault"("runId");

-- CreateIndex
CREATE INDEX "DrillEvent_runId_at_idx" ON "DrillEvent"("runId", "at");

-- AddForeignKey
ALTER TABLE "DrillPlan" ADD CONSTRAINT "DrillPlan_componentId_fkey" FOREIGN KEY ("componentId") REFERENCES "RecoveryComponent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DrillPlan" ADD CONSTRAINT "DrillPlan_runbookId_fkey" FOREIGN KEY ("runbookId") REFERENCES "Runbook"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DrillPlan" ADD CONSTRAINT "DrillPlan_drillWebhookId_fkey" FOREIGN KEY ("drillWebhookId") REFERENCES "NotificationWebhook"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DrillRun" ADD CONSTRAINT "DrillRun_planId_fkey" FOREIGN KEY ("planId") REFERENCES "DrillPlan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DrillRun" ADD CONSTRAINT "DrillRun_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DrillFault" ADD CONSTRAINT "DrillFault_runId_fkey" FOREIGN KEY ("runId") REFERENCES "DrillRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DrillEvent" ADD CONSTRAINT "DrillEvent_runId_fkey" FOREIGN KEY ("runId") REFERENCES "DrillRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;


CREATE TRIGGER "DrillFault_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "DrillFault" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
