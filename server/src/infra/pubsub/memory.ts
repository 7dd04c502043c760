// In-process event bus for one instance (the embedded default).
//
// Messages go through a JSON round trip like on Redis, so a field that would not
// survive the wire (a bigint, a Date) fails in every test, not only in production.
import { createFeed, type Feed } from './feed.ts';
import type { AccessChangeMessage, EventBus, TicketEventMessage } from './pubsub.ts';

export function createMemoryBus(): EventBus {
  const topics = { events: new Topic<TicketEventMessage>(), access: new Topic<AccessChangeMessage>() };
  let closed = false;
  return {
    async publish(messages) {
      if (closed) throw new Error('event bus is closed');
      topics.events.publish(messages);
    },
    subscribe: (signal) => topics.events.subscribe(signal, closed),
    async publishAccessChanges(changes) {
      if (closed) throw new Error('event bus is closed');
      topics.access.publish(changes);
    },
    subscribeAccessChanges: (signal) => topics.access.subscribe(signal, closed),
    async close() {
      closed = true;
      topics.events.end();
      topics.access.end();
    },
  };
}

class Topic<T> {
  private readonly feeds = new Set<Feed<T>>();

  publish(messages: readonly T[]): void {
    for (const m of messages) {
      const copy = JSON.parse(JSON.stringify(m)) as T;
      for (const f of this.feeds) f.push(copy);
    }
  }

  subscribe(signal: AbortSignal | undefined, closed: boolean): AsyncIterableIterator<T> {
    const feed: Feed<T> = createFeed({ signal, onEnd: () => this.feeds.delete(feed) });
    if (closed) feed.end();
    else if (!feed.ended) this.feeds.add(feed);
    return feed.iterator;
  }

  end(): void {
    for (const f of [...this.feeds]) f.end();
  }
}
