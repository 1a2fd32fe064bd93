-- CreateIndex
CREATE INDEX "CaseAssignment_caseId_fromOn_officerId_beforeHistory_idx" ON "CaseAssignment"("caseId", "fromOn", "officerId", "beforeHistory");

-- CreateIndex
CREATE INDEX "CaseEvent_kind_caseId_occurredOn_idx" ON "CaseEvent"("kind", "caseId", "occurredOn");
