// The event bus port. Committed ticket events go out on one ordered stream; every
// subscriber filters (and re-authorizes) on its own side. Access changes (a credential
// ended, a user's rights changed) go out on a second topic, so every instance can close
// the websockets that relied on them. Adapters: in-memory for one process (the embedded
// default), Redis for several instances.
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

/**
 * A user's sessions, API tokens, role or active flag changed (logout, revocation,
 * deactivation, role change, password reset), committed in the database. It names only
 * whose: receivers re-check that user's open websockets against the database, so a
 * message grants or takes away nothing by itself.
 */
export interface AccessChangeMessage {
  userId: string;
}

export interface EventBus {
  publish(messages: readonly TicketEventMessage[]): Promise<void>;
  /** Messages in publish order until `signal` aborts or the iterator is returned. */
  subscribe(signal?: AbortSignal): AsyncIterableIterator<TicketEventMessage>;
  /**
   * Access changes, to every instance. Not ordered with the ticket stream and not
   * repaired when lost: a websocket a lost message should have closed still has every
   * new operation checked against the database, and its running subscriptions every event.
   */
  publishAccessChanges(changes: readonly AccessChangeMessage[]): Promise<void>;
  /** Access changes as they arrive, until `signal` aborts or the iterator is returned. */
  subscribeAccessChanges(signal?: AbortSignal): AsyncIterableIterator<AccessChangeMessage>;
  close(): Promise<void>;
}
