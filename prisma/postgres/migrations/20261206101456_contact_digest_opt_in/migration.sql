-- AlterTable
ALTER TABLE "ContactMethod" ADD COLUMN     "digestOptIn" BOOLEAN NOT NULL DEFAULT false;
