-- Tiers follow measured demand against available capacity (issue 10): the
-- configured requirement becomes the planned capacity, used only for the
-- planning risk, and the choice of demand source and the Emergency threshold go
-- (Emergency means nothing can serve).
ALTER TABLE "DegradationPolicy" RENAME COLUMN "requiredRpm" TO "plannedRpm";
ALTER TABLE "DegradationPolicy" DROP COLUMN "demandSource";
ALTER TABLE "DegradationPolicy" DROP COLUMN "emergencyBelow";
DROP TYPE "DemandSource";

-- What D was computed against is the measured demand.
ALTER TABLE "ServiceTierState" RENAME COLUMN "requiredRpm" TO "demandRpm";
ALTER TABLE "TierChange" RENAME COLUMN "requiredRpm" TO "demandRpm";

-- The replica that wrote a shared breaker state, so it can tell its own writes from another replica's.
ALTER TABLE "TargetBreaker" ADD COLUMN "replica" TEXT;

-- A Degraded threshold above 100% would mean nothing now (at D of 100% demand fits and nothing is shed): kept at 100%, with Minimal below it.
UPDATE "DegradationPolicy" SET
    "minimalBelow" = CASE WHEN "minimalBelow" >= LEAST("degradedBelow", 1) THEN LEAST("degradedBelow", 1) / 2 ELSE "minimalBelow" END,
    "degradedBelow" = LEAST("degradedBelow", 1)
WHERE "degradedBelow" > 1;
