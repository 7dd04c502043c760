// Delivers the committed event stream to this instance's subscribers strictly in seq
// order, whatever order the transport brought it in. The stream is gap-free by
// construction (seq comes from a counter row inside each writing transaction), so a
// hole means a message is late or lost: after a short wait the missing events are read
// back from the timeline table, which holds everything a message carries.
//
// A lost message at the end of the stream leaves no hole until the next message comes,
// which may be never on a quiet system. So, while anyone listens, the counter row is
// read every `tailCheckMs`: a committed seq beyond what was delivered is a hole like
// any other. With the transport down altogether this keeps delivering, from the
// database, about every tailCheckMs + repairAfterMs.
import type { PrismaClient } from '../db/generated/client.ts';
import type { QueueChange } from '../../domain/ticket/queues.ts';
import type { EventKind } from '../../domain/ticket/lifecycle.ts';
import { createFeed, type Feed } from './feed.ts';
import type { EventBus, TicketEventMessage } from './pubsub.ts';

export interface OrderedBusOptions {
  /** How long a hole may stay open before it is filled from the database (default 250). */
  repairAfterMs?: number;
  /** How often, while anyone is subscribed, the stream head is read from the database (default 1000). */
  tailCheckMs?: number;
  /** Most events read back per repair query (default 500). */
  repairBatch?: number;
  /** A subscriber this many events behind is ended with an error (it resubscribes and refetches). */
  subscriberLimit?: number;
  onRepair?: (info: { from: string; to: string; recovered: number }) => void;
  onError?: (e: unknown) => void;
}

export async function loadMessages(prisma: PrismaClient, from: bigint, to: bigint): Promise<TicketEventMessage[]> {
  const rows = await prisma.timelineEvent.findMany({
    where: { seq: { gte: from, lte: to } },
    orderBy: { seq: 'asc' },
    include: { ticket: { select: { typeId: true } } },
  });
  return rows.map((r) => {
    const fanout = (r.fanout ?? {}) as { queueChanges?: QueueChange[]; notifications?: { id: string; userId: string }[] };
    return {
      seq: r.seq.toString(),
      eventId: r.id,
      ticketId: r.ticketId,
      typeId: r.ticket.typeId,
      kind: r.kind as EventKind,
      visibility: r.visibility,
      actorId: r.actorId,
      createdAt: r.createdAt.toISOString(),
      queueChanges: fanout.queueChanges ?? [],
      notifications: fanout.notifications ?? [],
    };
  });
}

async function readHead(prisma: PrismaClient): Promise<bigint> {
  const rows = await prisma.$queryRaw<{ seq: bigint }[]>`SELECT seq FROM "EventCursor" WHERE id = 1`;
  return BigInt(rows[0]?.seq ?? 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export function createOrderedBus(inner: EventBus, prisma: PrismaClient, opts: OrderedBusOptions = {}): EventBus {
  const repairAfterMs = opts.repairAfterMs ?? 250;
  const batch = BigInt(opts.repairBatch ?? 500);
  const feeds = new Set<Feed<TicketEventMessage>>();
  // The next seq to deliver; until the stream position is known, everything waits in `early`.
  let next: bigint | null = null;
  // The highest seq known to be committed (from a message or the counter row).
  let head = 0n;
  const early = new Map<bigint, TicketEventMessage>();
  let repairTimer: NodeJS.Timeout | null = null;
  let repairing = false;
  let checking = false;
  let closed = false;
  const ac = new AbortController();

  const holeOpen = () => next !== null && head >= next;

  const emit = (m: TicketEventMessage) => {
    for (const f of feeds) f.push(m);
  };

  const schedule = (ms: number) => {
    if (repairTimer || repairing || closed) return;
    repairTimer = setTimeout(() => void repair(), ms);
    repairTimer.unref();
  };

  const drain = () => {
    if (next === null) return;
    for (let m = early.get(next); m; m = early.get(next)) {
      early.delete(next);
      next++;
      emit(m);
    }
    if (!holeOpen() && repairTimer) {
      clearTimeout(repairTimer);
      repairTimer = null;
    } else if (holeOpen()) schedule(repairAfterMs);
  };

  const accept = (m: TicketEventMessage) => {
    const seq = BigInt(m.seq);
    if ((next !== null && seq < next) || early.has(seq)) return; // delivered already, or a duplicate
    if (seq > head) head = seq;
    early.set(seq, m);
    drain();
  };

  const repair = async () => {
    repairTimer = null;
    if (repairing || closed || !holeOpen()) return;
    repairing = true;
    let more = false;
    try {
      // Every real message was committed before it was published, so the counter row
      // read now covers it. A seq beyond it never happened in this database (a message
      // from another deployment on a shared channel): skipping up to it would drop real
      // events later, so it goes.
      // (Only messages that were here before the read are judged; later ones may be newer.)
      const judged = [...early.keys()];
      const committed = await readHead(prisma);
      const bogus = judged.filter((seq) => seq > committed && early.has(seq));
      if (bogus.length) {
        for (const seq of bogus) early.delete(seq);
        head = [...early.keys()].reduce((a, b) => (a > b ? a : b), committed);
        opts.onError?.(new Error(`dropped ${bogus.length} message(s) beyond the committed stream (seq ${bogus[0]}…): is another deployment publishing on this channel?`));
      }
      const from = next!;
      if (!holeOpen()) return;
      let upTo = early.size ? [...early.keys()].reduce((a, b) => (a < b ? a : b)) - 1n : head;
      // Read back only what is known committed; anything newer is for the next round.
      if (upTo > committed) upTo = committed;
      if (upTo < from) {
        // Nothing known committed to read back yet: try again after the usual wait.
      } else if (feeds.size === 0) {
        // Nobody to deliver to: skip ahead rather than read what no one will see.
        next = upTo + 1n;
      } else {
        const to = upTo - from + 1n > batch ? from + batch - 1n : upTo;
        more = to < upTo;
        const missing = await loadMessages(prisma, from, to);
        for (const m of missing) accept(m);
        opts.onRepair?.({ from: from.toString(), to: to.toString(), recovered: missing.length });
        if (next! <= to) {
          // Committed (a later seq is known) yet not in the table: deleted since. Waiting
          // would hold back every later event for good, so skip them.
          opts.onError?.(new Error(`events ${next} to ${to} are missing from the timeline; skipped`));
          next = to + 1n;
        }
      }
    } catch (e) {
      opts.onError?.(e);
    } finally {
      repairing = false;
      if (more) schedule(0);
      drain();
    }
  };

  // The stream position at start; retried by the tail check if the database is not there yet.
  const init = async () => {
    try {
      const h = await readHead(prisma);
      if (next !== null || closed) return;
      next = h + 1n;
      if (h > head) head = h;
      for (const seq of early.keys()) if (seq < next) early.delete(seq);
      drain();
    } catch (e) {
      opts.onError?.(e);
    }
  };
  void init();

  const tailCheck = async () => {
    if (closed || checking) return;
    checking = true;
    try {
      if (next === null) await init();
      else if (feeds.size > 0) {
        const h = await readHead(prisma);
        if (h > head) {
          head = h;
          drain();
        }
      }
    } catch (e) {
      opts.onError?.(e);
    } finally {
      checking = false;
    }
  };
  const tailTimer = setInterval(() => void tailCheck(), opts.tailCheckMs ?? 1000);
  tailTimer.unref();

  // The transport's stream; if it ends or fails, subscribe again (holes get repaired).
  void (async () => {
    while (!ac.signal.aborted) {
      try {
        for await (const m of inner.subscribe(ac.signal)) accept(m);
      } catch (e) {
        if (!ac.signal.aborted) opts.onError?.(e);
      }
      if (!ac.signal.aborted) await sleep(repairAfterMs);
    }
  })();

  return {
    publish: (messages) => inner.publish(messages),
    // Access changes are not part of the ordered stream: they pass straight through.
    publishAccessChanges: (changes) => inner.publishAccessChanges(changes),
    subscribeAccessChanges: (signal) => inner.subscribeAccessChanges(signal),
    subscribe(signal) {
      // Each subscriber drains at its own pace. One that falls `subscriberLimit` events
      // behind gets an error and resubscribes, refetching by seq.
      const feed: Feed<TicketEventMessage> = createFeed({ signal, limit: opts.subscriberLimit ?? 1000, onEnd: () => feeds.delete(feed) });
      if (closed) feed.end();
      else if (!feed.ended) feeds.add(feed);
      return feed.iterator;
    },
    async close() {
      if (closed) return;
      closed = true;
      ac.abort();
      clearInterval(tailTimer);
      if (repairTimer) clearTimeout(repairTimer);
      for (const f of [...feeds]) f.end();
      await inner.close();
    },
  };
}
