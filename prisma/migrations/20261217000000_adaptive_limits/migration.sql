-- Time limits that follow each target's measured latency (issue 16).
ALTER TABLE "ChainEntry" ADD COLUMN "adaptiveLimitMultiplier" DOUBLE PRECISION,
ADD COLUMN "adaptiveLimitFloorMs" INTEGER NOT NULL DEFAULT 1000;

ALTER TABLE "HealthSample" ADD COLUMN "limitMs" INTEGER,
ADD COLUMN "limitBasis" TEXT;
