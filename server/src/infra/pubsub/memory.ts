// In-process event bus for one instance (the embedded default).
//
// Messages go through a JSON round trip like on Redis, so a field that would not
// survive the wire (a bigint, a Date) fails in every test, not only in production.
import { createFeed, type Feed } from './feed.ts';
import type { EventBus, TicketEventMessage } from './pubsub.ts';

export function createMemoryBus(): EventBus {
  const feeds = new Set<Feed<TicketEventMessage>>();
  let closed = false;
  return {
    async publish(messages) {
      if (closed) throw new Error('event bus is closed');
      for (const m of messages) {
        const copy = JSON.parse(JSON.stringify(m)) as TicketEventMessage;
        for (const f of feeds) f.push(copy);
      }
    },
    subscribe(signal) {
      const feed: Feed<TicketEventMessage> = createFeed({ signal, onEnd: () => feeds.delete(feed) });
      if (closed) feed.end();
      else if (!feed.ended) feeds.add(feed);
      return feed.iterator;
    },
    async close() {
      closed = true;
      for (const f of [...feeds]) f.end();
    },
  };
}
