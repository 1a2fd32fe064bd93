-- AlterTable
ALTER TABLE "ImportConcernRow" ADD COLUMN "notOnRollEnc" TEXT;
ALTER TABLE "ImportConcernRow" ADD COLUMN "occurredAt" DATETIME;

-- CreateIndex
CREATE INDEX "ImportConcernRow_occurredAt_idx" ON "ImportConcernRow"("occurredAt");
