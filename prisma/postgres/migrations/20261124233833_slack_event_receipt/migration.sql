-- CreateTable
CREATE TABLE "SlackEventReceipt" (
    "eventId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SlackEventReceipt_pkey" PRIMARY KEY ("eventId")
);

-- CreateIndex
CREATE INDEX "SlackEventReceipt_receivedAt_idx" ON "SlackEventReceipt"("receivedAt");
