-- Backups and state (issue 15): configuration versions, model artifacts with their parts, backup copies, restore tests and bandwidth between regions, and the conversation store (a service's opt-in, conversations, sealed messages).

-- CreateEnum
CREATE TYPE "ModelPartKind" AS ENUM ('weights', 'tokenizer', 'model_config', 'generation_config', 'chat_template', 'adapter', 'quantization', 'serving_args', 'prompt_template', 'system_prompt', 'other');

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "conversationRetentionDays" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "conversationStore" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ConfigVersion" (
    "id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "section" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "actorEmail" TEXT NOT NULL,
    "actorRole" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "restoredFrom" INTEGER,
    "gitCommit" TEXT,
    "gitAt" TIMESTAMP(3),
    "gitError" TEXT,

    CONSTRAINT "ConfigVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelArtifact" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "targetId" UUID,
    "servingRegion" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "scheduleHours" DOUBLE PRECISION NOT NULL DEFAULT 24,
    "loadMs" DOUBLE PRECISION,
    "deployed" JSONB,
    "deployedAt" TIMESTAMP(3),
    "deployedSource" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "ModelArtifact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelPart" (
    "id" UUID NOT NULL,
    "modelId" UUID NOT NULL,
    "path" TEXT NOT NULL,
    "kind" "ModelPartKind" NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelPart_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackupCopy" (
    "id" UUID NOT NULL,
    "modelId" UUID NOT NULL,
    "location" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "takenAt" TIMESTAMP(3) NOT NULL,
    "reportedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,
    "sizeBytes" DOUBLE PRECISION NOT NULL,
    "fileCount" INTEGER NOT NULL,
    "manifest" JSONB NOT NULL,
    "verifiedAt" TIMESTAMP(3),
    "verifyProblems" JSONB,

    CONSTRAINT "BackupCopy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RestoreTest" (
    "id" UUID NOT NULL,
    "modelId" UUID NOT NULL,
    "copyId" UUID,
    "observedAt" TIMESTAMP(3) NOT NULL,
    "ok" BOOLEAN NOT NULL DEFAULT true,
    "transferMs" DOUBLE PRECISION,
    "loadMs" DOUBLE PRECISION,
    "restoreMs" DOUBLE PRECISION NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL,

    CONSTRAINT "RestoreTest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackupLink" (
    "fromRegion" TEXT NOT NULL,
    "toRegion" TEXT NOT NULL,
    "bitsPerSecond" DOUBLE PRECISION NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "BackupLink_pkey" PRIMARY KEY ("fromRegion","toRegion")
);

-- CreateTable
CREATE TABLE "Conversation" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "tokenId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "endUserHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastMessageAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "messageCount" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Conversation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConversationMessage" (
    "id" BIGSERIAL NOT NULL,
    "conversationId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "writtenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversationMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ConfigVersion_number_key" ON "ConfigVersion"("number");

-- CreateIndex
CREATE INDEX "ConfigVersion_section_number_idx" ON "ConfigVersion"("section", "number");

-- CreateIndex
CREATE INDEX "ConfigVersion_gitAt_number_idx" ON "ConfigVersion"("gitAt", "number");

-- CreateIndex
CREATE UNIQUE INDEX "ModelArtifact_name_key" ON "ModelArtifact"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ModelArtifact_targetId_key" ON "ModelArtifact"("targetId");

-- CreateIndex
CREATE UNIQUE INDEX "ModelPart_modelId_path_key" ON "ModelPart"("modelId", "path");

-- CreateIndex
CREATE INDEX "BackupCopy_modelId_takenAt_idx" ON "BackupCopy"("modelId", "takenAt");

-- CreateIndex
CREATE INDEX "RestoreTest_modelId_observedAt_idx" ON "RestoreTest"("modelId", "observedAt");

-- CreateIndex
CREATE INDEX "Conversation_endUserHash_idx" ON "Conversation"("endUserHash");

-- CreateIndex
CREATE INDEX "Conversation_expiresAt_idx" ON "Conversation"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_serviceId_tokenId_key_key" ON "Conversation"("serviceId", "tokenId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "ConversationMessage_conversationId_seq_key" ON "ConversationMessage"("conversationId", "seq");

-- AddForeignKey
ALTER TABLE "ModelArtifact" ADD CONSTRAINT "ModelArtifact_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "Target"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelPart" ADD CONSTRAINT "ModelPart_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "ModelArtifact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BackupCopy" ADD CONSTRAINT "BackupCopy_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "ModelArtifact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RestoreTest" ADD CONSTRAINT "RestoreTest_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "ModelArtifact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationMessage" ADD CONSTRAINT "ConversationMessage_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

