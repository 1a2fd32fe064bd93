-- CreateTable
CREATE TABLE "SlackEventReceipt" (
    "eventId" TEXT NOT NULL PRIMARY KEY,
    "receivedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "SlackEventReceipt_receivedAt_idx" ON "SlackEventReceipt"("receivedAt");
