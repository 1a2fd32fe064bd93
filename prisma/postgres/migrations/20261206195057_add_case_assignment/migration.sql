-- CreateTable
CREATE TABLE "CaseAssignment" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "officerId" TEXT,
    "fromOn" TEXT NOT NULL,
    "beforeHistory" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaseAssignment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CaseAssignment_caseId_fromOn_idx" ON "CaseAssignment"("caseId", "fromOn");

-- CreateIndex
CREATE INDEX "CaseAssignment_officerId_idx" ON "CaseAssignment"("officerId");

-- AddForeignKey
ALTER TABLE "CaseAssignment" ADD CONSTRAINT "CaseAssignment_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseAssignment" ADD CONSTRAINT "CaseAssignment_officerId_fkey" FOREIGN KEY ("officerId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Backfill: every existing case's officer now, from its start date, flagged as from before the history
-- was kept: who held a case before this migration is not recorded.
INSERT INTO "CaseAssignment" ("id", "caseId", "officerId", "fromOn", "beforeHistory", "createdAt")
SELECT 'before-history-' || "id", "id", "ownerId", "startDate", true, "createdAt" FROM "Case";
