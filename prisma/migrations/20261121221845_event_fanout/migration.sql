-- AlterTable
ALTER TABLE "TimelineEvent" ADD COLUMN     "fanout" JSONB NOT NULL DEFAULT '{}';
