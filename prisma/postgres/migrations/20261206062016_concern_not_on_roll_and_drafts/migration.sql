-- AlterTable
ALTER TABLE "Concern" ADD COLUMN     "notOnRollNameEnc" TEXT,
ADD COLUMN     "notOnRollYear" TEXT,
ALTER COLUMN "studentId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "ConcernDraft" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "valuesEnc" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConcernDraft_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConcernDraft_orgId_staffId_idx" ON "ConcernDraft"("orgId", "staffId");

-- AddForeignKey
ALTER TABLE "ConcernDraft" ADD CONSTRAINT "ConcernDraft_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConcernDraft" ADD CONSTRAINT "ConcernDraft_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;
