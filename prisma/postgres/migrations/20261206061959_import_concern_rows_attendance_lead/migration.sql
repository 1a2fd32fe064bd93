-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'ATTENDANCE_LEAD';

-- CreateTable
CREATE TABLE "ImportConcernRow" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "incidentId" TEXT NOT NULL,

    CONSTRAINT "ImportConcernRow_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ImportConcernRow_runId_line_idx" ON "ImportConcernRow"("runId", "line");

-- AddForeignKey
ALTER TABLE "ImportConcernRow" ADD CONSTRAINT "ImportConcernRow_runId_fkey" FOREIGN KEY ("runId") REFERENCES "ImportRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
