-- CreateEnum
CREATE TYPE "BreakerState" AS ENUM ('closed', 'open', 'half_open');

-- CreateEnum
CREATE TYPE "OverrideKind" AS ENUM ('force_failover', 'pin', 'drain');

-- CreateEnum
CREATE TYPE "SampleSource" AS ENUM ('probe', 'traffic');

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "routingVersion" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Target" ADD COLUMN     "breakerFailureRate" DOUBLE PRECISION NOT NULL DEFAULT 0.5,
ADD COLUMN     "breakerHalfOpenSuccesses" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "breakerMinimumRequests" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "breakerOpenMs" INTEGER NOT NULL DEFAULT 15000,
ADD COLUMN     "breakerWindowMs" INTEGER NOT NULL DEFAULT 10000,
ADD COLUMN     "probeIntervalMs" INTEGER NOT NULL DEFAULT 15000;

-- CreateTable
CREATE TABLE "ChainEntry" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "targetId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "failoverOn" TEXT[],
    "latencyLimitMs" INTEGER,
    "maxRetries" INTEGER NOT NULL DEFAULT 2,
    "baseBackoffMs" INTEGER NOT NULL DEFAULT 200,
    "maxBackoffMs" INTEGER NOT NULL DEFAULT 5000,
    "connectTimeoutMs" INTEGER NOT NULL DEFAULT 3000,
    "headerTimeoutMs" INTEGER NOT NULL DEFAULT 30000,
    "firstTokenTimeoutMs" INTEGER NOT NULL DEFAULT 15000,
    "streamIdleTimeoutMs" INTEGER NOT NULL DEFAULT 20000,
    "totalTimeoutMs" INTEGER NOT NULL DEFAULT 120000,

    CONSTRAINT "ChainEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TargetBreaker" (
    "targetId" UUID NOT NULL,
    "state" "BreakerState" NOT NULL DEFAULT 'closed',
    "since" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "TargetBreaker_pkey" PRIMARY KEY ("targetId")
);

-- CreateTable
CREATE TABLE "BreakerTransition" (
    "id" BIGSERIAL NOT NULL,
    "targetId" UUID NOT NULL,
    "from" "BreakerState" NOT NULL,
    "to" "BreakerState" NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cause" TEXT NOT NULL,
    "replica" TEXT NOT NULL,

    CONSTRAINT "BreakerTransition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RoutingOverride" (
    "id" UUID NOT NULL,
    "kind" "OverrideKind" NOT NULL,
    "serviceId" UUID,
    "targetId" UUID,
    "reason" TEXT NOT NULL,
    "createdById" UUID,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "clearedAt" TIMESTAMP(3),
    "clearedBy" TEXT,

    CONSTRAINT "RoutingOverride_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HealthSample" (
    "id" BIGSERIAL NOT NULL,
    "targetId" UUID NOT NULL,
    "serviceId" UUID,
    "source" "SampleSource" NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ok" BOOLEAN NOT NULL,
    "errorClass" TEXT,
    "statusCode" INTEGER,
    "latencyMs" INTEGER NOT NULL,
    "ttftMs" INTEGER,
    "requestId" TEXT,
    "attempt" INTEGER,
    "promptTokens" INTEGER,
    "completionTokens" INTEGER,

    CONSTRAINT "HealthSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "services" TEXT[],
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "revokedBy" TEXT,

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SimulatedUpstream" (
    "name" TEXT NOT NULL,
    "faults" JSONB NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "SimulatedUpstream_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "ChainEntry_targetId_idx" ON "ChainEntry"("targetId");

-- CreateIndex
CREATE UNIQUE INDEX "ChainEntry_serviceId_position_key" ON "ChainEntry"("serviceId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "ChainEntry_serviceId_targetId_key" ON "ChainEntry"("serviceId", "targetId");

-- CreateIndex
CREATE INDEX "BreakerTransition_targetId_at_idx" ON "BreakerTransition"("targetId", "at" DESC);

-- CreateIndex
CREATE INDEX "BreakerTransition_at_idx" ON "BreakerTransition"("at");

-- CreateIndex
CREATE INDEX "RoutingOverride_serviceId_clearedAt_idx" ON "RoutingOverride"("serviceId", "clearedAt");

-- CreateIndex
CREATE INDEX "RoutingOverride_targetId_clearedAt_idx" ON "RoutingOverride"("targetId", "clearedAt");

-- CreateIndex
CREATE INDEX "HealthSample_targetId_at_idx" ON "HealthSample"("targetId", "at");

-- CreateIndex
CREATE INDEX "HealthSample_serviceId_at_idx" ON "HealthSample"("serviceId", "at");

-- CreateIndex
CREATE INDEX "HealthSample_at_idx" ON "HealthSample"("at");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_name_key" ON "ApiToken"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_prefix_key" ON "ApiToken"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- AddForeignKey
ALTER TABLE "ChainEntry" ADD CONSTRAINT "ChainEntry_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChainEntry" ADD CONSTRAINT "ChainEntry_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TargetBreaker" ADD CONSTRAINT "TargetBreaker_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RoutingOverride" ADD CONSTRAINT "RoutingOverride_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RoutingOverride" ADD CONSTRAINT "RoutingOverride_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every replica's gateway keeps an in-memory routing snapshot. Any change to
-- what routing depends on notifies channel standby_routing with the table name,
-- on commit, whoever made it (app, config apply, or SQL by hand). Bodies spell
-- semicolons as \073 (see docs/decisions/003-migrations-at-start-up.md).
CREATE FUNCTION "notify_routing_change"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN PERFORM pg_notify(''standby_routing'', TG_TABLE_NAME)\073 RETURN NULL\073 END';

CREATE TRIGGER "Provider_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "Provider" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "Credential_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "Credential" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "Target_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "Target" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "Service_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "Service" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "ChainEntry_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "ChainEntry" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "RoutingOverride_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "RoutingOverride" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "TargetBreaker_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "TargetBreaker" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "ApiToken_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "ApiToken" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "SimulatedUpstream_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "SimulatedUpstream" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
CREATE TRIGGER "Setting_routing_notify" AFTER INSERT OR UPDATE OR DELETE ON "Setting" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_change"();
