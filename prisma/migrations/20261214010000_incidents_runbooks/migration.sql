-- CreateEnum
CREATE TYPE "IncidentSeverity" AS ENUM ('P0', 'P1', 'P2', 'P3');

-- CreateEnum
CREATE TYPE "IncidentStatus" AS ENUM ('triage', 'mitigating', 'investigating', 'recovering', 'resolved', 'postmortem', 'closed');

-- CreateEnum
CREATE TYPE "FailureMode" AS ENUM ('provider_outage', 'regional_outage', 'capacity_exhaustion', 'quality_degradation', 'safety_incident', 'gpu_node_failure', 'lost_artifacts', 'database_loss');

-- CreateEnum
CREATE TYPE "RunbookStepKind" AS ENUM ('instruction', 'action', 'check', 'notify', 'decision');

-- CreateEnum
CREATE TYPE "StepRunStatus" AS ENUM ('pending', 'running', 'done', 'failed', 'skipped');

-- CreateEnum
CREATE TYPE "WebhookKind" AS ENUM ('slack', 'generic');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'sending', 'delivered', 'failed');

-- CreateEnum
CREATE TYPE "FollowUpStatus" AS ENUM ('open', 'done');

-- CreateTable
CREATE TABLE "Incident" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL DEFAULT '',
    "serviceId" UUID,
    "failureMode" "FailureMode",
    "severity" "IncidentSeverity" NOT NULL,
    "suggestedSeverity" "IncidentSeverity",
    "severityReasons" TEXT[],
    "status" "IncidentStatus" NOT NULL DEFAULT 'triage',
    "isDrill" BOOLEAN NOT NULL DEFAULT false,
    "openedVia" TEXT NOT NULL,
    "openedBy" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMP(3),
    "acknowledgedBy" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "commanderId" UUID,
    "operationsLeadId" UUID,
    "communicationsLeadId" UUID,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "Incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TimelineEvent" (
    "id" BIGSERIAL NOT NULL,
    "incidentId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "curated" BOOLEAN NOT NULL DEFAULT false,
    "sourceKey" TEXT,
    "originalAt" TIMESTAMP(3),
    "correctedAt" TIMESTAMP(3),
    "correctedBy" TEXT,
    "correctionReason" TEXT,

    CONSTRAINT "TimelineEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IncidentSignal" (
    "key" TEXT NOT NULL,
    "incidentId" UUID NOT NULL,
    "rule" TEXT NOT NULL,
    "serviceId" UUID,
    "targetId" UUID,
    "at" TIMESTAMP(3) NOT NULL,
    "opened" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "IncidentSignal_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Runbook" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    "archivedAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "Runbook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunbookVersion" (
    "id" UUID NOT NULL,
    "runbookId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "failureMode" "FailureMode" NOT NULL,
    "summary" TEXT NOT NULL DEFAULT '',
    "severities" "IncidentSeverity"[],
    "serviceIds" TEXT[],
    "targetIds" TEXT[],
    "note" TEXT NOT NULL DEFAULT '',
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunbookVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunbookStep" (
    "id" UUID NOT NULL,
    "versionId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "lane" INTEGER NOT NULL DEFAULT 0,
    "kind" "RunbookStepKind" NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL DEFAULT '',
    "params" JSONB NOT NULL DEFAULT '{}',
    "expectedMinutes" INTEGER,

    CONSTRAINT "RunbookStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IncidentRunbook" (
    "id" UUID NOT NULL,
    "incidentId" UUID NOT NULL,
    "runbookVersionId" UUID NOT NULL,
    "attachedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attachedBy" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "IncidentRunbook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StepRun" (
    "id" UUID NOT NULL,
    "incidentId" UUID NOT NULL,
    "incidentRunbookId" UUID NOT NULL,
    "stepId" UUID NOT NULL,
    "status" "StepRunStatus" NOT NULL DEFAULT 'pending',
    "startedAt" TIMESTAMP(3),
    "startedBy" TEXT,
    "finishedAt" TIMESTAMP(3),
    "finishedBy" TEXT,
    "result" JSONB NOT NULL DEFAULT '{}',
    "evaluation" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "StepRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationWebhook" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "WebhookKind" NOT NULL,
    "urlCiphertext" TEXT NOT NULL,
    "urlHint" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotatedAt" TIMESTAMP(3),
    "disabledAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "NotificationWebhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" UUID NOT NULL,
    "webhookId" UUID NOT NULL,
    "incidentId" UUID,
    "stepRunId" UUID,
    "text" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 6,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Postmortem" (
    "incidentId" UUID NOT NULL,
    "summary" TEXT NOT NULL DEFAULT '',
    "rootCause" TEXT NOT NULL DEFAULT '',
    "wentWell" TEXT NOT NULL DEFAULT '',
    "toImprove" TEXT NOT NULL DEFAULT '',
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "Postmortem_pkey" PRIMARY KEY ("incidentId")
);

-- CreateTable
CREATE TABLE "FollowUp" (
    "id" UUID NOT NULL,
    "incidentId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "ownerId" UUID,
    "dueOn" DATE,
    "status" "FollowUpStatus" NOT NULL DEFAULT 'open',
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMP(3),
    "doneBy" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "FollowUp_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelRetirement" (
    "id" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "targetIds" TEXT[],
    "model" TEXT,
    "substituteTargetId" UUID,
    "incidentId" UUID,
    "changes" JSONB NOT NULL,
    "revertedAt" TIMESTAMP(3),
    "revertedBy" TEXT,
    "revertReason" TEXT,

    CONSTRAINT "ModelRetirement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IncidentWatcherState" (
    "id" TEXT NOT NULL,
    "cursors" JSONB NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IncidentWatcherState_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Incident_number_key" ON "Incident"("number");

-- CreateIndex
CREATE INDEX "Incident_status_idx" ON "Incident"("status");

-- CreateIndex
CREATE INDEX "Incident_serviceId_status_idx" ON "Incident"("serviceId", "status");

-- CreateIndex
CREATE INDEX "Incident_openedAt_idx" ON "Incident"("openedAt");

-- CreateIndex
CREATE INDEX "TimelineEvent_incidentId_at_idx" ON "TimelineEvent"("incidentId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "TimelineEvent_incidentId_sourceKey_key" ON "TimelineEvent"("incidentId", "sourceKey");

-- CreateIndex
CREATE INDEX "IncidentSignal_incidentId_idx" ON "IncidentSignal"("incidentId");

-- CreateIndex
CREATE UNIQUE INDEX "Runbook_name_key" ON "Runbook"("name");

-- CreateIndex
CREATE UNIQUE INDEX "RunbookVersion_runbookId_number_key" ON "RunbookVersion"("runbookId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "RunbookStep_versionId_key_key" ON "RunbookStep"("versionId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "RunbookStep_versionId_position_key" ON "RunbookStep"("versionId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "IncidentRunbook_incidentId_runbookVersionId_key" ON "IncidentRunbook"("incidentId", "runbookVersionId");

-- CreateIndex
CREATE INDEX "StepRun_incidentId_idx" ON "StepRun"("incidentId");

-- CreateIndex
CREATE INDEX "StepRun_status_idx" ON "StepRun"("status");

-- CreateIndex
CREATE UNIQUE INDEX "StepRun_incidentRunbookId_stepId_key" ON "StepRun"("incidentRunbookId", "stepId");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationWebhook_name_key" ON "NotificationWebhook"("name");

-- CreateIndex
CREATE INDEX "NotificationDelivery_status_nextAttemptAt_idx" ON "NotificationDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "NotificationDelivery_incidentId_idx" ON "NotificationDelivery"("incidentId");

-- CreateIndex
CREATE INDEX "FollowUp_status_dueOn_idx" ON "FollowUp"("status", "dueOn");

-- CreateIndex
CREATE INDEX "FollowUp_incidentId_idx" ON "FollowUp"("incidentId");

-- CreateIndex
CREATE INDEX "ModelRetirement_createdAt_idx" ON "ModelRetirement"("createdAt");

-- CreateIndex
CREATE INDEX "DisruptionEpisode_incidentId_idx" ON "DisruptionEpisode"("incidentId");

-- AddForeignKey
ALTER TABLE "DisruptionEpisode" ADD CONSTRAINT "DisruptionEpisode_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Incident" ADD CONSTRAINT "Incident_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Incident" ADD CONSTRAINT "Incident_commanderId_fkey" FOREIGN KEY ("commanderId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Incident" ADD CONSTRAINT "Incident_operationsLeadId_fkey" FOREIGN KEY ("operationsLeadId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Incident" ADD CONSTRAINT "Incident_communicationsLeadId_fkey" FOREIGN KEY ("communicationsLeadId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TimelineEvent" ADD CONSTRAINT "TimelineEvent_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IncidentSignal" ADD CONSTRAINT "IncidentSignal_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunbookVersion" ADD CONSTRAINT "RunbookVersion_runbookId_fkey" FOREIGN KEY ("runbookId") REFERENCES "Runbook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunbookStep" ADD CONSTRAINT "RunbookStep_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "RunbookVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IncidentRunbook" ADD CONSTRAINT "IncidentRunbook_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IncidentRunbook" ADD CONSTRAINT "IncidentRunbook_runbookVersionId_fkey" FOREIGN KEY ("runbookVersionId") REFERENCES "RunbookVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StepRun" ADD CONSTRAINT "StepRun_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StepRun" ADD CONSTRAINT "StepRun_incidentRunbookId_fkey" FOREIGN KEY ("incidentRunbookId") REFERENCES "IncidentRunbook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StepRun" ADD CONSTRAINT "StepRun_stepId_fkey" FOREIGN KEY ("stepId") REFERENCES "RunbookStep"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "NotificationWebhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_stepRunId_fkey" FOREIGN KEY ("stepRunId") REFERENCES "StepRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Postmortem" ADD CONSTRAINT "Postmortem_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FollowUp" ADD CONSTRAINT "FollowUp_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FollowUp" ADD CONSTRAINT "FollowUp_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Live incident views (lib/incidents/live-hub.ts): every change to an incident
-- or what hangs off it notifies channel standby_incidents on commit, with the
-- incident and the table (and a timeline entry's id), whoever made it. Each
-- replica listens once and fans the news out to its open pages.
CREATE FUNCTION "notify_incident_change"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN IF NEW."incidentId" IS NOT NULL THEN PERFORM pg_notify(''standby_incidents'', json_build_object(''i'', NEW."incidentId", ''w'', TG_TABLE_NAME)::text)\073 END IF\073 RETURN NULL\073 END';

CREATE FUNCTION "notify_incident_row_change"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN PERFORM pg_notify(''standby_incidents'', json_build_object(''i'', NEW."id", ''w'', TG_TABLE_NAME)::text)\073 RETURN NULL\073 END';

CREATE FUNCTION "notify_timeline_event"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN PERFORM pg_notify(''standby_incidents'', json_build_object(''i'', NEW."incidentId", ''w'', TG_TABLE_NAME, ''e'', NEW."id")::text)\073 RETURN NULL\073 END';

CREATE TRIGGER "Incident_notify" AFTER INSERT OR UPDATE ON "Incident" FOR EACH ROW EXECUTE FUNCTION "notify_incident_row_change"();
CREATE TRIGGER "TimelineEvent_notify" AFTER INSERT OR UPDATE ON "TimelineEvent" FOR EACH ROW EXECUTE FUNCTION "notify_timeline_event"();
CREATE TRIGGER "IncidentRunbook_notify" AFTER INSERT OR UPDATE ON "IncidentRunbook" FOR EACH ROW EXECUTE FUNCTION "notify_incident_change"();
CREATE TRIGGER "StepRun_notify" AFTER INSERT OR UPDATE ON "StepRun" FOR EACH ROW EXECUTE FUNCTION "notify_incident_change"();
CREATE TRIGGER "Postmortem_notify" AFTER INSERT OR UPDATE ON "Postmortem" FOR EACH ROW EXECUTE FUNCTION "notify_incident_change"();
CREATE TRIGGER "FollowUp_notify" AFTER INSERT OR UPDATE ON "FollowUp" FOR EACH ROW EXECUTE FUNCTION "notify_incident_change"();

-- The timeline is append-only: an entry is never deleted (unless its incident
-- is) and only its time may be corrected (with who and why) or its curated
-- mark changed.
CREATE FUNCTION "timeline_event_guard"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN IF TG_OP = ''DELETE'' THEN IF EXISTS (SELECT 1 FROM "Incident" WHERE "id" = OLD."incidentId") THEN RAISE EXCEPTION ''Timeline entries cannot be deleted'' USING ERRCODE = ''insufficient_privilege''\073 END IF\073 RETURN OLD\073 END IF\073 IF NEW."incidentId" IS DISTINCT FROM OLD."incidentId" OR NEW."kind" IS DISTINCT FROM OLD."kind" OR NEW."actor" IS DISTINCT FROM OLD."actor" OR NEW."text" IS DISTINCT FROM OLD."text" OR NEW."data" IS DISTINCT FROM OLD."data" OR NEW."recordedAt" IS DISTINCT FROM OLD."recordedAt" OR NEW."sourceKey" IS DISTINCT FROM OLD."sourceKey" THEN RAISE EXCEPTION ''Timeline entries are append-only: only a corrected time and the curated mark may change'' USING ERRCODE = ''insufficient_privilege''\073 END IF\073 RETURN NEW\073 END';

CREATE TRIGGER "TimelineEvent_append_only" BEFORE UPDATE OR DELETE ON "TimelineEvent" FOR EACH ROW EXECUTE FUNCTION "timeline_event_guard"();
