-- AlterTable
ALTER TABLE "ImportConcernRow" ADD COLUMN     "notOnRollEnc" TEXT,
ADD COLUMN     "occurredAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "ImportConcernRow_occurredAt_idx" ON "ImportConcernRow"("occurredAt");
