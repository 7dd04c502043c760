// Subscriptions over real graphql-ws connections on a real port.
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate, uidOf } from '../support/tickets.ts';
import { collect, settle, wsClient } from '../support/ws.ts';

let t: TestApp;
let url: string;
let manager: { user: { id: string }; token: string };
beforeAll(async () => {
  t = await startTestApp();
  url = await t.listen();
  manager = await actor(t.db.prisma, 'MANAGER');
});
afterAll(() => t.close());
// Each test starts once the server has ended the previous one's subscriptions (see settle).
afterEach(() => settle(t));
const p = () => t.db.prisma;

const QUEUE_EVENTS = /* GraphQL */ `
  subscription ($queues: [QueueName!]!) {
    queueEvents(queues: $queues) { seq prevSeq reason ticketId at committedAt changes { queue kind } ticket { number status assignee { id } } actor { id } }
  }
`;
type QueueEvent = {
  queueEvents: { seq: string; prevSeq: string; reason: string; ticketId: string; at: string; committedAt: string | null; changes: { queue: string; kind: string }[]; ticket: { status: string } | null; actor: { id: string } | null };
};

describe('queueEvents', () => {
  it('two agents watching the pool both see a ticket enter, then leave when a third grabs it', async () => {
    const [a, b, winner] = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT'), actor(p(), 'AGENT')]);
    const type = await makeType(p(), { modes: ['GRAB'] });
    const ca = wsClient(url, a.token);
    const cb = wsClient(url, b.token);
    const ra = collect<QueueEvent>(ca, QUEUE_EVENTS, { queues: ['POOL'] });
    const rb = collect<QueueEvent>(cb, QUEUE_EVENTS, { queues: ['POOL'] });
    await settle(t);

    const c = await createTicket(t, manager.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: c.gid }, winner.token);
    for (const r of [ra, rb]) {
      const items = await r.until((xs) => xs.some((x) => x.queueEvents.reason === 'GRABBED'));
      const mine = items.map((x) => x.queueEvents).filter((e) => e.ticketId === c.gid);
      expect(mine.map((e) => [e.reason, e.changes])).toEqual([
        ['CREATED', [{ queue: 'POOL', kind: 'ENTERED' }]],
        ['GRABBED', [{ queue: 'POOL', kind: 'LEFT' }]],
      ]);
      expect(mine[1]!.actor?.id).toBe(uidOf(winner.user.id));
      // Stamped when the change committed, not before the change began.
      expect(Date.parse(mine[1]!.committedAt!)).toBeGreaterThanOrEqual(Date.parse(mine[1]!.at));
      expect(mine[1]!.ticket?.status).toBe('PROCESSING');
      // Sequence numbers grow, and each event names the one before it on this subscription.
      expect(BigInt(mine[1]!.seq)).toBeGreaterThan(BigInt(mine[0]!.seq));
      expect(mine[1]!.prevSeq).toBe(mine[0]!.seq);
      expect(r.errors).toEqual([]);
      r.close();
    }
    await Promise.all([ca.dispose(), cb.dispose()]);
  });

  it('an agent not eligible for the type never hears about its pool; the winner sees it enter MY_TICKETS', async () => {
    const [eligible, outsider] = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT')]);
    const type = await makeType(p(), { modes: ['GRAB'], agentIds: [eligible.user.id] });
    const ce = wsClient(url, eligible.token);
    const co = wsClient(url, outsider.token);
    const re = collect<QueueEvent>(ce, QUEUE_EVENTS, { queues: ['POOL', 'MY_TICKETS'] });
    const ro = collect<QueueEvent>(co, QUEUE_EVENTS, { queues: ['POOL', 'MY_TICKETS'] });
    await settle(t);
    const c = await createTicket(t, manager.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: c.gid }, eligible.token);
    const items = await re.until((xs) => xs.some((x) => x.queueEvents.reason === 'GRABBED'));
    expect(items.find((x) => x.queueEvents.reason === 'GRABBED')!.queueEvents.changes).toEqual(
      expect.arrayContaining([{ queue: 'POOL', kind: 'LEFT' }, { queue: 'MY_TICKETS', kind: 'ENTERED' }]),
    );
    // Give the outsider's stream the same chance, then check it stayed silent.
    const probe = await createTicket(t, manager.token, (await makeType(p(), { modes: ['GRAB'] })).id);
    await ro.until((xs) => xs.some((x) => x.queueEvents.ticketId === probe.gid));
    expect(ro.items.filter((x) => x.queueEvents.ticketId === c.gid)).toEqual([]);
    re.close();
    ro.close();
    await Promise.all([ce.dispose(), co.dispose()]);
  });

  it('the queue query and the subscription agree on seq: a client that subscribed late sees a gap', async () => {
    const agent = await actor(p(), 'AGENT');
    const type = await makeType(p(), { modes: ['GRAB'] });
    const before = await t.gql<{ pool: { seq: string; edges: unknown[] } }>('{ pool { seq edges { node { id } } } }', {}, agent.token);
    const seq0 = before.data!.pool.seq;
    // Something happens between the query and the subscription: the client misses it.
    await createTicket(t, manager.token, type.id);
    const client = wsClient(url, agent.token);
    const r = collect<QueueEvent>(client, QUEUE_EVENTS, { queues: ['POOL'] });
    await settle(t);
    await createTicket(t, manager.token, type.id);
    const [first] = await r.until((xs) => xs.length >= 1);
    expect(BigInt(first!.queueEvents.prevSeq)).toBeGreaterThan(BigInt(seq0));
    r.close();
    await client.dispose();
  });

  it('ends the subscription when the session is revoked', async () => {
    const agent = await actor(p(), 'AGENT');
    const type = await makeType(p(), { modes: ['GRAB'] });
    const client = wsClient(url, agent.token);
    const r = collect<QueueEvent>(client, QUEUE_EVENTS, { queues: ['POOL'] });
    await settle(t);
    await createTicket(t, manager.token, type.id);
    await r.until((xs) => xs.length === 1);
    await p().session.updateMany({ where: { userId: agent.user.id }, data: { revokedAt: new Date() } });
    await createTicket(t, manager.token, type.id);
    await r.until(() => r.errors.length > 0);
    expect(JSON.stringify(r.errors)).toContain('UNAUTHENTICATED');
    expect(r.items).toHaveLength(1);
    await client.dispose();
  });
});

describe('ticketEvents', () => {
  it('a customer receives public events of their ticket, never internal notes', async () => {
    const cust = await actor(p(), 'CUSTOMER');
    const agent = await actor(p(), 'AGENT');
    const type = await makeType(p(), { modes: ['GRAB'] });
    const c = await createTicket(t, cust.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: c.gid }, agent.token);
    const cc = wsClient(url, cust.token);
    const ca = wsClient(url, agent.token);
    const q = `subscription ($id: ID!) { ticketEvents(ticketId: $id) { kind visibility comment { body visibility } data } }`;
    type Ev = { ticketEvents: { kind: string; visibility: string; comment: { body: string } | null } };
    const rc = collect<Ev>(cc, q, { id: c.gid });
    const ra = collect<Ev>(ca, q, { id: c.gid });
    await settle(t);
    await mutate(t, 'addComment', { ticketId: c.gid, body: '内部: 这个客户很急', visibility: 'INTERNAL' }, agent.token);
    await mutate(t, 'addComment', { ticketId: c.gid, body: '您好, 已收到', visibility: 'PUBLIC' }, agent.token);
    await mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: '已处理' }, agent.token);
    await ra.until((xs) => xs.length === 3);
    const got = await rc.until((xs) => xs.some((x) => x.ticketEvents.kind === 'RESOLVED'));
    expect(got.map((x) => [x.ticketEvents.kind, x.ticketEvents.comment?.body ?? null])).toEqual([
      ['COMMENTED', '您好, 已收到'],
      ['RESOLVED', null],
    ]);
    expect(ra.items.map((x) => x.ticketEvents.visibility)).toEqual(['INTERNAL', 'PUBLIC', 'PUBLIC']);
    rc.close();
    ra.close();
    await Promise.all([cc.dispose(), ca.dispose()]);
  });

  it('subscribing to someone else\'s ticket fails like reading it', async () => {
    const cust = await actor(p(), 'CUSTOMER');
    const stranger = await actor(p(), 'CUSTOMER');
    const type = await makeType(p());
    const c = await createTicket(t, cust.token, type.id);
    const cs = wsClient(url, stranger.token);
    const r = collect(cs, `subscription ($id: ID!) { ticketEvents(ticketId: $id) { kind } }`, { id: c.gid });
    await r.until(() => r.errors.length > 0 || r.done);
    expect(JSON.stringify(r.errors)).toContain('Ticket not found');
    await cs.dispose();
  });
});

describe('myNotifications', () => {
  it('the offered agent is told about the offer; a mentioned colleague about the mention', async () => {
    const agent = await actor(p(), 'AGENT');
    const colleague = await actor(p(), 'STAFF');
    const type = await makeType(p(), { modes: ['MANAGER'], requireAcceptance: true, agentIds: [agent.user.id] });
    const client = wsClient(url, agent.token);
    const cc = wsClient(url, colleague.token);
    const q = `subscription { myNotifications { kind ticket { id } data } }`;
    type N = { myNotifications: { kind: string; ticket: { id: string } } };
    const r = collect<N>(client, q);
    const rc = collect<N>(cc, q);
    await settle(t);
    const c = await createTicket(t, manager.token, type.id);
    await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(agent.user.id) }, manager.token);
    const got = await r.until((xs) => xs.length >= 1);
    expect(got[0]!.myNotifications).toMatchObject({ kind: 'OFFER', ticket: { id: c.gid } });
    const offer = await p().assignmentOffer.findFirstOrThrow({ where: { ticketId: c.id } });
    await mutate(t, 'acceptOffer', { offerId: globalId('AssignmentOffer', offer.id) }, agent.token);
    await mutate(t, 'addComment', { ticketId: c.gid, body: '@同事 请看', visibility: 'INTERNAL', mentionUserIds: [uidOf(colleague.user.id)] }, agent.token);
    const mention = await rc.until((xs) => xs.length >= 1);
    expect(mention[0]!.myNotifications.kind).toBe('MENTION');
    r.close();
    rc.close();
    await Promise.all([client.dispose(), cc.dispose()]);
  });
});

describe('graphql-ws protocol', () => {
  it('refuses a bad token at connection with 4403', async () => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer gds_forged' } })));
    expect(await closed).toBe(4403);
  });
});
