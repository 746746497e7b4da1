-- CreateEnum
CREATE TYPE "LaunchTarget" AS ENUM ('server', 'any_worker', 'worker');

-- AlterTable
ALTER TABLE "Launch" ADD COLUMN     "claimedBy" TEXT,
ADD COLUMN     "flags" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "host" TEXT,
ADD COLUMN     "leaseExpiresAt" TIMESTAMP(3),
ADD COLUMN     "target" "LaunchTarget" NOT NULL DEFAULT 'server',
ADD COLUMN     "targetWorkerId" TEXT,
ADD COLUMN     "workerId" TEXT;

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "hostname" TEXT,
    "gpus" JSONB NOT NULL DEFAULT '[]',
    "backend" TEXT,
    "version" TEXT,
    "workDir" TEXT,
    "lastSeenAt" TIMESTAMP(3),

    CONSTRAINT "Worker_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServerSecret_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "Worker_name_key" ON "Worker"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Worker_tokenHash_key" ON "Worker"("tokenHash");

-- CreateIndex
CREATE INDEX "Launch_claimedBy_idx" ON "Launch"("claimedBy");

-- CreateIndex
CREATE INDEX "Launch_target_startedAt_idx" ON "Launch"("target", "startedAt");

-- CreateIndex
CREATE INDEX "Launch_workerId_idx" ON "Launch"("workerId");

-- AddForeignKey
ALTER TABLE "Launch" ADD CONSTRAINT "Launch_targetWorkerId_fkey" FOREIGN KEY ("targetWorkerId") REFERENCES "Worker"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Launch" ADD CONSTRAINT "Launch_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "Worker"("id") ON DELETE SET NULL ON UPDATE CASCADE;
