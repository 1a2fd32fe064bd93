-- CreateTable
CREATE TABLE "ConcernDraft" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "valuesEnc" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ConcernDraft_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ConcernDraft_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Concern" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "studentId" TEXT,
    "notOnRollNameEnc" TEXT,
    "notOnRollYear" TEXT,
    "raisedById" TEXT,
    "source" TEXT NOT NULL,
    "externalId" TEXT,
    "category" TEXT NOT NULL,
    "immediateRisk" BOOLEAN NOT NULL DEFAULT false,
    "textEnc" TEXT NOT NULL,
    "actionsTakenEnc" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "raisedAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'RAISED',
    "escalationLevel" INTEGER NOT NULL DEFAULT 0,
    "nextEscalationAt" DATETIME,
    "acknowledgedById" TEXT,
    "acknowledgedAt" DATETIME,
    "ownerId" TEXT,
    "outcome" TEXT,
    "outcomeAt" DATETIME,
    "outcomeNoteEnc" TEXT,
    "intakeKey" TEXT,
    "sentTo" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Concern_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Concern_studentId_fkey" FOREIGN KEY ("studentId") REFERENCES "Student" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Concern" ("acknowledgedAt", "acknowledgedById", "actionsTakenEnc", "category", "createdAt", "escalationLevel", "externalId", "id", "immediateRisk", "intakeKey", "nextEscalationAt", "occurredAt", "orgId", "outcome", "outcomeAt", "outcomeNoteEnc", "ownerId", "raisedAt", "raisedById", "sentTo", "source", "status", "studentId", "textEnc", "updatedAt") SELECT "acknowledgedAt", "acknowledgedById", "actionsTakenEnc", "category", "createdAt", "escalationLevel", "externalId", "id", "immediateRisk", "intakeKey", "nextEscalationAt", "occurredAt", "orgId", "outcome", "outcomeAt", "outcomeNoteEnc", "ownerId", "raisedAt", "raisedById", "sentTo", "source", "status", "studentId", "textEnc", "updatedAt" FROM "Concern";
DROP TABLE "Concern";
ALTER TABLE "new_Concern" RENAME TO "Concern";
CREATE INDEX "Concern_status_nextEscalationAt_idx" ON "Concern"("status", "nextEscalationAt");
CREATE UNIQUE INDEX "Concern_orgId_source_externalId_key" ON "Concern"("orgId", "source", "externalId");
CREATE UNIQUE INDEX "Concern_orgId_intakeKey_key" ON "Concern"("orgId", "intakeKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ConcernDraft_orgId_staffId_idx" ON "ConcernDraft"("orgId", "staffId");
