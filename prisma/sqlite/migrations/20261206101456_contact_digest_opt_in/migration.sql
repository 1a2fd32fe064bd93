-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ContactMethod" (
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
    "digestOptIn" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ContactMethod_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ContactMethod_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ContactMethod" ("codeAttempts", "codeExpiresAt", "codeHash", "createdAt", "id", "kind", "lastFailure", "lastFailureAt", "orgId", "source", "staffId", "updatedAt", "valueEnc", "valueHash", "verifiedAt") SELECT "codeAttempts", "codeExpiresAt", "codeHash", "createdAt", "id", "kind", "lastFailure", "lastFailureAt", "orgId", "source", "staffId", "updatedAt", "valueEnc", "valueHash", "verifiedAt" FROM "ContactMethod";
DROP TABLE "ContactMethod";
ALTER TABLE "new_ContactMethod" RENAME TO "ContactMethod";
CREATE INDEX "ContactMethod_orgId_valueHash_idx" ON "ContactMethod"("orgId", "valueHash");
CREATE UNIQUE INDEX "ContactMethod_staffId_kind_key" ON "ContactMethod"("staffId", "kind");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
