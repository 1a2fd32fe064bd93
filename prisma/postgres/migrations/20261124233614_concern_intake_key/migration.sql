-- AlterTable
ALTER TABLE "Concern" ADD COLUMN     "intakeKey" TEXT,
ADD COLUMN     "sentTo" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Concern_orgId_intakeKey_key" ON "Concern"("orgId", "intakeKey");

