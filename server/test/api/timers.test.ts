// Durable timers: an offer that expires while the server is down fires once after the
// restart, even with two instances polling the same database.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { Database } from '../../src/infra/db/client.ts';
import { actor } from '../support/builders.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { TEST_CONFIG, startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate, uidOf } from '../support/tickets.ts';

let first: TestApp;
const clock = new FakeClock();
const dbs: Database[] = [];
beforeAll(async () => {
  first = await startTestApp({ clock });
});
afterAll(async () => {
  for (const db of dbs) await db.close();
  await first.close();
});

it('an offer expiring during downtime expires exactly once after restart, with two instances polling', async () => {
  const p = first.db.prisma;
  const manager = await actor(p, 'MANAGER');
  const agents = await Promise.all(Array.from({ length: 10 }, () => actor(p, 'AGENT')));
  const type = await makeType(p, { modes: ['MANAGER'], requireAcceptance: true, acceptTimeoutSeconds: 60, agentIds: agents.map((a) => a.user.id) });
  const tickets = [];
  for (const a of agents) {
    const c = await createTicket(first, manager.token, type.id);
    const r = await mutate(first, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(a.user.id) }, manager.token);
    expect(r.ticket?.status).toBe('PENDING_ACCEPT');
    tickets.push(c);
  }
  // The server goes down before anyone answers; time passes.
  await first.app.stop();
  clock.advance(5 * 60_000);

  // Two fresh instances come up on the same database, each with its own poller (and, on
  // PostgreSQL, its own connections).
  const instances = [];
  for (let i = 0; i < 2; i++) {
    const db = await first.connectDb();
    dbs.push(db);
    const app = buildApp({ config: { ...TEST_CONFIG, JOB_POLL_MS: 50 }, db, logger: pino({ level: 'silent' }), clock, runJobs: true });
    await app.start();
    instances.push(app);
  }
  const ids = tickets.map((c) => c.id);
  const deadline = Date.now() + 20_000;
  while ((await p.ticket.count({ where: { id: { in: ids }, status: 'NEW' } })) < ids.length) {
    if (Date.now() > deadline) throw new Error('offers did not expire after restart');
    await new Promise((r) => setTimeout(r, 50));
  }
  // Let both pollers run a few more rounds: nothing may fire twice.
  await new Promise((r) => setTimeout(r, 300));
  for (const app of instances) await app.stop();

  const expired = await p.timelineEvent.groupBy({ by: ['ticketId'], where: { ticketId: { in: ids }, kind: 'OFFER_EXPIRED' }, _count: { _all: true } });
  expect(expired).toHaveLength(10);
  expect(expired.every((e) => e._count._all === 1)).toBe(true);
  expect(await p.scheduledJob.count({ where: { ticketId: { in: ids }, kind: 'offer.expire', status: 'DONE' } })).toBe(10);
  expect(await p.assignmentOffer.count({ where: { ticketId: { in: ids }, status: 'EXPIRED' } })).toBe(10);
}, 60_000);

