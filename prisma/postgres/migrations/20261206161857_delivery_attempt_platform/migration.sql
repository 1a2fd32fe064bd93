-- AlterTable
ALTER TABLE "DeliveryAttempt" ADD COLUMN     "platform" "Platform";

-- CreateIndex
CREATE INDEX "DeliveryAttempt_platform_outcome_finishedAt_idx" ON "DeliveryAttempt"("platform", "outcome", "finishedAt");
