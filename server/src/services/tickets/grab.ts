// 客服主动抢单, the hottest contended write: of any number of concurrent grabs exactly one
// wins, decided by one statement. The conditional UPDATE, the agent's round-robin
// position, the event counter and the timeline row are one data-modifying CTE in one
// autocommit statement — atomic without a transaction round trip, and holding the
// counter row only for that statement, so a race of hundreds settles at the speed of
// the database rather than of our own round trips.
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../infra/db/generated/client.ts';
import { NotAllowed, NotEligible, NotFound } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import type { Viewer } from '../../domain/identity/viewer.ts';
import { checkActor } from '../../domain/ticket/lifecycle.ts';
import { diffQueues, type QueueSnapshot } from '../../domain/ticket/queues.ts';
import { publish } from '../../infra/uow.ts';
import { TYPE_ELIGIBILITY_INCLUDE, isEligible, toTypeEligibility } from './access.ts';
import { explainLostRace, POOL_SNAPSHOT } from './assignment.ts';
import { assertVisible, type TicketDeps } from './common.ts';

export async function grab(deps: TicketDeps, viewer: Viewer, ticketId: string, expectedVersion?: number | null): Promise<string> {
  const { prisma, clock } = deps;
  if (!isUuid(ticketId)) throw new NotFound('Ticket');
  // Facts that do not race: the ticket's type and its settings (one statement).
  const t = await prisma.ticket.findUnique({ where: { id: ticketId }, select: { type: { include: TYPE_ELIGIBILITY_INCLUDE } } });
  if (!t) throw new NotFound('Ticket');
  const elig = toTypeEligibility(t.type);
  const grabbable = elig.modes.includes('GRAB');
  if (!grabbable || !isEligible(elig, { id: viewer.userId, role: viewer.role, active: true })) {
    // Refusals only for those who may know the ticket exists: others get NotFound.
    await assertVisible(prisma, viewer, ticketId);
    if (!grabbable) throw new NotAllowed('Tickets of this type are not grabbed from the pool');
    throw new NotEligible('You are not an eligible agent for this ticket type');
  }
  checkActor('grab', new Set(['eligibleAgent']));

  const now = clock.now();
  const me = viewer.userId;
  const eventId = randomUUID();
  const after: QueueSnapshot = { status: 'PROCESSING', assigneeId: me, offeredTo: null, handoverTargets: [], assists: [] };
  const queueChanges = diffQueues(POOL_SNAPSHOT, after);
  const data = JSON.stringify({ agentId: me });
  const fanout = JSON.stringify({ queueChanges, notifications: [] });
  const versionCheck = expectedVersion == null ? Prisma.empty : Prisma.sql`AND version = ${expectedVersion}`;
  const rows = await prisma.$queryRaw<{ seq: bigint; typeId: string }[]>`
    WITH won AS (
      UPDATE "Ticket"
         SET status = 'PROCESSING', "assigneeId" = ${me}::uuid, "acceptedAt" = ${now}, version = version + 1,
             "lastActivityAt" = ${now}, "updatedAt" = ${now}
       WHERE id = ${ticketId}::uuid AND status = 'NEW' AND "assigneeId" IS NULL ${versionCheck}
      RETURNING id, "typeId"
    ), agent AS (
      UPDATE "User" SET "lastAssignedAt" = ${now}, "updatedAt" = ${now}
       WHERE id = ${me}::uuid AND EXISTS (SELECT 1 FROM won)
      RETURNING id
    ), unshared AS (
      -- The new assignee is not a read-only sharer of their own ticket.
      DELETE FROM "TicketSharer" WHERE "ticketId" = ${ticketId}::uuid AND "userId" = ${me}::uuid AND EXISTS (SELECT 1 FROM won)
    ), cursor AS (
      INSERT INTO "EventCursor" (id, seq) SELECT 1, 1 FROM won
      ON CONFLICT (id) DO UPDATE SET seq = "EventCursor".seq + 1
      RETURNING seq
    ), event AS (
      INSERT INTO "TimelineEvent" (id, seq, "ticketId", "actorId", kind, visibility, data, fanout, "createdAt")
      SELECT ${eventId}::uuid, cursor.seq, won.id, ${me}::uuid, 'GRABBED', 'PUBLIC', ${data}::jsonb, ${fanout}::jsonb, ${now}
        FROM won, cursor
      RETURNING seq
    )
    SELECT event.seq, won."typeId"::text AS "typeId" FROM event, won, agent`;
  const row = rows[0];
  if (!row) return explainLostRace(prisma, ticketId, 'grab', expectedVersion);

  await publish(deps, [
    {
      seq: String(row.seq),
      eventId,
      ticketId,
      typeId: row.typeId,
      kind: 'GRABBED',
      visibility: 'PUBLIC',
      actorId: me,
      createdAt: now.toISOString(),
      queueChanges,
      notifications: [],
    },
  ]);
  return ticketId;
}
