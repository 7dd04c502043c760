// The demo tickets: seeded through the lifecycle services on a fresh database, they
// cover every status and the board's interesting cases, their timelines are
// consistent with the event cursor and with "now", and seeding again adds nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/infra/db/generated/client.ts';
import { seedDemoData } from '../../src/infra/db/seed/index.ts';
import { DEMO_TICKETS, planDemoTickets } from '../../src/infra/db/seed/tickets.ts';
import { TICKET_STATUSES } from '../../src/domain/ticket/lifecycle.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { openSuiteDatabase } from '../support/database.ts';

type SeedResult = Awaited<ReturnType<typeof seedDemoData>>;

/** The statuses the script leads to, whatever the time of day. */
const EXPECTED_BY_STATUS = {
  NEW: 6,
  PENDING_ACCEPT: 3,
  PROCESSING: 9,
  WAITING_CUSTOMER: 3,
  WAITING_THIRD_PARTY: 2,
  RESOLVED: 9,
  CLOSED: 9,
};

async function byStatus(prisma: PrismaClient): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0]));
  for (const g of await prisma.ticket.groupBy({ by: ['status'], _count: { _all: true } })) out[g.status] = g._count._all;
  return out;
}

/** Row counts of every table the ticket seed writes. */
async function ticketTables(prisma: PrismaClient): Promise<Record<string, number>> {
  const tables = ['Ticket', 'TicketFieldValue', 'TimelineEvent', 'Comment', 'Attachment', 'AssignmentOffer', 'HandoverRequest', 'AssistRequest', 'TicketSharer', 'Rating', 'Notification', 'OutboxMessage', 'ScheduledJob', 'IdempotencyKey'];
  const out: Record<string, number> = {};
  for (const t of tables) {
    const [row] = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${t}"`);
    out[t] = row!.n;
  }
  return out;
}

describe('the demo ticket script', () => {
  it('has about forty tickets, all finished before now at any time of day', () => {
    expect(DEMO_TICKETS.length).toBeGreaterThanOrEqual(35);
    expect(DEMO_TICKETS.length).toBeLessThanOrEqual(45);
    for (const now of [Date.UTC(2025, 0, 1, 0, 0), Date.UTC(2025, 6, 15, 13, 37)]) {
      const plan = planDemoTickets(now);
      expect(plan.every((p) => p.at < now)).toBe(true);
      expect(Math.min(...plan.map((p) => p.at))).toBeGreaterThan(now - 11 * 24 * 3600_000);
    }
  });
});

// Runs on PostgreSQL and, in the server-pglite project, on the embedded PGlite.
describe('seedDemoData with tickets', () => {
  let testDb: Awaited<ReturnType<typeof openSuiteDatabase>>;
  let prisma: PrismaClient;
  let first: SeedResult;
  let second: SeedResult;
  let tablesAfterFirst: Record<string, number>;
  let tablesAfterSecond: Record<string, number>;
  const clock = new FakeClock(Date.now());
  const now = clock.now();
  const logs: string[] = [];

  beforeAll(async () => {
    testDb = await openSuiteDatabase();
    prisma = testDb.db.prisma;
    first = await seedDemoData(prisma, { clock, log: (m) => logs.push(m) });
    tablesAfterFirst = await ticketTables(prisma);
    second = await seedDemoData(prisma, { clock, log: (m) => logs.push(m) });
    tablesAfterSecond = await ticketTables(prisma);
  });

  afterAll(async () => {
    await testDb?.close();
  });

  it('creates about forty tickets in every status, through the services', async () => {
    const n = await prisma.ticket.count();
    expect(n).toBe(DEMO_TICKETS.length);
    expect(first.counts.tickets).toBe(n);
    expect(first.counts.users).toBe(24);
    expect(await byStatus(prisma)).toEqual(EXPECTED_BY_STATUS);
    expect(logs.some((l) => l.includes('steps skipped'))).toBe(false);
    expect(logs.find((l) => l.startsWith('demo tickets seeded'))).toBeTruthy();
    // Every priority, several channels, every type.
    const tickets = await prisma.ticket.findMany({ include: { type: true, creator: true } });
    expect(new Set(tickets.map((t) => t.priority))).toEqual(new Set(['URGENT', 'HIGH', 'NORMAL', 'LOW']));
    expect(new Set(tickets.map((t) => t.type.name)).size).toBe(5);
    for (const ch of ['PORTAL', 'API', 'PHONE', 'EMAIL', 'CHAT', 'OFFLINE_MESSAGE']) {
      expect(tickets.some((t) => t.channel === ch), ch).toBe(true);
    }
    expect(tickets.some((t) => t.creator.role === 'CUSTOMER')).toBe(true);
    expect(tickets.some((t) => t.creator.role !== 'CUSTOMER' && t.contactId !== null)).toBe(true);
    for (const t of tickets) expect(t.tags.length, t.title).toBeGreaterThan(0);
  });

  it('stores valid custom field values for every ticket', async () => {
    const tickets = await prisma.ticket.findMany({ include: { fieldValues: true, type: { include: { fields: true } } } });
    for (const t of tickets) {
      const values = new Map(t.fieldValues.map((v) => [v.fieldId, v.value]));
      for (const f of t.type.fields) {
        if (f.required) expect(values.has(f.id), `${t.title}: ${f.key}`).toBe(true);
        const v = values.get(f.id);
        if (v !== undefined && f.kind === 'SINGLE_SELECT') {
          expect((f.options as { value: string }[]).map((o) => o.value)).toContain(v);
        }
      }
    }
  });

  it('writes a consistent timeline: CREATED first, seq gap-free and in time order, cursor at the end', async () => {
    const events = await prisma.timelineEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events.length).toBe(first.counts.timelineEvents);
    expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, i) => i + 1));
    const cursor = await prisma.eventCursor.findUniqueOrThrow({ where: { id: 1 } });
    expect(Number(cursor.seq)).toBe(events.length);
    const perTicket = new Map<string, typeof events>();
    for (const e of events) perTicket.set(e.ticketId, [...(perTicket.get(e.ticketId) ?? []), e]);
    expect(perTicket.size).toBe(DEMO_TICKETS.length);
    for (const [, list] of perTicket) {
      expect(list[0]!.kind).toBe('CREATED');
      expect(list.filter((e) => e.kind === 'CREATED')).toHaveLength(1);
      for (let i = 1; i < list.length; i++) expect(list[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(list[i - 1]!.createdAt.getTime());
    }
    // Time order across tickets too, and nothing after "now" or before ten and a half days ago.
    for (let i = 1; i < events.length; i++) expect(events[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.createdAt.getTime());
    expect(events.at(-1)!.createdAt.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(events[0]!.createdAt.getTime()).toBeGreaterThan(now.getTime() - 10.5 * 24 * 3600_000);
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['CREATED', 'ROUTED', 'GRABBED', 'DISPATCHED', 'OFFERED', 'OFFER_ACCEPTED', 'OFFER_DECLINED', 'OFFER_EXPIRED', 'HANDOVER_REQUESTED', 'HANDED_OVER', 'ASSIST_REQUESTED', 'ASSIST_DISPATCHED', 'ASSIST_COMPLETED', 'COMMENTED', 'STATUS_CHANGED', 'FIELDS_UPDATED', 'RESOLVED', 'REOPENED', 'CLOSED', 'RATED', 'RATING_INVITED']) {
      if (k === 'ROUTED') continue; // only written when routing finds nobody
      expect(kinds.has(k), k).toBe(true);
    }
  });

  it('spreads the tickets over the last ten days with realistic timestamps', async () => {
    const tickets = await prisma.ticket.findMany();
    const ages = tickets.map((t) => (now.getTime() - t.createdAt.getTime()) / 86_400_000);
    expect(Math.max(...ages)).toBeGreaterThan(9);
    expect(Math.min(...ages)).toBeLessThan(0.1);
    for (const t of tickets) {
      expect(t.createdAt.getTime()).toBeLessThanOrEqual(now.getTime());
      if (t.firstRespondedAt) expect(t.firstRespondedAt.getTime()).toBeGreaterThan(t.createdAt.getTime());
      if (t.resolvedAt) expect(t.resolvedAt.getTime()).toBeGreaterThan(t.createdAt.getTime());
      if (t.closedAt) expect(t.closedAt.getTime()).toBeGreaterThan(t.createdAt.getTime());
      if (t.status === 'RESOLVED') expect(t.resolvedAt, t.title).not.toBeNull();
      if (t.status === 'CLOSED') expect(t.closedAt, t.title).not.toBeNull();
    }
    // Some were closed by the auto-close timer, at its due time.
    const autoClosed = await prisma.timelineEvent.findMany({ where: { kind: 'CLOSED', actorId: null } });
    expect(autoClosed.length).toBeGreaterThan(0);
    // No timer due by now is left over, and none failed.
    expect(await prisma.scheduledJob.count({ where: { status: 'PENDING', runAt: { lte: now } } })).toBe(0);
    expect(await prisma.scheduledJob.count({ where: { status: 'FAILED' } })).toBe(0);
  });

  it('gives agent1 tickets in progress, a live offer and a handover request', async () => {
    const agent1 = first.master.users['agent1@gongdan.dev']!;
    expect(await prisma.ticket.count({ where: { assigneeId: agent1, status: 'PROCESSING' } })).toBeGreaterThanOrEqual(1);
    const offers = await prisma.assignmentOffer.findMany({ where: { agentId: agent1, status: 'PENDING' }, include: { ticket: true } });
    expect(offers.length).toBeGreaterThanOrEqual(1);
    for (const o of offers) expect(o.ticket.status).toBe('PENDING_ACCEPT');
    expect(await prisma.handoverRequest.count({ where: { toId: agent1, status: 'PENDING' } })).toBeGreaterThanOrEqual(1);
  });

  it('leaves every pending ticket with a live offer, and grabbable tickets in the pool', async () => {
    const pending = await prisma.ticket.findMany({ where: { status: 'PENDING_ACCEPT' }, include: { offers: { where: { status: 'PENDING' } } } });
    for (const t of pending) {
      expect(t.offers, t.title).toHaveLength(1);
      expect(t.offers[0]!.expiresAt.getTime()).toBeGreaterThan(now.getTime());
      expect(await prisma.scheduledJob.count({ where: { kind: 'offer.expire', status: 'PENDING', ticketId: t.id } })).toBe(1);
    }
    const offers = await prisma.assignmentOffer.findMany({ where: { status: 'PENDING' } });
    expect(offers).toHaveLength(EXPECTED_BY_STATUS.PENDING_ACCEPT);
    const pool = await prisma.ticket.findMany({ where: { status: 'NEW' }, include: { type: true } });
    expect(pool.filter((t) => t.type.assignmentModes.includes('GRAB')).length).toBeGreaterThanOrEqual(3);
    for (const t of pool) expect(t.assigneeId).toBeNull();
  });

  it('has handovers, assists, sharers, waiting states, a reopen and ratings as the board shows them', async () => {
    const handedOver = await prisma.handoverRequest.findMany({ where: { status: 'ACCEPTED' } });
    expect(handedOver.length).toBeGreaterThanOrEqual(1);
    for (const h of handedOver) {
      expect(await prisma.ticketSharer.count({ where: { ticketId: h.ticketId, userId: h.fromId, reason: 'HANDOVER' } })).toBe(1);
    }
    const teams = first.master.teams;
    expect(await prisma.assistRequest.count({ where: { teamId: teams['技术支持组'], status: 'COMPLETED' } })).toBeGreaterThanOrEqual(1);
    expect(await prisma.assistRequest.count({ where: { teamId: teams['财务组'], status: 'POOLED' } })).toBeGreaterThanOrEqual(1);
    const internal = await prisma.comment.findMany({ where: { visibility: 'INTERNAL' } });
    expect(internal.some((c) => c.mentionedUserIds.length > 0)).toBe(true);
    expect(await prisma.comment.count({ where: { visibility: 'PUBLIC' } })).toBeGreaterThan(internal.length);
    expect(await prisma.notification.count({ where: { kind: 'MENTION' } })).toBeGreaterThan(0);
    expect(await prisma.outboxMessage.count({ where: { payload: { path: ['kind'], equals: 'RESOLVED' } } })).toBeGreaterThan(0);
    // Paused SLA while waiting on the customer.
    for (const t of await prisma.ticket.findMany({ where: { status: 'WAITING_CUSTOMER' } })) expect(t.slaPausedAt).not.toBeNull();
    // One ticket was reopened, then resolved again.
    const reopened = await prisma.timelineEvent.findMany({ where: { kind: 'REOPENED' } });
    expect(reopened.length).toBeGreaterThanOrEqual(1);
    const again = await prisma.ticket.findUniqueOrThrow({ where: { id: reopened[0]!.ticketId } });
    expect(['RESOLVED', 'CLOSED']).toContain(again.status);
    // Ratings 3–5 with comments, on resolved or closed tickets only.
    const ratings = await prisma.rating.findMany({ include: { ticket: true } });
    expect(ratings.length).toBeGreaterThanOrEqual(5);
    for (const r of ratings) {
      expect(['RESOLVED', 'CLOSED']).toContain(r.ticket.status);
      expect(r.score).toBeGreaterThanOrEqual(3);
      expect(r.score).toBeLessThanOrEqual(5);
      expect(r.comment).toBeTruthy();
    }
    expect(new Set(ratings.map((r) => r.ticket.status))).toEqual(new Set(['RESOLVED', 'CLOSED']));
  });

  it('creates nothing when run again', () => {
    expect(Object.values(second.counts).every((n) => n === 0)).toBe(true);
    expect(tablesAfterSecond).toEqual(tablesAfterFirst);
    expect(logs.some((l) => l.startsWith('demo tickets skipped'))).toBe(true);
  });
});
