-- AlterTable
ALTER TABLE "Reminder" ADD COLUMN "contentHash" TEXT;

