// Hooks into the use cases and the event bus where the facts are known: the grab result
// (won, or lost to a faster agent) at the service facade, and the commit time of every
// event as it is published (the units of work publish right after COMMIT).
import { TicketAlreadyTaken } from '../domain/errors.ts';
import type { EventBus } from '../infra/pubsub/pubsub.ts';
import type { TicketService } from '../services/tickets/index.ts';
import type { Metrics } from './metrics.ts';

/** Counts grabs by outcome. */
export function instrumentGrabs(tickets: TicketService, metrics: Pick<Metrics, 'grab'>): void {
  const grab = tickets.grab;
  tickets.grab = (...args) =>
    grab(...args).then(
      (ticketId) => {
        metrics.grab('won');
        return ticketId;
      },
      (e: unknown) => {
        metrics.grab(e instanceof TicketAlreadyTaken ? 'lost' : 'failed');
        throw e;
      },
    );
}

/**
 * The bus as publishers see it: each message is stamped with its commit time
 * (`committedAt`) for the delivery-lag metric. Subscribing goes to the bus unchanged.
 */
export function stampingBus(bus: EventBus, metrics: Pick<Metrics, 'eventsPublished'>): EventBus {
  return {
    publish(messages) {
      const now = Date.now();
      metrics.eventsPublished(messages.length);
      return bus.publish(messages.map((m) => ({ ...m, committedAt: m.committedAt ?? now })));
    },
    subscribe: (signal) => bus.subscribe(signal),
    publishAccessChanges: (changes) => bus.publishAccessChanges(changes),
    subscribeAccessChanges: (signal) => bus.subscribeAccessChanges(signal),
    close: () => bus.close(),
  };
}
