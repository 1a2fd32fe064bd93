-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "planOn" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "planVersion" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Case_planOn_idx" ON "Case"("planOn");

-- CreateIndex
CREATE INDEX "Student_updatedAt_idx" ON "Student"("updatedAt");
