-- How far each recorder's rows have been written, so that a batch retried after its commit's answer was lost
-- skips the rows it already wrote (lib/gateway/sample-writer.ts).

-- CreateTable
CREATE TABLE "RecorderProgress" (
    "id" TEXT NOT NULL,
    "samplesThrough" BIGINT NOT NULL DEFAULT -1,
    "requestsThrough" BIGINT NOT NULL DEFAULT -1,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RecorderProgress_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RecorderProgress_updatedAt_idx" ON "RecorderProgress"("updatedAt");
