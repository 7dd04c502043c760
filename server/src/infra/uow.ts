// A unit of work: one database transaction that writes a change, its timeline events
// and notifications together, then — only after COMMIT — publishes the events.
//
// Event sequence numbers come from a single counter row bumped inside the writing
// transaction, as its last statement. The row lock is held until COMMIT, so sequence
// order is commit order and the stream has no holes: a subscriber that sees seq 41
// after 39 knows for certain it missed 40.
import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from './db/generated/client.ts';
import type { Clock } from '../domain/clock.ts';
import type { EventKind } from '../domain/ticket/lifecycle.ts';
import { diffQueues, keyOf, queuesOf, type QueueChange, type QueueSnapshot } from '../domain/ticket/queues.ts';
import type { EventBus, TicketEventMessage } from './pubsub/pubsub.ts';

export type Tx = Prisma.TransactionClient;

export interface RecordedEvent {
  ticketId: string;
  typeId: string;
  kind: EventKind;
  actorId: string | null;
  visibility: 'PUBLIC' | 'INTERNAL';
  data?: Record<string, unknown>;
}

export interface NotificationInput {
  userId: string;
  kind: string;
  ticketId: string | null;
  data?: Record<string, unknown>;
}

type Recorded = RecordedEvent & {
  id: string;
  queueChanges: QueueChange[];
  notifications: { id: string; userId: string }[];
  /** Where the ticket's queues stood right after this event, when the command knows it. */
  moved?: QueueSnapshot;
};

export class EventRecorder {
  readonly events: Recorded[] = [];
  private readonly pendingNotifications: (NotificationInput & { id: string })[] = [];
  /** Each touched ticket's queues before this unit of work (null: it did not exist). */
  private readonly before = new Map<string, QueueSnapshot | null>();

  /**
   * Adds an event. `moved`: the ticket's queue state right after it, for a command that
   * goes on moving the ticket (an offer ends, then routing offers it to someone else), so
   * the queues the ticket left here are told with this event (see flush).
   */
  record(e: RecordedEvent, moved?: QueueSnapshot): void {
    this.events.push({ ...e, id: randomUUID(), queueChanges: [], notifications: [], ...(moved && { moved }) });
  }

  /** Notifies people about the most recent event (deduplicated, never the actor). */
  notify(userIds: Iterable<string | null | undefined>, kind: string, data: Record<string, unknown> = {}): void {
    const last = this.events.at(-1);
    if (!last) throw new Error('notify() needs an event to attach to');
    const seen = new Set(this.pendingNotifications.filter((n) => n.kind === kind && n.ticketId === last.ticketId).map((n) => n.userId));
    for (const userId of userIds) {
      if (!userId || userId === last.actorId || seen.has(userId)) continue;
      seen.add(userId);
      const n = { id: randomUUID(), userId, kind, ticketId: last.ticketId, data: { ...data, eventKind: last.kind } };
      this.pendingNotifications.push(n);
      last.notifications.push({ id: n.id, userId });
    }
  }

  /**
   * Remembers where a ticket stood before this unit of work changed it. The first call
   * per ticket wins, so a command made of several steps reports one net movement: a
   * queue the ticket passed through and left again in the same command is not mentioned.
   */
  track(ticketId: string, before: QueueSnapshot | null): void {
    if (!this.before.has(ticketId)) this.before.set(ticketId, before);
  }

  /** Writes events (numbered from the counter row) and notifications; returns the messages to publish. */
  async flush(tx: Tx, now: Date, snapshot: SnapshotFn): Promise<TicketEventMessage[]> {
    const n = this.events.length;
    if (n === 0) return [];
    // Net queue movement of each tracked ticket. Where it is now is told with its last
    // event, which settled that; a queue it left, with the event that took it away, so
    // the agent who lost an offer hears OFFER_DECLINED, not the OFFERED to the next one.
    for (const [ticketId, before] of this.before) {
      const mine = this.events.filter((e) => e.ticketId === ticketId);
      if (mine.length === 0) continue;
      for (const change of diffQueues(before, await snapshot(tx, ticketId))) causeOf(change, mine).queueChanges.push(change);
    }
    if (this.pendingNotifications.length) {
      await tx.notification.createMany({
        data: this.pendingNotifications.map((x) => ({
          id: x.id,
          userId: x.userId,
          kind: x.kind,
          ticketId: x.ticketId,
          data: x.data as Prisma.InputJsonValue,
          createdAt: now,
        })),
      });
    }
    // One statement, the last before COMMIT: bump the counter by n and write the n events
    // numbered below the new value, so the counter's row lock is held as briefly as possible.
    const rows = this.events.map(
      (e, i) => Prisma.sql`(${e.id}::uuid, ${i + 1}::int, ${e.ticketId}::uuid, ${e.actorId}::uuid, ${e.kind}::text, ${e.visibility}::text, ${JSON.stringify(e.data ?? {})}::jsonb,
        ${JSON.stringify({ queueChanges: e.queueChanges, notifications: e.notifications })}::jsonb)`,
    );
    const [{ seq }] = await tx.$queryRaw<[{ seq: bigint }]>`
      WITH cursor AS (
        INSERT INTO "EventCursor" (id, seq) VALUES (1, ${n}::bigint)
        ON CONFLICT (id) DO UPDATE SET seq = "EventCursor".seq + EXCLUDED.seq
        RETURNING seq
      ), written AS (
        INSERT INTO "TimelineEvent" (id, seq, "ticketId", "actorId", kind, visibility, data, fanout, "createdAt")
        SELECT v.id, cursor.seq - ${n}::bigint + v.ord, v.ticket, v.actor, v.kind, v.visibility::"EventVisibility", v.data, v.fanout, ${now}
          FROM cursor, (VALUES ${Prisma.join(rows)}) AS v(id, ord, ticket, actor, kind, visibility, data, fanout)
        RETURNING seq
      )
      SELECT max(written.seq) AS seq FROM written`;
    const first = BigInt(seq) - BigInt(n) + 1n;
    return this.events.map((e, i) => ({
      seq: (first + BigInt(i)).toString(),
      eventId: e.id,
      ticketId: e.ticketId,
      typeId: e.typeId,
      kind: e.kind,
      visibility: e.visibility,
      actorId: e.actorId,
      createdAt: now.toISOString(),
      queueChanges: e.queueChanges,
      notifications: e.notifications,
    }));
  }
}

/**
 * The event a net queue change is told with: the last one, except that a queue the
 * ticket LEFT is told with the earliest event since which it has been out of it.
 */
function causeOf(change: QueueChange, events: Recorded[]): Recorded {
  let cause = events.at(-1)!;
  if (change.kind !== 'LEFT') return cause;
  const key = keyOf(change);
  for (let i = events.length - 1; i >= 0; i--) {
    const moved = events[i]!.moved;
    if (!moved) continue;
    if (queuesOf(moved).some((k) => keyOf(k) === key)) break;
    cause = events[i]!;
  }
  return cause;
}

export type SnapshotFn = (tx: Tx, ticketId: string) => Promise<QueueSnapshot | null>;

export interface UowDeps {
  prisma: PrismaClient;
  clock: Clock;
  bus: EventBus;
  /** Reads a ticket's queue-relevant state (see services/tickets/snapshot.ts). */
  snapshot: SnapshotFn;
  onPublishError?: (e: unknown) => void;
}

/** PostgreSQL aborted the transaction to break a deadlock or a serialization conflict. */
function isRetryable(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  const msg = String((e as { message?: string })?.message ?? '');
  return code === 'P2034' || /deadlock detected|could not serialize/i.test(msg);
}

export interface Work {
  tx: Tx;
  rec: EventRecorder;
  now: Date;
}

export async function runUnitOfWork<T>(deps: UowDeps, fn: (w: Work) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const rec = new EventRecorder();
    try {
      const now = deps.clock.now();
      const { result, messages } = await deps.prisma.$transaction(
        async (tx) => {
          const result = await fn({ tx, rec, now });
          return { result, messages: await rec.flush(tx, now, deps.snapshot) };
        },
        { maxWait: 10_000, timeout: 20_000 },
      );
      await publish(deps, messages);
      return result;
    } catch (e) {
      if (attempt < 4 && isRetryable(e)) continue;
      throw e;
    }
  }
}

/** For work that already runs inside a transaction it owns (the job runner). */
export async function publish(deps: UowDeps, messages: TicketEventMessage[]): Promise<void> {
  if (messages.length === 0) return;
  try {
    await deps.bus.publish(messages);
  } catch (e) {
    // The change is committed and in the timeline; subscribers catch up by seq gap.
    deps.onPublishError?.(e);
  }
}
