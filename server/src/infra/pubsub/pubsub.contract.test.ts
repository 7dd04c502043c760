// The EventBus port's contract, run against every adapter: in-memory (one process) and
// Redis (several; two bus instances here stand for two processes). Needs the Redis of
// the test environment (TEST_REDIS_URL, default redis://127.0.0.1:6379); each test uses
// a channel and connection names of its own, so runs in parallel never meet.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from './memory.ts';
import type { EventBus } from './pubsub.ts';
import { createRedisBus, type RedisBus } from './redis.ts';
import { TEST_REDIS_URL, killClient, message, range, take, until, yieldsWithin } from '../../../test/support/bus.ts';

const REDIS_URL = TEST_REDIS_URL;
const tag = () => randomBytes(5).toString('hex');

interface Adapter {
  name: string;
  /** A bus that can see the other buses made with the same `world` (a channel, for Redis). */
  make(world: string): Promise<EventBus>;
  /** Whether two buses of one world are separate processes' views of one stream. */
  shared: boolean;
}

const redisBuses: RedisBus[] = [];
async function makeRedisBus(world: string): Promise<RedisBus> {
  const bus = createRedisBus({ url: REDIS_URL, channel: `gongdan-test:${world}`, connectionName: `gongdan-test-${world}` });
  redisBuses.push(bus);
  await bus.ready;
  return bus;
}
const redisAdapter: Adapter = { name: 'redis', shared: true, make: makeRedisBus };
const adapters: Adapter[] = [{ name: 'memory', shared: false, make: async () => createMemoryBus() }, redisAdapter];

afterAll(async () => {
  await Promise.all(redisBuses.map((b) => b.close()));
});

describe.each(adapters)('EventBus contract: $name', (adapter) => {
  const open: EventBus[] = [];
  const make = async (world: string) => {
    const bus = await adapter.make(world);
    open.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('a subscriber gets every message, in publish order, including concurrent publish calls', async () => {
    const bus = await make(tag());
    const sub = bus.subscribe();
    // Batches of different sizes, partly not awaited one by one: order is call order.
    await bus.publish([message(1)]);
    await Promise.all([bus.publish(range(2, 40).map((s) => message(s))), bus.publish([message(41)]), bus.publish(range(42, 300).map((s) => message(s)))]);
    const got = await take(sub, 300);
    expect(got.map((m) => Number(m.seq))).toEqual(range(1, 300));
    expect(got[4]).toEqual(message(5)); // every field survives the trip
    await sub.return?.();
  });

  it('delivers what was published between subscribe() and the first read', async () => {
    const bus = await make(tag());
    const sub = bus.subscribe();
    await bus.publish([message(1), message(2)]);
    // A round trip for Redis: the messages are on their way back by now.
    await new Promise((r) => setTimeout(r, 100));
    expect((await take(sub, 2)).map((m) => m.seq)).toEqual(['1', '2']);
  });

  it('several subscribers each get everything; a slow one does not hold back the others', async () => {
    const bus = await make(tag());
    const subs = [bus.subscribe(), bus.subscribe(), bus.subscribe()];
    await bus.publish(range(1, 50).map((s) => message(s)));
    const fast = await Promise.all(subs.slice(0, 2).map((s) => take(s, 50)));
    for (const got of fast) expect(got.map((m) => Number(m.seq))).toEqual(range(1, 50));
    // The third read nothing so far; everything is still there for it.
    expect((await take(subs[2]!, 50)).map((m) => Number(m.seq))).toEqual(range(1, 50));
  });

  it('abort and return() stop delivery to that subscriber only', async () => {
    const bus = await make(tag());
    const ac = new AbortController();
    const aborted = bus.subscribe(ac.signal);
    const returned = bus.subscribe();
    const stays = bus.subscribe();
    await bus.publish([message(1)]);
    expect((await take(aborted, 1)).map((m) => m.seq)).toEqual(['1']);
    expect((await take(returned, 1)).map((m) => m.seq)).toEqual(['1']);
    ac.abort();
    await returned.return?.();
    await bus.publish([message(2)]);
    expect(await aborted.next()).toEqual({ done: true, value: undefined });
    expect(await returned.next()).toEqual({ done: true, value: undefined });
    expect((await take(stays, 2)).map((m) => m.seq)).toEqual(['1', '2']);
    // A signal aborted before subscribing gives an ended subscription.
    expect(await bus.subscribe(AbortSignal.abort()).next()).toEqual({ done: true, value: undefined });
  });

  it('a subscriber that falls 1,000 messages behind is ended with an error; the others carry on', async () => {
    const bus = await make(tag());
    const lagging = bus.subscribe();
    const reading = bus.subscribe();
    const read = take(reading, 1200, 10_000);
    for (let i = 0; i < 1200; i += 50) {
      await bus.publish(range(i + 1, i + 50).map((s) => message(s)));
      await new Promise((r) => setImmediate(r)); // the reading subscriber gets its turns
    }
    expect((await read).length).toBe(1200);
    await expect(take(lagging, 1200)).rejects.toThrow(/fell more than 1000 messages behind/);
  });

  it('access changes reach every access subscriber, and the two topics do not mix', async () => {
    const bus = await make(tag());
    const access = [bus.subscribeAccessChanges(), bus.subscribeAccessChanges()];
    const events = bus.subscribe();
    await bus.publishAccessChanges([{ userId: 'u-1' }, { userId: 'u-2' }]);
    await bus.publish([message(1)]);
    await bus.publishAccessChanges([{ userId: 'u-3' }]);
    for (const sub of access) expect(await take(sub, 3)).toEqual([{ userId: 'u-1' }, { userId: 'u-2' }, { userId: 'u-3' }]);
    expect((await take(events, 1)).map((m) => m.seq)).toEqual(['1']);
    expect(await yieldsWithin(events, 200)).toBe(false);
    // Aborting one access subscription leaves the other.
    const ac = new AbortController();
    const aborted = bus.subscribeAccessChanges(ac.signal);
    ac.abort();
    await bus.publishAccessChanges([{ userId: 'u-4' }]);
    expect(await aborted.next()).toEqual({ done: true, value: undefined });
    expect(await take(access[0]!, 1)).toEqual([{ userId: 'u-4' }]);
  });

  it('close() ends subscriptions, refuses later publishes and releases its resources', async () => {
    const bus = await adapter.make(tag());
    const sub = bus.subscribe();
    const pending = sub.next();
    const access = bus.subscribeAccessChanges().next();
    await bus.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await access).toEqual({ done: true, value: undefined });
    expect(await bus.subscribe().next()).toEqual({ done: true, value: undefined });
    expect(await bus.subscribeAccessChanges().next()).toEqual({ done: true, value: undefined });
    await expect(bus.publish([message(1)])).rejects.toThrow();
    await expect(bus.publishAccessChanges([{ userId: 'u-1' }])).rejects.toThrow();
    await bus.close(); // twice is fine
    if (adapter.name === 'redis') {
      const { publisher, subscriber } = (bus as RedisBus).connections;
      expect([publisher.status, subscriber.status]).toEqual(['end', 'end']);
    }
  });

  // Only a shared transport has "other processes"; for the in-memory bus the case does not exist
  // (registered conditionally, so nothing shows up as skipped).
  if (!adapter.shared) return;
  it('two bus instances (two processes) on one channel see each other\'s messages; another channel sees none', async () => {
    const world = tag();
    const [a, b, elsewhere] = await Promise.all([make(world), make(world), make(tag())]);
    const subA = a.subscribe();
    const subB = b.subscribe();
    const subElsewhere = elsewhere.subscribe();
    await Promise.all([a.publish(range(1, 60).map((s) => message(s))), b.publish(range(61, 120).map((s) => message(s)))]);
    for (const sub of [subA, subB]) {
      const got = (await take(sub, 120)).map((m) => Number(m.seq));
      expect([...got].sort((x, y) => x - y)).toEqual(range(1, 120));
      // Each publisher's messages keep their order; how the two interleave is not defined.
      expect(got.filter((s) => s <= 60)).toEqual(range(1, 60));
      expect(got.filter((s) => s > 60)).toEqual(range(61, 120));
    }
    expect(await yieldsWithin(subElsewhere, 200)).toBe(false);
  });

  it('an access change published by one instance reaches the others of its deployment only', async () => {
    const world = tag();
    const [a, b, elsewhere] = await Promise.all([make(world), make(world), make(tag())]);
    const [onA, onB, onElsewhere] = [a.subscribeAccessChanges(), b.subscribeAccessChanges(), elsewhere.subscribeAccessChanges()];
    await a.publishAccessChanges([{ userId: 'u-from-a' }]);
    expect(await take(onA, 1)).toEqual([{ userId: 'u-from-a' }]);
    expect(await take(onB, 1)).toEqual([{ userId: 'u-from-a' }]);
    expect(await yieldsWithin(onElsewhere, 200)).toBe(false);
  });
});

describe('Redis adapter', () => {
  it('ignores a malformed message on its channel and keeps delivering', async () => {
    const world = tag();
    const bus = await makeRedisBus(world);
    const raw = new Redis(REDIS_URL);
    try {
      const sub = bus.subscribe();
      await raw.publish(bus.channel, 'not json');
      await raw.publish(bus.channel, JSON.stringify({ seq: 'x' }));
      await bus.publish([message(7)]);
      expect((await take(sub, 1)).map((m) => m.seq)).toEqual(['7']);
      // Likewise on the access channel: only well-formed changes, and nothing else of theirs.
      const access = bus.subscribeAccessChanges();
      await raw.publish(bus.accessChannel, 'not json');
      await raw.publish(bus.accessChannel, JSON.stringify({ userId: 42 }));
      await raw.publish(bus.accessChannel, JSON.stringify({ userId: 'u-9', close: 'everyone' }));
      expect(await take(access, 1)).toEqual([{ userId: 'u-9' }]);
    } finally {
      raw.disconnect();
      await bus.close();
    }
  });

  it('publish rejects within its timeout when Redis is unreachable, and close() does not hang', async () => {
    const bus = createRedisBus({ url: 'redis://127.0.0.1:1', channel: `gongdan-test:${tag()}`, publishTimeoutMs: 300 });
    const started = Date.now();
    await expect(bus.publish([message(1)])).rejects.toThrow(/timed out/i);
    expect(Date.now() - started).toBeLessThan(3000);
    let attempts = 0;
    for (const c of Object.values(bus.connections)) c.on('reconnecting', () => attempts++);
    await bus.close();
    await new Promise((r) => setTimeout(r, 500));
    expect(attempts).toBe(0); // it stopped trying
  });

  it('resubscribes after its subscriber connection is killed; what was published meanwhile is lost to it', async () => {
    const world = tag();
    // Reconnect after 300 ms, so the outage is wide enough to publish into.
    const victim = createRedisBus({
      url: REDIS_URL,
      channel: `gongdan-test:${world}`,
      connectionName: `gongdan-test-${world}-victim`,
      redisOptions: { retryStrategy: () => 300 },
    });
    const publisher = await makeRedisBus(world);
    const admin = new Redis(REDIS_URL);
    try {
      await victim.ready;
      const sub = victim.subscribe();
      await publisher.publish([message(1)]);
      expect((await take(sub, 1)).map((m) => m.seq)).toEqual(['1']);

      const lost = new Promise((r) => victim.connections.subscriber.once('close', r));
      await killClient(admin, `gongdan-test-${world}-victim:sub`);
      await lost;
      await publisher.publish([message(2)]); // nobody of the victim's is listening now
      // Back after the reconnect (ioredis resubscribes by itself): later messages arrive.
      await new Promise((r) => victim.connections.subscriber.once('ready', r));
      await until(async () => (await admin.pubsub('NUMSUB', victim.channel))[1] === 2);
      await publisher.publish([message(3)]);
      expect((await take(sub, 1)).map((m) => m.seq)).toEqual(['3']);
    } finally {
      admin.disconnect();
      await victim.close();
    }
  });
});
