// Delivers the committed event stream to this instance's subscribers strictly in seq
// order, whatever order the transport brought it in. The stream is gap-free by
// construction (seq comes from a counter row inside each writing transaction), so a
// hole means a message is late or lost: after a short wait the missing events are read
// back from the timeline table, which holds everything a message carries.
import type { PrismaClient } from '../db/generated/client.ts';
import type { QueueChange } from '../../domain/ticket/queues.ts';
import type { EventKind } from '../../domain/ticket/lifecycle.ts';
import { Repeater } from 'graphql-yoga';
import type { EventBus, TicketEventMessage } from './pubsub.ts';

export interface OrderedBusOptions {
  /** How long a hole may stay open before it is filled from the database. */
  repairAfterMs?: number;
  onRepair?: (info: { from: string; to: string; recovered: number }) => void;
  onError?: (e: unknown) => void;
}

type Listener = (m: TicketEventMessage) => void;

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

export function createOrderedBus(inner: EventBus, prisma: PrismaClient, opts: OrderedBusOptions = {}): EventBus {
  const listeners = new Set<Listener>();
  // Until the stream position is known, everything waits in `early`.
  let next: bigint | null = null;
  const early = new Map<bigint, TicketEventMessage>();
  let repairTimer: NodeJS.Timeout | null = null;
  let repairing = false;
  const ac = new AbortController();

  const emit = (m: TicketEventMessage) => {
    for (const l of listeners) {
      try {
        l(m);
      } catch (e) {
        opts.onError?.(e);
      }
    }
  };

  const drain = () => {
    if (next === null) return;
    for (let m = early.get(next); m; m = early.get(next)) {
      early.delete(next);
      next++;
      emit(m);
    }
    if (early.size === 0 && repairTimer) {
      clearTimeout(repairTimer);
      repairTimer = null;
    } else if (early.size > 0 && !repairTimer) {
      repairTimer = setTimeout(() => void repair(), opts.repairAfterMs ?? 250);
      repairTimer.unref();
    }
  };

  const accept = (m: TicketEventMessage) => {
    const seq = BigInt(m.seq);
    if ((next !== null && seq < next) || early.has(seq)) return; // delivered already, or a duplicate
    early.set(seq, m);
    drain();
  };

  const repair = async () => {
    repairTimer = null;
    if (repairing || early.size === 0 || next === null) return;
    repairing = true;
    try {
      const upTo = [...early.keys()].reduce((a, b) => (a < b ? a : b)) - 1n;
      const from = next;
      if (upTo >= from) {
        const missing = await loadMessages(prisma, from, upTo);
        for (const m of missing) accept(m);
        opts.onRepair?.({ from: from.toString(), to: upTo.toString(), recovered: missing.length });
      }
    } catch (e) {
      opts.onError?.(e);
    } finally {
      repairing = false;
      drain();
    }
  };

  void (async () => {
    try {
      const rows = await prisma.$queryRaw<{ seq: bigint }[]>`SELECT seq FROM "EventCursor" WHERE id = 1`;
      next = BigInt(rows[0]?.seq ?? 0) + 1n;
      for (const seq of early.keys()) if (seq < next) early.delete(seq);
      drain();
    } catch (e) {
      opts.onError?.(e);
    }
  })();

  void (async () => {
    try {
      for await (const m of inner.subscribe(ac.signal)) accept(m);
    } catch (e) {
      if (!ac.signal.aborted) opts.onError?.(e);
    }
  })();

  return {
    publish: (messages) => inner.publish(messages),
    subscribe(signal) {
      // Each subscriber drains at its own pace. One that falls ~1,000 events behind
      // gets an error (Repeater's queue limit) and resubscribes, refetching by seq.
      return new Repeater<TicketEventMessage>(async (push, stop) => {
        const listener: Listener = (m) => {
          try {
            void push(m).catch(() => undefined);
          } catch (e) {
            void stop(e);
          }
        };
        listeners.add(listener);
        signal?.addEventListener('abort', () => stop(), { once: true });
        await stop;
        listeners.delete(listener);
      });
    },
    async close() {
      ac.abort();
      if (repairTimer) clearTimeout(repairTimer);
      for (const l of [...listeners]) listeners.delete(l);
      await inner.close();
    },
  };
}
