// Event bus on Redis pub/sub, for several instances sharing one database.
//
// Two connections, as Redis requires: a subscriber connection is in subscribe mode and
// can run nothing else. Messages are JSON on one channel, access changes on a second
// (`<channel>:access`). Every instance subscribes once, at creation, and fans out to its
// local subscribers itself.
//
// Pub/sub is fire-and-forget: a message published while an instance's subscriber
// connection is down is never delivered to that instance. The ordered bus on top
// (ordered.ts) repairs that from the timeline table — at the next message, or at its
// periodic tail check if none follows — so a lost message delays delivery, never loses it.
//
// Publishing does not go through the event target's dispatchEvent: that drops the
// PUBLISH promise, so it neither tells when Redis took the message nor catches its
// failure (an unhandled rejection ends a Node process). publish() here resolves
// once Redis answered the PUBLISH, and rejects after `publishTimeoutMs` if Redis is
// unreachable (ioredis keeps retrying it while reconnecting; a late copy is harmless,
// the ordered bus drops duplicates).
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { createFeed, type Feed } from './feed.ts';
import type { AccessChangeMessage, EventBus, TicketEventMessage } from './pubsub.ts';

export const DEFAULT_REDIS_CHANNEL = 'gongdan:ticket-events';

export interface RedisBusOptions {
  url: string;
  /**
   * The pub/sub channel. Pub/sub ignores Redis database numbers: deployments sharing
   * one Redis must use different channels, instances of one deployment the same.
   */
  channel?: string;
  /** The channel of access changes (default `<channel>:access`). */
  accessChannel?: string;
  /** How long publish() waits for Redis to answer, also while reconnecting (default 1000). */
  publishTimeoutMs?: number;
  /** CLIENT SETNAME prefix of the two connections (default `gongdan`): `<name>:pub`, `<name>:sub`. */
  connectionName?: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Further ioredis options for both connections (e.g. `retryStrategy`, `tls`). */
  redisOptions?: RedisOptions;
}

export interface RedisBus extends EventBus {
  /** Resolves once Redis confirmed this instance's subscription. */
  readonly ready: Promise<void>;
  readonly channel: string;
  readonly accessChannel: string;
  /** The publishing and the subscribed connection (diagnostics, tests). */
  readonly connections: { readonly publisher: Redis; readonly subscriber: Redis };
}

type BusEvent = CustomEvent<unknown>;

export function createRedisBus(opts: RedisBusOptions): RedisBus {
  const channel = opts.channel ?? DEFAULT_REDIS_CHANNEL;
  const accessChannel = opts.accessChannel ?? `${channel}:access`;
  const name = opts.connectionName ?? 'gongdan';
  const log = opts.logger;

  const publisher = new Redis(opts.url, {
    connectionName: `${name}:pub`,
    commandTimeout: opts.publishTimeoutMs ?? 1000,
    ...opts.redisOptions,
  });
  // Retry its commands (the SUBSCRIBE) for as long as it takes: the connection
  // resubscribes by itself after every reconnect.
  const subscriber = new Redis(opts.url, {
    connectionName: `${name}:sub`,
    maxRetriesPerRequest: null,
    ...opts.redisOptions,
  });
  watch(publisher, 'publisher', log);
  watch(subscriber, 'subscriber', log);

  const subscribing: Promise<unknown>[] = [];
  const target = createRedisEventTarget<BusEvent>({
    publishClient: publisher,
    subscribeClient: handlingSubscribeResults(subscriber, (p) => subscribing.push(p)),
    serializer: {
      stringify: (m) => JSON.stringify(m),
      parse: (raw) => {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          return null;
        }
      },
    },
  });

  const feeds = new Set<Feed<TicketEventMessage>>();
  const accessFeeds = new Set<Feed<AccessChangeMessage>>();
  let closed = false;
  target.addEventListener(channel, (event) => {
    const m = event.detail;
    if (!isMessage(m)) {
      log?.warn({ channel }, 'ignored a malformed message on the event channel');
      return;
    }
    for (const f of feeds) f.push(m);
  });
  target.addEventListener(accessChannel, (event) => {
    const m = event.detail;
    if (!isAccessChange(m)) {
      log?.warn({ channel: accessChannel }, 'ignored a malformed message on the access channel');
      return;
    }
    for (const f of accessFeeds) f.push({ userId: m.userId });
  });
  const subscribed =
    subscribing.length === 2 ? Promise.all(subscribing).then(() => undefined) : Promise.reject(new Error('the event target did not subscribe'));
  subscribed.catch(() => undefined); // awaiting it is optional

  const subscribeTo = <T>(set: Set<Feed<T>>, signal: AbortSignal | undefined) => {
    const feed: Feed<T> = createFeed({ signal, onEnd: () => set.delete(feed) });
    if (closed) feed.end();
    else if (!feed.ended) set.add(feed);
    return feed.iterator;
  };

  return {
    channel,
    accessChannel,
    ready: subscribed,
    connections: { publisher, subscriber },
    async publish(messages) {
      if (closed) throw new Error('event bus is closed');
      // One connection writes in call order, so the messages arrive in this order.
      await Promise.all(messages.map((m) => publisher.publish(channel, JSON.stringify(m))));
    },
    subscribe: (signal) => subscribeTo(feeds, signal),
    async publishAccessChanges(changes) {
      if (closed) throw new Error('event bus is closed');
      await Promise.all(changes.map((c) => publisher.publish(accessChannel, JSON.stringify({ userId: c.userId }))));
    },
    subscribeAccessChanges: (signal) => subscribeTo(accessFeeds, signal),
    async close() {
      if (closed) return;
      closed = true;
      for (const f of [...feeds, ...accessFeeds]) f.end();
      await Promise.all([shutdown(publisher), shutdown(subscriber)]);
    },
  };
}

function isMessage(m: unknown): m is TicketEventMessage {
  const x = m as Partial<TicketEventMessage> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.seq === 'string' &&
    /^[1-9]\d*$/.test(x.seq) &&
    typeof x.ticketId === 'string' &&
    typeof x.eventId === 'string' &&
    Array.isArray(x.queueChanges) &&
    Array.isArray(x.notifications)
  );
}

function isAccessChange(m: unknown): m is AccessChangeMessage {
  const x = m as Partial<AccessChangeMessage> | null;
  return typeof x === 'object' && x !== null && typeof x.userId === 'string' && x.userId.length > 0 && x.userId.length <= 100;
}

/**
 * The event target calls subscribe/unsubscribe without handling their promises; this
 * hands it ones that cannot reject (a SUBSCRIBE still queued when the connection is
 * closed would otherwise be an unhandled rejection), and shows us the real one.
 */
function handlingSubscribeResults(client: Redis, seen: (p: Promise<unknown>) => void): Redis {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'subscribe' || prop === 'unsubscribe') {
        return (...channels: string[]) => {
          const p = target[prop](...channels);
          if (prop === 'subscribe') seen(p);
          return p.catch(() => undefined);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Logs outages once, not every retry (ioredis needs an error listener anyway). */
function watch(client: Redis, role: string, log: RedisBusOptions['logger']): void {
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log?.warn({ err: { message: err.message } }, `redis ${role} connection failed; retrying`);
  });
  client.on('reconnecting', () => {
    if (!down) log?.warn(`redis ${role} connection lost; reconnecting`);
    down = true;
  });
  client.on('ready', () => {
    if (down) log?.info(`redis ${role} connection back`);
    down = false;
  });
}

/**
 * QUIT when connected (bounded), otherwise drop the connection; either way ioredis
 * stops reconnecting. Resolves once the socket is closed.
 */
async function shutdown(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((r) => client.once('end', () => r()));
  const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 1000).unref())]);
  if (client.status === 'ready') {
    await bounded(client.quit().catch(() => undefined));
    if ((client.status as string) !== 'end') client.disconnect(); // QUIT went unanswered
  } else {
    // Connecting or waiting to reconnect: there may be no socket to close, and so no
    // 'end' to wait for; disconnect() cancels the pending reconnect either way.
    client.disconnect();
    if (client.status === 'reconnecting') return;
  }
  await bounded(ended);
}
