-- Recovery objectives (issue 12): components, objectives and their versions, disruption episodes, evidence, the state of the detector, and API token scopes.

-- CreateEnum
CREATE TYPE "RecoveryComponentKind" AS ENUM ('service_routing', 'model_serving', 'conversation_history', 'configuration', 'external');

-- CreateEnum
CREATE TYPE "DisruptionKind" AS ENUM ('provider_outage', 'regional_outage', 'capacity_loss', 'model_retirement', 'data_loss');

-- CreateEnum
CREATE TYPE "EpisodeSource" AS ENUM ('traffic', 'drill');

-- CreateEnum
CREATE TYPE "EpisodeStatus" AS ENUM ('open', 'recovered');

-- CreateEnum
CREATE TYPE "EvidenceKind" AS ENUM ('backup', 'replica_lag', 'restore_test', 'drill', 'config_export', 'conversation_write');

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY['gateway']::TEXT[];

-- CreateTable
CREATE TABLE "RecoveryComponent" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "RecoveryComponentKind" NOT NULL,
    "serviceId" UUID,
    "targetId" UUID,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "RecoveryComponent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecoveryObjective" (
    "id" UUID NOT NULL,
    "componentId" UUID NOT NULL,
    "disruption" "DisruptionKind" NOT NULL,
    "rtoMs" DOUBLE PRECISION NOT NULL,
    "rpoMs" DOUBLE PRECISION NOT NULL,
    "reason" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "RecoveryObjective_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecoveryObjectiveVersion" (
    "id" BIGSERIAL NOT NULL,
    "objectiveId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "rtoMs" DOUBLE PRECISION NOT NULL,
    "rpoMs" DOUBLE PRECISION NOT NULL,
    "reason" TEXT NOT NULL,
    "changedBy" TEXT NOT NULL,
    "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RecoveryObjectiveVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DisruptionEpisode" (
    "id" UUID NOT NULL,
    "componentId" UUID NOT NULL,
    "serviceId" UUID,
    "targetId" UUID,
    "disruption" "DisruptionKind" NOT NULL,
    "disruptionSetBy" TEXT,
    "source" "EpisodeSource" NOT NULL DEFAULT 'traffic',
    "drillRunId" UUID,
    "incidentId" UUID,
    "status" "EpisodeStatus" NOT NULL DEFAULT 'open',
    "startedAt" TIMESTAMP(3) NOT NULL,
    "detectedAt" TIMESTAMP(3),
    "assessedAt" TIMESTAMP(3),
    "activatedAt" TIMESTAMP(3),
    "restoredAt" TIMESTAMP(3),
    "failedRequests" INTEGER NOT NULL DEFAULT 0,
    "totalRequests" INTEGER NOT NULL DEFAULT 0,
    "tDetectMs" DOUBLE PRECISION,
    "tAssessMs" DOUBLE PRECISION,
    "tActivateMs" DOUBLE PRECISION,
    "tRestoreMs" DOUBLE PRECISION,
    "rtoMs" DOUBLE PRECISION,
    "details" JSONB NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DisruptionEpisode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecoveryEvidence" (
    "id" UUID NOT NULL,
    "componentId" UUID NOT NULL,
    "kind" "EvidenceKind" NOT NULL,
    "observedAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ok" BOOLEAN NOT NULL DEFAULT true,
    "copyAt" TIMESTAMP(3),
    "continuous" BOOLEAN NOT NULL DEFAULT false,
    "rpoMs" DOUBLE PRECISION,
    "restoreMs" DOUBLE PRECISION,
    "disruption" "DisruptionKind",
    "values" JSONB NOT NULL DEFAULT '{}',
    "source" TEXT NOT NULL,

    CONSTRAINT "RecoveryEvidence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecoveryDetectorState" (
    "id" TEXT NOT NULL,
    "processedUpTo" TIMESTAMP(3) NOT NULL,
    "state" JSONB NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecoveryDetectorState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryComponent_name_key" ON "RecoveryComponent"("name");

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryComponent_kind_serviceId_key" ON "RecoveryComponent"("kind", "serviceId");

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryComponent_kind_targetId_key" ON "RecoveryComponent"("kind", "targetId");

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryObjective_componentId_disruption_key" ON "RecoveryObjective"("componentId", "disruption");

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryObjectiveVersion_objectiveId_version_key" ON "RecoveryObjectiveVersion"("objectiveId", "version");

-- CreateIndex
CREATE INDEX "DisruptionEpisode_componentId_disruption_startedAt_idx" ON "DisruptionEpisode"("componentId", "disruption", "startedAt");

-- CreateIndex
CREATE INDEX "DisruptionEpisode_startedAt_idx" ON "DisruptionEpisode"("startedAt");

-- CreateIndex
CREATE INDEX "DisruptionEpisode_status_idx" ON "DisruptionEpisode"("status");

-- CreateIndex
CREATE INDEX "DisruptionEpisode_serviceId_startedAt_idx" ON "DisruptionEpisode"("serviceId", "startedAt");

-- CreateIndex
CREATE INDEX "RecoveryEvidence_componentId_observedAt_idx" ON "RecoveryEvidence"("componentId", "observedAt");

-- CreateIndex
CREATE INDEX "RecoveryEvidence_observedAt_idx" ON "RecoveryEvidence"("observedAt");

-- AddForeignKey
ALTER TABLE "RecoveryComponent" ADD CONSTRAINT "RecoveryComponent_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryComponent" ADD CONSTRAINT "RecoveryComponent_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryObjective" ADD CONSTRAINT "RecoveryObjective_componentId_fkey" FOREIGN KEY ("componentId") REFERENCES "RecoveryComponent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryObjectiveVersion" ADD CONSTRAINT "RecoveryObjectiveVersion_objectiveId_fkey" FOREIGN KEY ("objectiveId") REFERENCES "RecoveryObjective"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DisruptionEpisode" ADD CONSTRAINT "DisruptionEpisode_componentId_fkey" FOREIGN KEY ("componentId") REFERENCES "RecoveryComponent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryEvidence" ADD CONSTRAINT "RecoveryEvidence_componentId_fkey" FOREIGN KEY ("componentId") REFERENCES "RecoveryComponent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

