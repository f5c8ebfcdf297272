-- Each API token's requests to the machine APIs in its current minute, shared by every replica and worker
-- (lib/access/token-auth.ts): the limit was counted per process, so N processes allowed N times it.

-- CreateTable
CREATE TABLE "MachineApiWindow" (
    "tokenId" UUID NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "MachineApiWindow_pkey" PRIMARY KEY ("tokenId")
);

-- AddForeignKey
ALTER TABLE "MachineApiWindow" ADD CONSTRAINT "MachineApiWindow_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE CASCADE ON UPDATE CASCADE;
