// In-process event bus on yoga's typed pubsub (an EventTarget underneath).
import { createPubSub } from 'graphql-yoga';
import type { EventBus, TicketEventMessage } from './pubsub.ts';

const TOPIC = 'ticket-events';

export function createMemoryBus(): EventBus {
  const pubsub = createPubSub<{ [TOPIC]: [TicketEventMessage] }>();
  return {
    async publish(messages) {
      for (const m of messages) pubsub.publish(TOPIC, m);
    },
    subscribe(signal) {
      const it = pubsub.subscribe(TOPIC);
      signal?.addEventListener('abort', () => void it.return?.(), { once: true });
      return it as AsyncIterableIterator<TicketEventMessage>;
    },
    async close() {},
  };
}
