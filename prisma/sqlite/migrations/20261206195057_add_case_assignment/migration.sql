-- CreateTable
CREATE TABLE "CaseAssignment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "officerId" TEXT,
    "fromOn" TEXT NOT NULL,
    "beforeHistory" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CaseAssignment_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CaseAssignment_officerId_fkey" FOREIGN KEY ("officerId") REFERENCES "Staff" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CaseAssignment_caseId_fromOn_idx" ON "CaseAssignment"("caseId", "fromOn");

-- CreateIndex
CREATE INDEX "CaseAssignment_officerId_idx" ON "CaseAssignment"("officerId");

-- Backfill: every existing case's officer now, from its start date, flagged as from before the history
-- was kept: who held a case before this migration is not recorded.
INSERT INTO "CaseAssignment" ("id", "caseId", "officerId", "fromOn", "beforeHistory", "createdAt")
SELECT 'before-history-' || "id", "id", "ownerId", "startDate", 1, "createdAt" FROM "Case";
