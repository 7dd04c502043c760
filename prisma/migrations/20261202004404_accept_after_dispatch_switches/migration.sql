-- 二次确认 becomes two switches: 自动派单后需人员确认接单 and 管理员派单后需人员确认接单.
-- Both start from the old single switch, so every existing type behaves as before.
ALTER TABLE "TicketType" ADD COLUMN     "acceptAfterAutoDispatch" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "acceptAfterManagerDispatch" BOOLEAN NOT NULL DEFAULT false;

UPDATE "TicketType" SET "acceptAfterAutoDispatch" = "requireAcceptance", "acceptAfterManagerDispatch" = "requireAcceptance";

-- AlterTable
ALTER TABLE "TicketType" DROP COLUMN "requireAcceptance";
