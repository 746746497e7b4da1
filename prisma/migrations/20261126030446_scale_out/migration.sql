-- AlterTable
ALTER TABLE "Launch" ADD COLUMN     "claimedBy" TEXT,
ADD COLUMN     "host" TEXT,
ADD COLUMN     "leaseExpiresAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServerSecret_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "Launch_claimedBy_idx" ON "Launch"("claimedBy");
