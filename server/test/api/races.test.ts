// Real concurrency against PostgreSQL: many requests at once, the database decides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId, makeUser, sessionFor } from '../support/builders.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate, uidOf } from '../support/tickets.ts';

let t: TestApp;
const clock = new FakeClock();
let manager: { user: { id: string }; token: string };
beforeAll(async () => {
  t = await startTestApp({ clock, poolSize: 20 });
  manager = await actor(t.db.prisma, 'MANAGER');
});
afterAll(() => t.close());
const p = () => t.db.prisma;

async function httpGrab(url: string, token: string, ticketGid: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `mutation ($id: ID!) { grabTicket(input: { ticketId: $id }) { __typename ... on TicketAlreadyTaken { takenBy { id } } ... on TicketPayload { ticket { assignee { id } } } } }`,
      variables: { id: ticketGid },
    }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data?: { grabTicket: { __typename: string; takenBy?: { id: string }; ticket?: { assignee: { id: string } } } }; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body));
  return body.data.grabTicket;
}

describe('grab race', () => {
  it('200 agents grabbing 50 tickets at once over HTTP: exactly 50 winners, one assignee and one GRABBED event per ticket', async () => {
    const url = await t.listen();
    const type = await makeType(p(), { modes: ['GRAB'] });
    const tickets: Awaited<ReturnType<typeof createTicket>>[] = [];
    for (let i = 0; i < 50; i++) tickets.push(await createTicket(t, manager.token, type.id));
    const agents = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const u = await makeUser(p(), 'AGENT');
        return { id: u.id, token: await sessionFor(p(), u.id) };
      }),
    );
    // Four agents per ticket, all requests in flight together.
    const results = await Promise.all(agents.map((a, i) => httpGrab(url, a.token, tickets[i % 50]!.gid).then((r) => ({ r, agent: a, ticket: tickets[i % 50]! }))));

    const wins = results.filter((x) => x.r.__typename === 'TicketPayload');
    const losses = results.filter((x) => x.r.__typename === 'TicketAlreadyTaken');
    expect(wins).toHaveLength(50);
    expect(losses).toHaveLength(150);
    expect(new Set(wins.map((w) => w.ticket.id)).size).toBe(50);

    const rows = await p().ticket.findMany({ where: { id: { in: tickets.map((x) => x.id) } } });
    for (const row of rows) {
      expect(row.status).toBe('PROCESSING');
      const winner = wins.find((w) => w.ticket.id === row.id)!;
      expect(row.assigneeId).toBe(winner.agent.id);
      // Every loser was told who won.
      for (const l of losses.filter((x) => x.ticket.id === row.id)) expect(l.r.takenBy?.id).toBe(uidOf(winner.agent.id));
    }
    const grabbed = await p().timelineEvent.groupBy({ by: ['ticketId'], where: { ticketId: { in: tickets.map((x) => x.id) }, kind: 'GRABBED' }, _count: { _all: true } });
    expect(grabbed).toHaveLength(50);
    expect(grabbed.every((g) => g._count._all === 1)).toBe(true);
  }, 120_000);
});

describe('other races', () => {
  it('two managers dispatching the same tickets: exactly one dispatch per ticket', async () => {
    const m2 = await actor(p(), 'MANAGER');
    const a = await makeUser(p(), 'AGENT');
    const b = await makeUser(p(), 'AGENT');
    const type = await makeType(p(), { modes: ['MANAGER'] });
    const tickets = await Promise.all(Array.from({ length: 20 }, () => createTicket(t, manager.token, type.id)));
    const results = await Promise.all(
      tickets.flatMap((c) => [
        mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(a.id) }, manager.token).then((r) => ({ c, r, agent: a.id })),
        mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(b.id) }, m2.token).then((r) => ({ c, r, agent: b.id })),
      ]),
    );
    for (const c of tickets) {
      const mine = results.filter((x) => x.c.id === c.id);
      const won = mine.filter((x) => x.r.__typename === 'TicketPayload');
      expect(won).toHaveLength(1);
      expect(mine.filter((x) => x.r.__typename === 'TicketAlreadyTaken')).toHaveLength(1);
      expect((await p().ticket.findUniqueOrThrow({ where: { id: c.id } })).assigneeId).toBe(won[0]!.agent);
      expect(await p().timelineEvent.count({ where: { ticketId: c.id, kind: 'DISPATCHED' } })).toBe(1);
    }
  });

  it('accept racing the expiry timer: exactly one outcome per offer', async () => {
    const agents = await Promise.all(Array.from({ length: 15 }, () => actor(p(), 'AGENT')));
    const type = await makeType(p(), { modes: ['MANAGER'], requireAcceptance: true, acceptTimeoutSeconds: 600, agentIds: agents.map((a) => a.user.id) });
    const offers = [];
    for (const a of agents) {
      const c = await createTicket(t, manager.token, type.id);
      await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(a.user.id) }, manager.token);
      const offer = await p().assignmentOffer.findFirstOrThrow({ where: { ticketId: c.id } });
      offers.push({ a, c, offer });
    }
    // The timer is due (as if another instance's clock ran ahead) while the offer still looks open to the agent.
    await p().scheduledJob.updateMany({ where: { ticketId: { in: offers.map((o) => o.c.id) } }, data: { runAt: new Date(clock.now().getTime() - 1000) } });
    const [accepts] = await Promise.all([
      Promise.all(offers.map((o) => mutate(t, 'acceptOffer', { offerId: globalId('AssignmentOffer', o.offer.id) }, o.a.token))),
      t.app.jobs.runDue(),
    ]);
    for (const [i, o] of offers.entries()) {
      const row = await p().ticket.findUniqueOrThrow({ where: { id: o.c.id } });
      const kinds = (await p().timelineEvent.findMany({ where: { ticketId: o.c.id }, orderBy: { seq: 'asc' } })).map((e) => e.kind);
      const accepted = accepts[i]!.__typename === 'TicketPayload';
      if (accepted) {
        expect(row).toMatchObject({ status: 'PROCESSING', assigneeId: o.a.user.id });
        expect(kinds).toEqual(['CREATED', 'OFFERED', 'OFFER_ACCEPTED']);
      } else {
        expect(accepts[i]!.__typename).toBe('InvalidTransition');
        expect(row).toMatchObject({ status: 'NEW', assigneeId: null });
        expect(kinds).toEqual(['CREATED', 'OFFERED', 'OFFER_EXPIRED', 'RETURNED_TO_POOL']);
      }
      expect((await p().scheduledJob.findFirstOrThrow({ where: { ticketId: o.c.id, kind: 'offer.expire' } })).status).not.toBe('PENDING');
    }
  });

  it('acceptHandover racing a resolve by the requester: exactly one wins, the other changes nothing', async () => {
    const pairs = [];
    const type = await makeType(p(), { modes: ['GRAB'] });
    for (let i = 0; i < 15; i++) {
      const a = await actor(p(), 'AGENT');
      const b = await actor(p(), 'AGENT');
      const c = await createTicket(t, manager.token, type.id);
      await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);
      const h = await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(b.user.id), reason: '换人' }, a.token, 'handover { id }');
      pairs.push({ a, b, c, handoverId: (h.handover as { id: string }).id });
    }
    const results = await Promise.all(
      pairs.map((x) =>
        Promise.all([mutate(t, 'acceptHandover', { handoverId: x.handoverId }, x.b.token), mutate(t, 'resolveTicket', { ticketId: x.c.gid, resolution: '已解决' }, x.a.token)]),
      ),
    );
    for (const [i, x] of pairs.entries()) {
      const [acc, res] = results[i]!;
      const row = await p().ticket.findUniqueOrThrow({ where: { id: x.c.id } });
      const handover = await p().handoverRequest.findUniqueOrThrow({ where: { id: Buffer.from(x.handoverId, 'base64').toString().split(':')[1] } });
      if (acc.__typename === 'TicketPayload') {
        expect(res.__typename).toBe('NotAllowed');
        expect(row).toMatchObject({ status: 'PROCESSING', assigneeId: x.b.user.id });
        expect(handover.status).toBe('ACCEPTED');
      } else {
        expect(acc.__typename).toBe('InvalidTransition');
        expect(res.__typename).toBe('TicketPayload');
        expect(row).toMatchObject({ status: 'RESOLVED', assigneeId: x.a.user.id });
        expect(handover.status).toBe('CANCELLED');
      }
    }
  });

  it('concurrent retries of an idempotent create make one ticket', async () => {
    const { token, user } = await actor(p(), 'AGENT');
    const type = await makeType(p());
    const input = { typeId: globalId('TicketType', type.id), title: '重复提交', replyMethod: 'IM', idempotencyKey: 'order-42-refund' };
    const results = await Promise.all(Array.from({ length: 30 }, () => mutate(t, 'createTicket', input, token)));
    expect(new Set(results.map((r) => r.ticket?.id)).size).toBe(1);
    expect(await p().ticket.count({ where: { creatorId: user.id } })).toBe(1);
  });
});
