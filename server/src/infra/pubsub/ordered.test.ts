// The ordered bus on a real database: events are committed through the unit of work,
// and the transport is a bus the test controls (in-memory), or Redis with a connection
// the test kills. Whatever the transport loses or reorders, subscribers get the
// committed stream in seq order, each event once.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../domain/clock.ts';
import { runUnitOfWork } from '../uow.ts';
import { createMemoryBus } from './memory.ts';
import { createOrderedBus, type OrderedBusOptions } from './ordered.ts';
import type { EventBus, TicketEventMessage } from './pubsub.ts';
import { createRedisBus } from './redis.ts';
import { makeUser, uid } from '../../../test/support/builders.ts';
import { TEST_REDIS_URL, killClient, take, until, yieldsWithin } from '../../../test/support/bus.ts';
import { openSuiteDatabase, type SuiteDatabase } from '../../../test/support/database.ts';
import { makeType } from '../../../test/support/tickets.ts';

let tdb: SuiteDatabase;
let ticket: { id: string; typeId: string };
beforeAll(async () => {
  tdb = await openSuiteDatabase();
  const p = tdb.db.prisma;
  const creator = await makeUser(p, 'MANAGER');
  const type = await makeType(p);
  ticket = await p.ticket.create({ data: { title: 'ordered bus', typeId: type.id, priority: 'NORMAL', channel: 'WEB', creatorId: creator.id } });
});
afterAll(() => tdb.close());

/** A transport that delivers only what the test hands it. */
function manualTransport() {
  const bus = createMemoryBus();
  const published: TicketEventMessage[] = [];
  return {
    published,
    /** What uow publishes is kept back; `deliver` lets messages through, in any order. */
    bus: { ...bus, publish: async (ms: readonly TicketEventMessage[]) => void published.push(...ms) } satisfies EventBus,
    deliver: (...ms: TicketEventMessage[]) => bus.publish(ms),
  };
}

/** Commits `n` events in one unit of work, published on `bus`; returns their messages. */
async function commit(bus: EventBus, n = 1): Promise<TicketEventMessage[]> {
  const out: TicketEventMessage[] = [];
  const spy: EventBus = { ...bus, publish: async (ms) => (out.push(...ms), bus.publish(ms)) };
  await runUnitOfWork({ prisma: tdb.db.prisma, clock: systemClock, bus: spy, snapshot: async () => null }, async ({ rec }) => {
    for (let i = 0; i < n; i++) rec.record({ ticketId: ticket.id, typeId: ticket.typeId, kind: 'COMMENTED', actorId: null, visibility: 'INTERNAL', data: { i } });
  });
  return out;
}

function ordered(inner: EventBus, opts: OrderedBusOptions = {}) {
  const repairs: { from: string; to: string; recovered: number }[] = [];
  const errors: unknown[] = [];
  const bus = createOrderedBus(inner, tdb.db.prisma, { onRepair: (r) => repairs.push(r), onError: (e) => errors.push(e), ...opts });
  return { bus, repairs, errors };
}

/** The ordered bus reads the stream position at start; a subscriber made after that. */
async function started(bus: EventBus): Promise<AsyncIterableIterator<TicketEventMessage>> {
  const sub = bus.subscribe();
  await new Promise((r) => setTimeout(r, 100));
  return sub;
}

const seqs = (ms: TicketEventMessage[]) => ms.map((m) => m.seq);

describe('ordered bus', () => {
  it('puts what the transport brings out of order back in seq order, each event once', async () => {
    const t = manualTransport();
    const { bus, repairs } = ordered(t.bus, { repairAfterMs: 5000, tailCheckMs: 60_000 });
    const sub = await started(bus);
    const ms = await commit(t.bus, 5);
    await t.deliver(ms[3]!, ms[1]!, ms[0]!, ms[1]!, ms[4]!, ms[2]!, ms[0]!);
    expect(seqs(await take(sub, 5))).toEqual(seqs(ms));
    expect(await yieldsWithin(sub, 100)).toBe(false);
    expect(repairs).toEqual([]); // nothing read back: the late ones came in time
    await bus.close();
  });

  it('fills a hole from the timeline when a message never comes', async () => {
    const t = manualTransport();
    const { bus, repairs } = ordered(t.bus, { repairAfterMs: 50, tailCheckMs: 60_000 });
    const sub = await started(bus);
    const ms = [...(await commit(t.bus, 2)), ...(await commit(t.bus, 1))];
    await t.deliver(ms[0]!, ms[2]!); // the second is lost
    const got = await take(sub, 3);
    expect(got).toEqual(ms); // read back with everything the message carried
    expect(repairs).toEqual([{ from: ms[1]!.seq, to: ms[1]!.seq, recovered: 1 }]);
    await bus.close();
  });

  it('delivers a lost last message too: the tail check finds it though no later message reveals the hole', async () => {
    const t = manualTransport();
    const { bus } = ordered(t.bus, { repairAfterMs: 50, tailCheckMs: 100 });
    const sub = await started(bus);
    const ms = await commit(t.bus, 3);
    await t.deliver(ms[0]!); // the last two are lost, and nothing follows
    expect(seqs(await take(sub, 3))).toEqual(seqs(ms));
    await bus.close();
  });

  it('keeps delivering from the database with the transport down altogether', async () => {
    const t = manualTransport();
    const { bus } = ordered(t.bus, { repairAfterMs: 20, tailCheckMs: 50 });
    const sub = await started(bus);
    const ms = [...(await commit(t.bus, 2)), ...(await commit(t.bus, 40))];
    expect(seqs(await take(sub, 42))).toEqual(seqs(ms));
    await bus.close();
  });

  it('reads large holes back in batches', async () => {
    const t = manualTransport();
    const { bus, repairs } = ordered(t.bus, { repairAfterMs: 20, repairBatch: 10, tailCheckMs: 60_000 });
    const sub = await started(bus);
    const lost = await commit(t.bus, 35);
    const last = await commit(t.bus, 1);
    await t.deliver(...last);
    expect(seqs(await take(sub, 36))).toEqual(seqs([...lost, ...last]));
    expect(repairs.map((r) => r.recovered)).toEqual([10, 10, 10, 5]);
    await bus.close();
  });

  it('skips events that are gone from the table instead of holding back the stream', async () => {
    const t = manualTransport();
    const { bus, errors } = ordered(t.bus, { repairAfterMs: 20 });
    const sub = await started(bus);
    const ms = await commit(t.bus, 3);
    await tdb.db.prisma.timelineEvent.delete({ where: { id: ms[1]!.eventId } });
    await t.deliver(ms[0]!, ms[2]!);
    expect(seqs(await take(sub, 2))).toEqual([ms[0]!.seq, ms[2]!.seq]);
    expect(String(errors[0])).toContain('missing from the timeline');
    await bus.close();
  });

  it('drops a message whose seq was never committed here, without skipping the real events', async () => {
    const t = manualTransport();
    const { bus, errors } = ordered(t.bus, { repairAfterMs: 20, tailCheckMs: 60_000 });
    const sub = await started(bus);
    const ms = await commit(t.bus, 2);
    // Another deployment publishing on the same channel, far ahead of this database.
    await t.deliver(ms[0]!, { ...ms[1]!, seq: (BigInt(ms[1]!.seq) + 1_000_000n).toString(), eventId: 'elsewhere' });
    await until(() => errors.length > 0);
    expect(String(errors[0])).toContain('beyond the committed stream');
    expect(seqs(await take(sub, 2))).toEqual(seqs(ms)); // the second read back, nothing skipped
    const later = await commit(t.bus, 1);
    await t.deliver(...later);
    expect(seqs(await take(sub, 1))).toEqual(seqs(later));
    await bus.close();
  });

  it('with nobody subscribed, skips a hole instead of reading it back', async () => {
    const t = manualTransport();
    const { bus, repairs } = ordered(t.bus, { repairAfterMs: 20, tailCheckMs: 60_000 });
    await new Promise((r) => setTimeout(r, 100));
    const lost = await commit(t.bus, 3);
    await t.deliver(lost[2]!);
    await new Promise((r) => setTimeout(r, 500)); // the repair ran meanwhile (it is due after 20 ms)
    const sub = bus.subscribe();
    const later = await commit(t.bus, 1);
    await t.deliver(...later);
    expect(seqs(await take(sub, 1))).toEqual(seqs(later));
    expect(repairs).toEqual([]);
    await bus.close();
  });

  it('delivers what came between subscribe() and the first read', async () => {
    const t = manualTransport();
    const { bus } = ordered(t.bus);
    await new Promise((r) => setTimeout(r, 100));
    const sub = bus.subscribe();
    const ms = await commit(t.bus, 2);
    await t.deliver(...ms);
    await new Promise((r) => setTimeout(r, 50));
    expect(seqs(await take(sub, 2))).toEqual(seqs(ms));
    await bus.close();
  });

  it('close() ends its subscribers and closes the transport', async () => {
    const t = manualTransport();
    const { bus } = ordered(t.bus);
    const sub = await started(bus);
    const pending = sub.next();
    await bus.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    await expect(t.bus.subscribe().next()).resolves.toEqual({ done: true, value: undefined });
  });
});

describe('ordered bus over Redis', () => {
  it('an instance whose Redis subscription drops gets what was published meanwhile: delayed, never lost', async () => {
    const channel = `gongdan-test:${uid()}`;
    const name = `gongdan-test-${uid()}`;
    // Instance A only publishes. Instance B's subscriber connection is killed and comes
    // back after 500 ms; A commits and publishes in that window.
    const a = createRedisBus({ url: TEST_REDIS_URL, channel, connectionName: `${name}-a` });
    const bInner = createRedisBus({ url: TEST_REDIS_URL, channel, connectionName: `${name}-b`, redisOptions: { retryStrategy: () => 500 } });
    const b = ordered(bInner, { repairAfterMs: 100, tailCheckMs: 200 });
    const admin = new Redis(TEST_REDIS_URL);
    try {
      await Promise.all([a.ready, bInner.ready]);
      const sub = await started(b.bus);
      const before = await commit(a, 2);
      expect(seqs(await take(sub, 2))).toEqual(seqs(before));
      expect(b.repairs).toEqual([]);

      const dropped = new Promise((r) => bInner.connections.subscriber.once('close', r));
      await killClient(admin, `${name}-b:sub`);
      await dropped;
      const during = [...(await commit(a, 3)), ...(await commit(a, 1))];
      // Redis had no subscriber of B's for them (A's own is the one left).
      expect(Number((await admin.pubsub('NUMSUB', channel))[1])).toBe(1);
      // Nothing follows them: the tail check finds them once B's database reads run.
      expect(seqs(await take(sub, 4, 10_000))).toEqual(seqs(during));
      expect(b.repairs.reduce((n, r) => n + r.recovered, 0)).toBe(4);

      // B resubscribed by itself, and Redis delivers to it again.
      await until(async () => Number((await admin.pubsub('NUMSUB', channel))[1]) === 2, 10_000);
      const after = await commit(a, 2);
      expect(seqs(await take(sub, 2))).toEqual(seqs(after));
      expect(b.errors).toEqual([]);
    } finally {
      admin.disconnect();
      await Promise.all([a.close(), b.bus.close()]);
    }
  });
});
