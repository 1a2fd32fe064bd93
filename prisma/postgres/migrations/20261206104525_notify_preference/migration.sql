-- CreateTable
CREATE TABLE "NotifyPreference" (
    "staffId" TEXT NOT NULL,
    "emailInHours" INTEGER,
    "smsInHours" INTEGER,
    "emailOutOfHours" INTEGER,
    "smsOutOfHours" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotifyPreference_pkey" PRIMARY KEY ("staffId")
);

-- AddForeignKey
ALTER TABLE "NotifyPreference" ADD CONSTRAINT "NotifyPreference_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;
