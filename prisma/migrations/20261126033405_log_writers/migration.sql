-- CreateTable
CREATE TABLE "LogWriter" (
    "runId" TEXT NOT NULL,
    "writer" TEXT NOT NULL,
    "base" INTEGER NOT NULL,

    CONSTRAINT "LogWriter_pkey" PRIMARY KEY ("runId","writer")
);

-- CreateIndex
CREATE UNIQUE INDEX "LogWriter_runId_base_key" ON "LogWriter"("runId", "base");

-- AddForeignKey
ALTER TABLE "LogWriter" ADD CONSTRAINT "LogWriter_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Lines stored before writers existed belong to the writer without a name, at base 0
INSERT INTO "LogWriter" ("runId", "writer", "base") SELECT DISTINCT "runId", '', 0 FROM "LogLine";
