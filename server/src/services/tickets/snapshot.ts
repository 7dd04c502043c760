// Locking a ticket and reading what the lifecycle needs to decide, in one statement.
// Commands that are not a single conditional write lock the ticket row first, always
// the ticket row first, so two commands on one ticket serialize and never deadlock.
import { NotFound, StaleWrite } from '../../domain/errors.ts';
import type { TicketStatus } from '../../domain/ticket/lifecycle.ts';
import type { QueueSnapshot } from '../../domain/ticket/queues.ts';
import type { Tx } from '../../infra/uow.ts';

export interface TicketState extends QueueSnapshot {
  id: string;
  version: number;
  typeId: string;
  creatorId: string;
  contactUserId: string | null;
  ownerId: string | null;
  number: number;
  offerId: string | null;
  offerSource: 'AUTO' | 'MANAGER' | null;
  /** Pending handover requests: id, requester, target. */
  handovers: { id: string; fromId: string; toId: string }[];
  /** 共享人: people who keep read access (e.g. who handed the ticket over). */
  sharerIds: string[];
  openAssists: { id: string; handlerId: string | null; teamId: string | null; requesterId: string; status: 'OPEN' | 'POOLED' }[];
}

interface Row {
  id: string;
  version: number;
  status: TicketStatus;
  typeId: string;
  creatorId: string;
  assigneeId: string | null;
  ownerId: string | null;
  number: number;
  contactUserId: string | null;
  offer: string | null;
  handovers: string;
  assists: string;
  sharers: string;
}

/**
 * Reads the ticket's lifecycle state, locking the row when `lock` (the caller is about
 * to change it). Throws NotFound, or StaleWrite when `expectedVersion` is behind.
 */
export async function loadState(tx: Tx, ticketId: string, opts: { lock: boolean; expectedVersion?: number | null }): Promise<TicketState> {
  // The SQL is a constant; the id is a bound parameter.
  const rows = await tx.$queryRawUnsafe<Row[]>(opts.lock ? `${STATE_SQL} FOR UPDATE OF t` : STATE_SQL, ticketId);
  const row = rows[0];
  if (!row) throw new NotFound('Ticket');
  if (opts.expectedVersion != null && opts.expectedVersion !== row.version) throw new StaleWrite(row.version);
  return toState(row);
}

const STATE_SQL = `
  SELECT t.id::text, t.version, t.status::text AS status, t."typeId"::text AS "typeId",
         t."creatorId"::text AS "creatorId", t."assigneeId"::text AS "assigneeId",
         t."ownerId"::text AS "ownerId", t.number,
         c."userId"::text AS "contactUserId",
         (SELECT json_build_object('id', o.id, 'agentId', o."agentId", 'source', o.source)::text
            FROM "AssignmentOffer" o WHERE o."ticketId" = t.id AND o.status = 'PENDING'
            ORDER BY o."createdAt" DESC LIMIT 1) AS offer,
         COALESCE((SELECT json_agg(json_build_object('id', h.id, 'fromId', h."fromId", 'toId', h."toId"))::text
            FROM "HandoverRequest" h WHERE h."ticketId" = t.id AND h.status = 'PENDING'), '[]') AS handovers,
         COALESCE((SELECT json_agg(json_build_object('id', a.id, 'handlerId', a."handlerId", 'teamId', a."teamId",
                                                     'requesterId', a."requesterId", 'status', a.status))::text
            FROM "AssistRequest" a WHERE a."ticketId" = t.id AND a.status IN ('OPEN', 'POOLED')), '[]') AS assists,
         COALESCE((SELECT json_agg(s."userId")::text FROM "TicketSharer" s WHERE s."ticketId" = t.id), '[]') AS sharers
    FROM "Ticket" t LEFT JOIN "Contact" c ON c.id = t."contactId"
   WHERE t.id = $1::uuid`;

function toState(r: Row): TicketState {
  const offer = r.offer ? (JSON.parse(r.offer) as { id: string; agentId: string; source: 'AUTO' | 'MANAGER' }) : null;
  const handovers = JSON.parse(r.handovers) as TicketState['handovers'];
  const openAssists = JSON.parse(r.assists) as TicketState['openAssists'];
  return {
    id: r.id,
    version: Number(r.version),
    status: r.status,
    typeId: r.typeId,
    creatorId: r.creatorId,
    assigneeId: r.assigneeId,
    ownerId: r.ownerId,
    number: Number(r.number),
    contactUserId: r.contactUserId,
    offerId: offer?.id ?? null,
    offerSource: offer?.source ?? null,
    offeredTo: offer?.agentId ?? null,
    handovers,
    handoverTargets: handovers.map((h) => h.toId),
    sharerIds: JSON.parse(r.sharers) as string[],
    openAssists,
    assists: openAssists.map((a) => ({ handlerId: a.handlerId, teamId: a.teamId, pooled: a.status === 'POOLED' })),
  };
}

/** Bumps the version of a locked ticket, with the fields a command changes. */
export async function touch(tx: Tx, ticketId: string, now: Date, data: Record<string, unknown> = {}): Promise<void> {
  await tx.ticket.update({
    where: { id: ticketId },
    data: { ...data, version: { increment: 1 }, lastActivityAt: now },
  });
}

/** The queue-relevant state of a ticket, or null when it is gone. */
export async function queueSnapshot(tx: Tx, ticketId: string): Promise<QueueSnapshot | null> {
  const rows = await tx.$queryRawUnsafe<Row[]>(STATE_SQL, ticketId);
  return rows[0] ? toState(rows[0]) : null;
}
