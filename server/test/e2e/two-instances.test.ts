// Two real server processes (A and B) on one PostgreSQL database and one Redis, as in
// production behind a load balancer. Clients use real sockets: HTTP for mutations and
// queue queries, graphql-ws for queueEvents. Checks that:
//   (a) subscribers on B hear what happens on A;
//   (b) 200 agents split over both instances racing for 50 tickets make 50 winners;
//   (c) when A is SIGKILLed mid-run, B's subscribers carry on in seq order without a gap,
//       A's subscribers reconnect to B, notice the gap by prevSeq and refetch, and every
//       ticket is in a consistent state afterwards;
//   (d) offers expiring while A is dead expire exactly once (both instances poll jobs).
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/infra/db/client.ts';
import { TEST_REDIS_URL, until } from '../support/bus.ts';
import { globalId, makeUser, sessionFor, uid } from '../support/builders.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { SESSION_PREFIX, hashToken, newToken } from '../../src/services/auth/tokens.ts';
import { makeType, rawId } from '../support/tickets.ts';
import { ServerProcess } from '../support/server-process.ts';


// ─────────────────────────────────────────── processes ───────────────────────────────────────────

// ───────────────────────────────────────────── HTTP ─────────────────────────────────────────────

interface GqlBody<T> {
  data?: T;
  errors?: unknown[];
}

async function gql<T>(base: string, query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GqlBody<T>;
  if (!body.data || body.errors) throw new Error(`${res.status} ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

const CREATE = /* GraphQL */ `mutation ($input: CreateTicketInput!) { createTicket(input: $input) { __typename ... on CreateTicketPayload { ticket { id } } ... on Error { message } } }`;
const GRAB = /* GraphQL */ `mutation ($id: ID!) { grabTicket(input: { ticketId: $id }) { __typename ... on TicketPayload { ticket { assignee { id } } } ... on TicketAlreadyTaken { takenBy { id } } ... on Error { message } } }`;
const DISPATCH = /* GraphQL */ `mutation ($id: ID!, $agent: ID!) { dispatchTicket(input: { ticketId: $id, agentId: $agent }) { __typename ... on TicketPayload { ticket { status } } ... on Error { message } } }`;
const POOL = /* GraphQL */ `{ pool(first: 200) { seq edges { node { id } } } }`;
const QUEUE_EVENTS = /* GraphQL */ `subscription ($queues: [QueueName!]!) { queueEvents(queues: $queues) { seq prevSeq reason ticketId changes { queue kind } } }`;

type GrabResult = { __typename: string; ticket?: { assignee: { id: string } }; takenBy?: { id: string }; message?: string };

async function createTicket(base: string, token: string, typeId: string, title = `工单 ${uid()}`): Promise<string> {
  const r = await gql<{ createTicket: { __typename: string; ticket?: { id: string }; message?: string } }>(
    base,
    CREATE,
    { input: { typeId: globalId('TicketType', typeId), title, replyMethod: 'IM', idempotencyKey: uid() + uid() } },
    token,
  );
  if (!r.createTicket.ticket) throw new Error(`createTicket: ${JSON.stringify(r.createTicket)}`);
  return r.createTicket.ticket.id;
}

const grab = async (base: string, token: string, ticketGid: string) => (await gql<{ grabTicket: GrabResult }>(base, GRAB, { id: ticketGid }, token)).grabTicket;

// ───────────────────────────────────── a board client (POOL) ─────────────────────────────────────

interface QueueEvent {
  seq: string;
  prevSeq: string;
  reason: string;
  ticketId: string;
  changes: { queue: string; kind: string }[];
}

/**
 * What an agent's board does with the pool: hold the list and the position `seq` it
 * reflects; apply queueEvents with a greater seq; refetch when an event's prevSeq is
 * beyond the position held (a gap). When its connection dies it reconnects to the next
 * instance, keeping its state: the first event there shows the gap.
 */
class Board {
  seq = -1n;
  pool = new Set<string>();
  refetches = 0;
  gaps = 0;
  reconnects = 0;
  /** Every event received, with the connection it came on. */
  readonly events: (QueueEvent & { connection: number })[] = [];
  readonly errors: unknown[] = [];
  private client: Client | null = null;
  private connection = 0;
  private base: string;
  private chain: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    readonly name: string,
    readonly token: string,
    private readonly instances: ServerProcess[],
  ) {
    this.base = instances[0]!.url;
  }

  start(): void {
    this.connect(this.base);
    this.enqueue(() => this.refetch());
  }

  /** The instance the board talks to now. */
  get url() {
    return this.base;
  }

  private connect(base: string) {
    this.base = base;
    const connection = ++this.connection;
    const client = createClient({
      url: `${base.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.token}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined, // reported through `closed`
      on: { closed: () => this.onClosed(client) },
    });
    this.client = client;
    client.subscribe<{ queueEvents: QueueEvent }>(
      { query: QUEUE_EVENTS, variables: { queues: ['POOL'] } },
      {
        next: (r) => {
          if (r.errors) this.errors.push(...r.errors);
          if (r.data) {
            const e = r.data.queueEvents;
            this.events.push({ ...e, connection });
            this.enqueue(() => this.apply(e));
          }
        },
        // A lost connection (a CloseEvent) is handled by `closed`; anything else is a failure.
        error: (e) => {
          if (!(typeof e === 'object' && e !== null && 'code' in e && 'reason' in e)) this.errors.push(e);
        },
        complete: () => undefined,
      },
    );
  }

  private onClosed(client: Client) {
    if (this.disposed || client !== this.client) return;
    // Reconnect, after a short back-off, to an instance that is up (a load balancer's job).
    this.reconnects++;
    setTimeout(() => {
      const next = this.instances.find((i) => i.alive);
      if (next && !this.disposed) this.connect(next.url);
    }, 200);
  }

  private enqueue(f: () => Promise<void>) {
    this.chain = this.chain.then(f).catch((e: unknown) => void this.errors.push(e));
  }

  private async refetch() {
    // A refetch that hits the dying instance is retried on whichever is up.
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await gql<{ pool: { seq: string; edges: { node: { id: string } }[] } }>(this.base, POOL, {}, this.token);
        if (r.pool.edges.length >= 200) throw new Error('pool larger than one page; the test should keep it smaller');
        this.refetches++;
        this.seq = BigInt(r.pool.seq);
        this.pool = new Set(r.pool.edges.map((e) => e.node.id));
        return;
      } catch (e) {
        if (attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100));
        this.base = this.instances.find((i) => i.alive)?.url ?? this.base;
      }
    }
  }

  private async apply(e: QueueEvent) {
    if (BigInt(e.prevSeq) > this.seq) {
      this.gaps++;
      await this.refetch();
    }
    if (BigInt(e.seq) <= this.seq) return;
    for (const c of e.changes) {
      if (c.queue !== 'POOL') continue;
      if (c.kind === 'LEFT') this.pool.delete(e.ticketId);
      else this.pool.add(e.ticketId);
    }
    this.seq = BigInt(e.seq);
  }

  /** Settled: nothing queued. */
  idle(): Promise<void> {
    return this.chain;
  }

  async dispose() {
    this.disposed = true;
    await this.client?.dispose();
  }
}

/** Seqs strictly increasing, and each event names the one before it on its connection. */
function assertOrderedWithoutGaps(events: { seq: string; prevSeq: string; connection: number }[]) {
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1]!, events[i]!];
    expect(BigInt(b.seq), `seq after ${a.seq}`).toBeGreaterThan(BigInt(a.seq));
    if (a.connection === b.connection) expect(b.prevSeq).toBe(a.seq);
  }
}

// ───────────────────────────────────────────── setup ─────────────────────────────────────────────

let tdb: TestDatabase;
let db: Database;
let A: ServerProcess;
let B: ServerProcess;
let manager: { id: string; token: string };
const boardsOnA: Board[] = [];
const boardsOnB: Board[] = [];
let grabType: string;

/** `n` agents with a session each, in two statements (the API is not what is tested here). */
async function agents(n: number): Promise<{ id: string; gid: string; token: string }[]> {
  const template = await makeUser(db.prisma, 'AGENT');
  const rows = Array.from({ length: n }, () => ({ id: randomUUID(), tag: uid() + uid() }));
  await db.prisma.user.createMany({
    data: rows.map((r) => ({ id: r.id, email: `agent-${r.tag}@test.gongdan.dev`, name: `AGENT ${r.tag}`, role: 'AGENT' as const, passwordHash: template.passwordHash, presence: 'ONLINE' as const })),
  });
  const tokens = rows.map(() => newToken(SESSION_PREFIX));
  await db.prisma.session.createMany({
    data: rows.map((r, i) => ({ userId: r.id, tokenHash: hashToken(tokens[i]!), expiresAt: new Date(Date.now() + 3600_000) })),
  });
  return rows.map((r, i) => ({ id: r.id, gid: globalId('User', r.id), token: tokens[i]! }));
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = await openDatabase({ url: tdb.url, poolSize: 5 });
  const env = {
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    // A channel and keys of its own, so parallel runs on the same Redis never meet.
    REDIS_CHANNEL: `gongdan-test:${tdb.name}`,
    REDIS_KEY_PREFIX: `gongdan-test:${tdb.name}`,
    PORT: '0',
    HOST: '127.0.0.1',
    SEED_DEMO: 'never',
    MIGRATE_ON_BOOT: 'true',
    JOB_POLL_MS: '100',
    DB_POOL_SIZE: '10',
    GRAPHIQL: 'false',
    WEB_DIST: '/nonexistent',
    LOG_LEVEL: 'info',
  };
  A = new ServerProcess('A', env);
  B = new ServerProcess('B', env);
  const m = await makeUser(db.prisma, 'MANAGER');
  manager = { id: m.id, token: await sessionFor(db.prisma, m.id) };
  grabType = (await makeType(db.prisma, { modes: ['GRAB'] })).id;
  await Promise.all([A.started(), B.started()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([...boardsOnA, ...boardsOnB].map((b) => b.dispose()));
  for (const i of [A, B]) {
    if (i?.alive) {
      i.proc.kill('SIGTERM');
      await Promise.race([i.exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (i.alive) i.proc.kill('SIGKILL');
    }
  }
  await db?.close();
  await tdb?.drop();
}, 60_000);

// ───────────────────────────────────────────── tests ─────────────────────────────────────────────

describe('two instances on one database and one Redis', () => {
  it('(a) subscribers on B receive what happens on A', async () => {
    const four = await agents(4);
    // Two boards connected to A (they fail over to B), two to B.
    for (const [i, a] of four.entries()) {
      const onA = i < 2;
      const board = new Board(`${onA ? 'A' : 'B'}${i}`, a.token, onA ? [A, B] : [B]);
      (onA ? boardsOnA : boardsOnB).push(board);
      board.start();
    }
    const boards = [...boardsOnA, ...boardsOnB];
    // Subscriptions go live asynchronously: create tickets on A until every board heard one.
    await until(async () => {
      const gid = await createTicket(A.url, manager.token, grabType, 'probe');
      try {
        await until(() => boards.every((b) => b.events.some((e) => e.ticketId === gid)), 1500);
        return true;
      } catch {
        return false;
      }
    }, 30_000);

    const [winner] = await agents(1);
    const ticket = await createTicket(A.url, manager.token, grabType);
    expect((await grab(A.url, winner!.token, ticket)).__typename).toBe('TicketPayload');
    for (const b of boardsOnB) {
      await until(() => b.events.some((e) => e.ticketId === ticket && e.reason === 'GRABBED'));
      const mine = b.events.filter((e) => e.ticketId === ticket);
      expect(mine.map((e) => [e.reason, e.changes])).toEqual([
        ['CREATED', [{ queue: 'POOL', kind: 'ENTERED' }]],
        ['GRABBED', [{ queue: 'POOL', kind: 'LEFT' }]],
      ]);
      expect(mine[1]!.prevSeq).toBe(mine[0]!.seq);
      await b.idle();
      expect(b.pool.has(ticket)).toBe(false);
      expect(b.errors).toEqual([]);
    }
  }, 60_000);

  it('(b) 200 agents on both instances race for 50 tickets: exactly 50 winners, one assignee and one GRABBED event each', async () => {
    const type = (await makeType(db.prisma, { modes: ['GRAB'] })).id;
    const tickets = await Promise.all(Array.from({ length: 50 }, (_, i) => createTicket(i % 2 ? B.url : A.url, manager.token, type)));
    const racers = await agents(200);
    // Agent i goes for ticket i % 50 through A or B: each ticket has two contenders on
    // each instance. The requests go out together, in shuffled order.
    const order = racers.map((a, i) => ({ a, i, key: Math.random() })).sort((x, y) => x.key - y.key);
    const results = await Promise.all(
      order.map(async ({ a, i }) => {
        const via = Math.floor(i / 50) % 2 ? B : A;
        return { a, ticket: tickets[i % 50]!, via: via.name, r: await grab(via.url, a.token, tickets[i % 50]!) };
      }),
    );
    const wins = results.filter((x) => x.r.__typename === 'TicketPayload');
    const losses = results.filter((x) => x.r.__typename === 'TicketAlreadyTaken');
    expect(wins).toHaveLength(50);
    expect(losses).toHaveLength(150);
    expect(new Set(wins.map((w) => w.ticket)).size).toBe(50);
    for (const l of losses) expect(l.r.takenBy?.id).toBe(wins.find((w) => w.ticket === l.ticket)!.a.gid);

    const rows = await db.prisma.ticket.findMany({ where: { typeId: type }, select: { id: true, status: true, assigneeId: true } });
    expect(rows).toHaveLength(50);
    for (const row of rows) {
      expect(row.status).toBe('PROCESSING');
      expect(row.assigneeId).toBe(wins.find((w) => rawId(w.ticket) === row.id)!.a.id);
    }
    const grabbed = await db.prisma.timelineEvent.groupBy({ by: ['ticketId'], where: { ticket: { typeId: type }, kind: 'GRABBED' }, _count: { _all: true } });
    expect(grabbed).toHaveLength(50);
    expect(grabbed.every((g) => g._count._all === 1)).toBe(true);

    // Every board, on either instance, saw each ticket leave the pool once, in seq order.
    for (const b of [...boardsOnA, ...boardsOnB]) {
      await until(() => new Set(b.events.filter((e) => e.reason === 'GRABBED' && tickets.includes(e.ticketId)).map((e) => e.ticketId)).size === 50, 20_000);
      expect(b.events.filter((e) => e.reason === 'GRABBED' && tickets.includes(e.ticketId))).toHaveLength(50);
      assertOrderedWithoutGaps(b.events);
    }
  }, 60_000);

  it('(c, d) A is killed mid-run: B carries on, A\'s clients fail over and refetch, no state is lost, offers expire once', async () => {
    const [loadAgents, offered] = [await agents(12), await agents(10)];
    const soonType = (await makeType(db.prisma, { modes: ['GRAB', 'MANAGER'], requireAcceptance: true, acceptTimeoutSeconds: 1 })).id;
    const laterType = (await makeType(db.prisma, { modes: ['GRAB', 'MANAGER'], requireAcceptance: true, acceptTimeoutSeconds: 3 })).id;
    const startSeq = BigInt((await db.prisma.eventCursor.findUniqueOrThrow({ where: { id: 1 } })).seq);
    const before = new Map([...boardsOnA, ...boardsOnB].map((b) => [b, { events: b.events.length, gaps: b.gaps, refetches: b.refetches }]));

    // Load: workers on each instance create tickets and grab open ones, until stopped.
    // Outcomes are kept: what was acknowledged must be in the database afterwards.
    const created: { gid: string; via: string }[] = [];
    const grabbed: { gid: string; agentId: string }[] = [];
    let failedOnA = 0;
    let stop = false;
    const worker = async (inst: ServerProcess, w: number) => {
      for (let n = 0; !stop && inst.alive; n++) {
        try {
          // Create a ticket; mostly grab one of the latest (sometimes someone else was first).
          created.push({ gid: await createTicket(inst.url, manager.token, grabType, `load ${inst.name}${w}-${n}`), via: inst.name });
          if (n % 3 !== 2) {
            const target = created[Math.max(0, created.length - 1 - Math.floor(Math.random() * 4))]!;
            const a = loadAgents[(w * 7 + n) % loadAgents.length]!;
            const r = await grab(inst.url, a.token, target.gid);
            if (r.__typename === 'TicketPayload') grabbed.push({ gid: target.gid, agentId: a.id });
          }
        } catch (e) {
          if (inst === B) throw e; // B must serve throughout
          failedOnA++;
        }
        await new Promise((r) => setTimeout(r, 60)); // a steady pace keeps the pool under one page
      }
    };
    const workers = [A, A, B, B].map((inst, w) => worker(inst, w));
    await until(() => created.length >= 10);

    // Offers on A: some expire before the kill (both pollers are up), most while A is dead.
    const offers: string[] = [];
    for (const [i, o] of offered.entries()) {
      const gid = await createTicket(A.url, manager.token, i < 3 ? soonType : laterType);
      const r = await gql<{ dispatchTicket: { __typename: string; ticket?: { status: string } } }>(A.url, DISPATCH, { id: gid, agent: o.gid }, manager.token);
      expect(r.dispatchTicket.ticket?.status).toBe('PENDING_ACCEPT');
      offers.push(gid);
    }
    const lastOfferAt = Date.now();

    // SIGKILL: no shutdown, no goodbye to websockets, requests cut off mid-flight.
    A.proc.kill('SIGKILL');
    await A.exited;
    const createdAtKill = created.length;
    await until(() => created.length >= createdAtKill + 10, 20_000); // B keeps serving

    // (d) Every offer expires: B's poller fires the ones due while A is dead.
    const offerIds = offers.map(rawId);
    await until(async () => (await db.prisma.timelineEvent.count({ where: { ticketId: { in: offerIds }, kind: 'OFFER_EXPIRED' } })) === offers.length, 30_000);
    expect(Date.now() - lastOfferAt).toBeGreaterThanOrEqual(2500); // the later ones did fall due after the kill
    stop = true;
    await Promise.all(workers);

    // Boards converge on the truth: B's never noticed anything; A's reconnected to B.
    const truth = async (token: string) =>
      new Set((await gql<{ pool: { edges: { node: { id: string } }[] } }>(B.url, POOL, {}, token)).pool.edges.map((e) => e.node.id));
    for (const b of [...boardsOnA, ...boardsOnB]) {
      await until(async () => {
        await b.idle();
        const t = await truth(b.token);
        return t.size === b.pool.size && [...t].every((id) => b.pool.has(id));
      }, 20_000).catch(async () => {
        throw new Error(`${b.name}: board ${JSON.stringify([...b.pool])} vs truth ${JSON.stringify([...(await truth(b.token))])}`);
      });
    }
    for (const b of boardsOnB) {
      expect(b.reconnects).toBe(0);
      expect([b.gaps, b.refetches]).toEqual([before.get(b)!.gaps, before.get(b)!.refetches]); // nothing to catch up on
      expect(b.errors).toEqual([]);
      assertOrderedWithoutGaps(b.events);
      // Every pool event committed since, on either instance, reached it, in seq order.
      const since = b.events.slice(before.get(b)!.events).filter((e) => BigInt(e.seq) > startSeq);
      const expected = await db.prisma.timelineEvent.findMany({ where: { seq: { gt: startSeq } }, orderBy: { seq: 'asc' }, select: { seq: true, fanout: true } });
      const poolSeqs = expected.filter((e) => (e.fanout as { queueChanges: { queue: string }[] }).queueChanges.some((c) => c.queue === 'POOL')).map((e) => e.seq.toString());
      expect(since.map((e) => e.seq)).toEqual(poolSeqs);
    }
    for (const b of boardsOnA) {
      expect(b.reconnects).toBe(1);
      expect(b.url).toBe(B.url);
      // The first event on B told it that it had missed some: it refetched.
      expect(b.gaps).toBeGreaterThan(before.get(b)!.gaps);
      expect(b.refetches).toBeGreaterThan(before.get(b)!.refetches);
      expect(b.errors).toEqual([]);
      assertOrderedWithoutGaps(b.events);
    }
    expect(failedOnA).toBeGreaterThanOrEqual(1); // requests to A were cut off

    // No state lost: what was acknowledged is there, and every ticket is consistent.
    const tickets = await db.prisma.ticket.findMany({
      include: { offers: true, events: { orderBy: { seq: 'asc' }, select: { kind: true } } },
    });
    const byId = new Map(tickets.map((t) => [t.id, t]));
    for (const c of created) expect(byId.has(rawId(c.gid)), `created ${c.gid} via ${c.via}`).toBe(true);
    for (const g of grabbed) expect(byId.get(rawId(g.gid))!.assigneeId).toBe(g.agentId);
    for (const t of tickets) {
      const kinds = t.events.map((e) => e.kind);
      const pendingOffers = t.offers.filter((o) => o.status === 'PENDING');
      expect(kinds[0], t.id).toBe('CREATED');
      if (t.status === 'NEW') expect([t.assigneeId, pendingOffers.length], t.id).toEqual([null, 0]);
      else if (t.status === 'PENDING_ACCEPT') expect([t.assigneeId, pendingOffers.length], t.id).toEqual([null, 1]);
      else expect([t.status, t.assigneeId === null], t.id).toEqual(['PROCESSING', false]);
      expect(kinds.filter((k) => k === 'GRABBED').length, t.id).toBe(t.status === 'PROCESSING' ? 1 : 0);
    }
    // The event stream has no holes (whichever instance wrote, whoever died).
    const stream = await db.prisma.$queryRaw<[{ n: bigint; lo: bigint; hi: bigint; cursor: bigint }]>`
      SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi, (SELECT seq FROM "EventCursor" WHERE id = 1) AS cursor FROM "TimelineEvent"`;
    expect(stream[0]).toEqual({ n: stream[0].hi, lo: 1n, hi: stream[0].cursor, cursor: stream[0].cursor });

    // (d) Each offer expired exactly once, and its timer is done.
    for (const id of offerIds) {
      const t = byId.get(id)!;
      expect(t.events.filter((e) => e.kind === 'OFFER_EXPIRED'), id).toHaveLength(1);
      expect(t.offers.map((o) => o.status)).toEqual(['EXPIRED']);
    }
    const jobs = await db.prisma.scheduledJob.findMany({ where: { ticketId: { in: offerIds }, kind: 'offer.expire' } });
    expect(jobs.map((j) => [j.status, j.attempts])).toEqual(offerIds.map(() => ['DONE', 1]));
    expect(await db.prisma.scheduledJob.count({ where: { status: { in: ['FAILED'] } } })).toBe(0);
  }, 90_000);

  it('B shuts down cleanly on SIGTERM, Redis connections included', async () => {
    await Promise.all([...boardsOnA, ...boardsOnB].map((b) => b.dispose()));
    B.proc.kill('SIGTERM');
    expect(await B.exited).toBe(0);
    expect(B.output).toContain('shutting down');
    // The event stream never failed on B, nor did publishing to Redis.
    expect(B.output).not.toMatch(/event stream error|publishing committed events failed|redis subscription failed/);
  }, 30_000);
});
