-- DropIndex
DROP INDEX "CaseAssignment_caseId_fromOn_idx";

-- CreateIndex
CREATE UNIQUE INDEX "CaseAssignment_caseId_fromOn_key" ON "CaseAssignment"("caseId", "fromOn");
