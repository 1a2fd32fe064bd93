-- CreateTable
CREATE TABLE "ContactMethod" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "valueEnc" TEXT NOT NULL,
    "valueHash" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'person',
    "verifiedAt" DATETIME,
    "codeHash" TEXT,
    "codeExpiresAt" DATETIME,
    "codeAttempts" INTEGER NOT NULL DEFAULT 0,
    "lastFailureAt" DATETIME,
    "lastFailure" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ContactMethod_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ContactMethod_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ContactMethod_orgId_valueHash_idx" ON "ContactMethod"("orgId", "valueHash");

-- CreateIndex
CREATE UNIQUE INDEX "ContactMethod_staffId_kind_key" ON "ContactMethod"("staffId", "kind");
