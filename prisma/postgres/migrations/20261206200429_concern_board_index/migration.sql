-- CreateIndex
CREATE INDEX "Concern_orgId_status_raisedAt_id_idx" ON "Concern"("orgId", "status", "raisedAt", "id");
