// The board's queues as one state machine, kept pure so it is tested without a browser.
// The server gives each queue snapshot the event-stream position (seq) it reflects, and
// each queue event its seq and the seq of the previous event on this subscription
// (prevSeq). Events at or below our position are duplicates; an event whose prevSeq is
// beyond our position means we missed something, and we refetch. Grabs move the card
// at once and are rolled back if somebody else was faster.

export type QueueName = 'POOL' | 'MY_OFFERS' | 'MY_TICKETS' | 'ASSIST_POOL' | 'OPEN';
export type ChangeKind = 'ENTERED' | 'LEFT' | 'UPDATED';

export interface CardLike {
  id: string;
  priority: 'URGENT' | 'HIGH' | 'NORMAL' | 'LOW';
  createdAt: string;
}

export interface QueueEventLike<T extends CardLike> {
  seq: string;
  prevSeq: string;
  ticketId: string;
  changes: { queue: QueueName; kind: ChangeKind }[];
  ticket: T | null;
}

export interface Snapshot<T extends CardLike> {
  seq: string;
  queues: Partial<Record<QueueName, T[]>>;
  /** totalCount of each queue, when a page holds fewer cards than the queue has. */
  totals?: Partial<Record<QueueName, number>>;
}

export type EventOutcome = 'applied' | 'duplicate' | 'buffered' | 'gap';

const PRIORITY_RANK = { URGENT: 0, HIGH: 1, NORMAL: 2, LOW: 3 } as const;
/** The order queues are listed in: most urgent first, then oldest first. */
export function byPriority(a: CardLike, b: CardLike): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

export class QueueBoard<T extends CardLike> {
  seq: bigint | null = null;
  queues: Record<QueueName, T[]> = { POOL: [], MY_OFFERS: [], MY_TICKETS: [], ASSIST_POOL: [], OPEN: [] };
  /** Tickets being grabbed right now (moved optimistically). */
  readonly grabbing = new Set<string>();
  /** Grabs in flight whose ticket left the pool meanwhile (dispatched, taken): never put back. */
  private leftPool = new Set<string>();
  /** Set when an event revealed missed events: the owner refetches and calls load(). */
  needsRefetch = false;
  private buffer: QueueEventLike<T>[] = [];
  /** Cards a queue has beyond the loaded page (totalCount − page size at load time). */
  private beyondPage: Record<QueueName, number> = { POOL: 0, MY_OFFERS: 0, MY_TICKETS: 0, ASSIST_POOL: 0, OPEN: 0 };

  constructor(private readonly watched: readonly QueueName[]) {}

  /** A fresh snapshot; events that arrived meanwhile are replayed on top of it. */
  load(s: Snapshot<T>): void {
    this.seq = BigInt(s.seq);
    this.needsRefetch = false;
    for (const q of this.watched) {
      this.queues[q] = [...(s.queues[q] ?? [])].sort(byPriority);
      this.beyondPage[q] = Math.max(0, (s.totals?.[q] ?? 0) - this.queues[q].length);
    }
    // Grabs still in flight keep their optimistic place; one the snapshot no longer has
    // in the pool (nor in our tickets) has gone elsewhere meanwhile.
    for (const id of this.grabbing) {
      if (!this.queues.POOL.some((t) => t.id === id) && !this.queues.MY_TICKETS.some((t) => t.id === id)) this.leftPool.add(id);
      this.moveOptimistically(id);
    }
    const pending = this.buffer;
    this.buffer = [];
    for (const e of pending) this.event(e);
  }

  /**
   * How many tickets a queue holds, counting those beyond the loaded page. Cards beyond
   * the page are counted as of the last load (events only tell us about cards we hold).
   */
  count(q: QueueName): number {
    return this.queues[q].length + this.beyondPage[q];
  }

  /** Whether a queue has more tickets than the page shows. */
  truncated(q: QueueName): boolean {
    return this.beyondPage[q] > 0;
  }

  /** A reconnect or an unknown state: nothing after our position can be trusted. */
  invalidate(): void {
    this.needsRefetch = true;
  }

  event(e: QueueEventLike<T>): EventOutcome {
    if (this.seq === null || this.needsRefetch) {
      this.buffer.push(e);
      return 'buffered';
    }
    const seq = BigInt(e.seq);
    if (seq <= this.seq) return 'duplicate';
    if (BigInt(e.prevSeq) > this.seq) {
      this.needsRefetch = true;
      this.buffer.push(e);
      return 'gap';
    }
    for (const c of e.changes) {
      if (c.queue === 'POOL' && c.kind === 'LEFT' && this.grabbing.has(e.ticketId)) this.leftPool.add(e.ticketId);
      if (!this.watched.includes(c.queue)) continue;
      if (c.kind === 'LEFT' || !e.ticket) this.remove(c.queue, e.ticketId);
      else this.upsert(c.queue, e.ticket);
    }
    // Our own successful grab arrives as an event: the card is real now.
    if (e.changes.some((c) => c.queue === 'MY_TICKETS' && c.kind === 'ENTERED') && this.grabbing.delete(e.ticketId)) this.settle(e.ticketId);
    this.seq = seq;
    return 'applied';
  }

  /** Starts a grab: false when it is already in flight (a double click does nothing twice). */
  beginGrab(ticketId: string): boolean {
    if (this.grabbing.has(ticketId)) return false;
    if (!this.queues.POOL.some((t) => t.id === ticketId)) return false;
    this.grabbing.add(ticketId);
    this.moveOptimistically(ticketId);
    return true;
  }

  grabSucceeded(ticket: T): void {
    this.grabbing.delete(ticket.id);
    this.settle(ticket.id);
    this.remove('POOL', ticket.id);
    if (this.watched.includes('MY_TICKETS')) this.upsert('MY_TICKETS', ticket);
  }

  /**
   * `taken`: somebody else has it — it is gone from the pool for good. Otherwise it goes
   * back, unless an event said it left the pool meanwhile.
   */
  grabFailed(ticketId: string, taken: boolean): void {
    if (!this.grabbing.delete(ticketId)) return;
    const card = this.optimisticCards.get(ticketId) ?? this.queues.MY_TICKETS.find((t) => t.id === ticketId);
    const gone = taken || this.leftPool.has(ticketId);
    this.settle(ticketId);
    this.remove('MY_TICKETS', ticketId);
    if (!gone && card) this.upsert('POOL', card);
  }

  private optimisticCards = new Map<string, T>();

  private settle(ticketId: string): void {
    this.optimisticCards.delete(ticketId);
    this.leftPool.delete(ticketId);
  }

  private moveOptimistically(ticketId: string): void {
    const card = this.queues.POOL.find((t) => t.id === ticketId) ?? this.optimisticCards.get(ticketId);
    if (!card) return;
    this.optimisticCards.set(ticketId, card);
    this.remove('POOL', ticketId);
    if (this.watched.includes('MY_TICKETS') && !this.queues.MY_TICKETS.some((t) => t.id === ticketId)) this.upsert('MY_TICKETS', card);
  }

  private upsert(q: QueueName, ticket: T): void {
    const list = this.queues[q].filter((t) => t.id !== ticket.id);
    list.push(ticket);
    this.queues[q] = list.sort(byPriority);
  }

  private remove(q: QueueName, ticketId: string): void {
    this.queues[q] = this.queues[q].filter((t) => t.id !== ticketId);
  }
}
