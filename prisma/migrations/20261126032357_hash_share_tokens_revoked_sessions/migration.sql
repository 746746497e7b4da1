-- Share tokens are kept only as their sha256 (hex, as lib/tokens.ts writes it): existing links keep working, hashed in place
ALTER TABLE "ShareLink" ADD COLUMN "tokenHash" TEXT;
UPDATE "ShareLink" SET "tokenHash" = encode(sha256(convert_to("token", 'UTF8')), 'hex');
ALTER TABLE "ShareLink" ALTER COLUMN "tokenHash" SET NOT NULL;
DROP INDEX "ShareLink_token_key";
ALTER TABLE "ShareLink" DROP COLUMN "token";
CREATE UNIQUE INDEX "ShareLink_tokenHash_key" ON "ShareLink"("tokenHash");

-- CreateTable
CREATE TABLE "RevokedSession" (
    "sessionId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RevokedSession_pkey" PRIMARY KEY ("sessionId")
);

-- CreateIndex
CREATE INDEX "RevokedSession_expiresAt_idx" ON "RevokedSession"("expiresAt");
