-- CreateTable
CREATE TABLE "NotifyPreference" (
    "staffId" TEXT NOT NULL PRIMARY KEY,
    "emailInHours" INTEGER,
    "smsInHours" INTEGER,
    "emailOutOfHours" INTEGER,
    "smsOutOfHours" INTEGER,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "NotifyPreference_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
