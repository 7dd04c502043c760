// The event bus port. Committed ticket events go out on one ordered stream; every
// subscriber filters (and re-authorizes) on its own side. Adapters: in-memory for one
// process (the embedded default), Redis for several instances.
import type { QueueChange } from '../../domain/ticket/queues.ts';
import type { EventKind } from '../../domain/ticket/lifecycle.ts';

/** One committed timeline event, as every instance's subscribers receive it. */
export interface TicketEventMessage {
  /** Global, gap-free, in commit order (decimal string: it is a bigint). */
  seq: string;
  eventId: string;
  ticketId: string;
  typeId: string;
  kind: EventKind;
  visibility: 'PUBLIC' | 'INTERNAL';
  actorId: string | null;
  createdAt: string;
  /** Queues the ticket entered, left or stayed in because of the command this event ends. */
  queueChanges: QueueChange[];
  /** In-app notifications written with this event. */
  notifications: { id: string; userId: string }[];
  /**
   * When the writing transaction committed (epoch ms), stamped as it is published, for
   * the delivery-lag metric. Absent on messages rebuilt from the timeline.
   */
  committedAt?: number;
}

export interface EventBus {
  publish(messages: readonly TicketEventMessage[]): Promise<void>;
  /** Messages in publish order until `signal` aborts or the iterator is returned. */
  subscribe(signal?: AbortSignal): AsyncIterableIterator<TicketEventMessage>;
  close(): Promise<void>;
}
