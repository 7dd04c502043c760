// Shared subscription execution (graphql/fanout.ts) on the real schema, over real
// graphql-ws connections: subscribers of one permission class share one execution per
// event, and nobody ever receives what only someone else may see.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { viewerSpecificFields } from '../../src/graphql/fanout.ts';
import { actor, globalId, uid } from '../support/builders.ts';
import { metric } from '../support/metrics.ts';
import { chunked, fieldsOf } from '../support/selections.ts';
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

type Actor = { user: { id: string; email: string | null }; token: string };
type QueueEvent = { queueEvents: { reason: string; ticketId: string; changes: { queue: string; kind: string }[]; ticket: Record<string, unknown> | null } };

async function counters() {
  const text = await t.app.observability.metrics.render();
  return { shared: metric(text, 'gongdan_subscription_executions_total', { mode: 'shared' }), perSubscriber: metric(text, 'gongdan_subscription_executions_total', { mode: 'per_subscriber' }), sent: metric(text, 'gongdan_subscription_payloads_sent_total') };
}

/** Subscribes each actor with the same document and variables. */
function subscribeAll<T>(actors: Actor[], query: string, variables: Record<string, unknown>) {
  return actors.map((a) => {
    const client = wsClient(url, a.token);
    return { a, client, r: collect<T>(client, query, variables) };
  });
}

async function closeAll(subs: { client: { dispose(): Promise<void> | void }; r: { close(): void } }[]) {
  for (const s of subs) s.r.close();
  await Promise.all(subs.map((s) => s.client.dispose()));
}

const forTicket = (gid: string) => (xs: QueueEvent[]) => xs.some((x) => x.queueEvents.ticketId === gid);

describe('queueEvents with shared execution', () => {
  it('agents of one class share one execution per event; a manager gets the result of his own class', async () => {
    const [a1, a2] = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT')]);
    const type = await makeType(p(), { modes: ['GRAB'] });
    const q = `subscription ($queues: [QueueName!]!) { queueEvents(queues: $queues) { reason ticketId changes { queue kind } ticket { id title status assignee { id } } } }`;
    const subs = subscribeAll<QueueEvent>([a1, a2, manager as Actor], q, { queues: ['POOL', 'OPEN'] });
    await settle(t);
    const before = await counters();
    const c = await createTicket(t, manager.token, type.id);
    const got = await Promise.all(subs.map((s) => s.r.until(forTicket(c.gid))));
    const mine = got.map((items) => items.find((x) => x.queueEvents.ticketId === c.gid)!.queueEvents);
    // The agents' class watches the pool only (OPEN is the managers'); the manager sees both.
    expect(mine[0]!.changes).toEqual([{ queue: 'POOL', kind: 'ENTERED' }]);
    expect(mine[1]).toEqual(mine[0]);
    expect(mine[2]!.changes).toEqual(expect.arrayContaining([{ queue: 'POOL', kind: 'ENTERED' }, { queue: 'OPEN', kind: 'ENTERED' }]));
    expect(mine[2]!.ticket).toEqual(mine[0]!.ticket);
    const after = await counters();
    expect(after.shared - before.shared).toBe(2); // agents, manager
    expect(after.sent - before.sent).toBe(3);
    for (const s of subs) expect(s.r.errors).toEqual([]);
    await closeAll(subs);
  });

  it('viewer-specific fields (actions, viewerRelations) are executed per subscriber and match what each reads by query', async () => {
    const [a1, a2] = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT')]);
    const type = await makeType(p(), { modes: ['GRAB', 'MANAGER'] });
    const selection = `id status viewerRelations actions { command allowed reason }`;
    const q = `subscription { queueEvents(queues: [POOL]) { ticketId ticket { ${selection} } } }`;
    const subs = subscribeAll<QueueEvent>([a1, a2, manager as Actor], q, {});
    await settle(t);
    const before = await counters();
    const c = await createTicket(t, manager.token, type.id);
    const got = await Promise.all(subs.map((s) => s.r.until(forTicket(c.gid))));
    for (const [i, s] of subs.entries()) {
      const ev = got[i]!.find((x) => x.queueEvents.ticketId === c.gid)!.queueEvents;
      const direct = await t.gql<{ ticket: unknown }>(`query ($id: ID!) { ticket(id: $id) { ${selection} } }`, { id: c.gid }, s.a.token);
      expect(ev.ticket).toEqual(direct.data!.ticket);
    }
    const actions = (i: number) => (got[i]!.find((x) => x.queueEvents.ticketId === c.gid)!.queueEvents.ticket!.actions as { command: string; allowed: boolean }[]);
    expect(actions(0).find((x) => x.command === 'GRAB')!.allowed).toBe(true);
    expect(actions(0).find((x) => x.command === 'DISPATCH')!.allowed).toBe(false);
    expect(actions(2).find((x) => x.command === 'DISPATCH')!.allowed).toBe(true);
    const after = await counters();
    expect(after.shared - before.shared).toBe(3);
    await closeAll(subs);
  });

  it('a revoked session stops receiving while the rest of its class goes on', async () => {
    const [a1, a2] = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT')]);
    const type = await makeType(p(), { modes: ['GRAB'] });
    const q = `subscription { queueEvents(queues: [POOL]) { ticketId ticket { id title } } }`;
    const subs = subscribeAll<QueueEvent>([a1, a2], q, {});
    await settle(t);
    const first = await createTicket(t, manager.token, type.id);
    await Promise.all(subs.map((s) => s.r.until(forTicket(first.gid))));
    await p().session.updateMany({ where: { userId: a1.user.id }, data: { revokedAt: new Date() } });
    const second = await createTicket(t, manager.token, type.id);
    await subs[1]!.r.until(forTicket(second.gid));
    await subs[0]!.r.until(() => subs[0]!.r.errors.length > 0);
    expect(JSON.stringify(subs[0]!.r.errors)).toContain('UNAUTHENTICATED');
    expect(subs[0]!.r.items.some((x) => x.queueEvents.ticketId === second.gid)).toBe(false);
    await closeAll(subs);
  });
});

describe('ticketEvents with shared execution', () => {
  it('two customers on the same ticket, same document and variables, never see each other\'s data', async () => {
    const creator = await actor(p(), 'CUSTOMER');
    const contactUser = await actor(p(), 'CUSTOMER');
    const agent = await actor(p(), 'AGENT');
    const type = await makeType(p(), { modes: ['GRAB'] });
    const c = await createTicket(t, creator.token, type.id);
    // The second customer is the ticket's contact: both may see it.
    const contact = await p().contact.create({ data: { name: `联系人 ${uid()}`, userId: contactUser.user.id } });
    await p().ticket.update({ where: { id: c.id }, data: { contactId: contact.id } });
    await mutate(t, 'grabTicket', { ticketId: c.gid }, agent.token);

    const q = `subscription ($id: ID!) { ticketEvents(ticketId: $id) { kind ticket { id creator { id email } } } }`;
    type Ev = { ticketEvents: { kind: string; ticket: { creator: { id: string; email: string | null } } } };
    const subs = subscribeAll<Ev>([creator, contactUser], q, { id: c.gid });
    await settle(t);
    const before = await counters();
    await mutate(t, 'addComment', { ticketId: c.gid, body: '您好', visibility: 'PUBLIC' }, agent.token);
    const [own, other] = await Promise.all(subs.map((s) => s.r.until((xs) => xs.length === 1)));
    expect(own![0]!.ticketEvents.ticket.creator).toEqual({ id: uidOf(creator.user.id), email: creator.user.email });
    expect(other![0]!.ticketEvents.ticket.creator).toEqual({ id: uidOf(creator.user.id), email: null });
    const after = await counters();
    expect(after.shared - before.shared).toBe(2);
    await closeAll(subs);
  });
});

// ───────────────────────── every field can be shared, or is listed ─────────────────────────

describe('every field reachable from a subscription', () => {
  it('is shared without reading who the viewer is, unless listed as viewer-specific', async () => {
    const listed = viewerSpecificFields(schema);
    expect([...listed].sort()).toEqual(['Ticket.actions', 'Ticket.viewerRelations']);

    // A ticket with something in every list: field values, comments, a pending
    // handover, an open assist, an organisation and a contact.
    const [a1, a2, staff] = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT'), actor(p(), 'STAFF')]);
    const m2 = await actor(p(), 'MANAGER');
    const type = await makeType(p(), { modes: ['GRAB'], fields: [{ key: 'order_no', kind: 'TEXT' }, { key: 'note', kind: 'TEXT', customerVisible: false }] });
    const org = await p().organization.create({ data: { name: `公司-${uid()}` } });
    const cust = await actor(p(), 'CUSTOMER');
    const contact = await p().contact.create({ data: { name: `联系人 ${uid()}`, userId: cust.user.id, organizationId: org.id } });
    const c = await createTicket(t, manager.token, type.id, {
      contactId: globalId('Contact', contact.id),
      tags: ['vip'],
      fieldValues: [{ key: 'order_no', value: 'A-1' }, { key: 'note', value: '内部' }],
    });
    await mutate(t, 'grabTicket', { ticketId: c.gid }, a1.token);
    await mutate(t, 'addComment', { ticketId: c.gid, body: '公开回复', visibility: 'PUBLIC' }, a1.token);
    await mutate(t, 'addComment', { ticketId: c.gid, body: '内部备注', visibility: 'INTERNAL' }, a1.token);
    await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(a2.user.id), reason: '换班' }, a1.token);
    await mutate(t, 'requestAssist', { ticketId: c.gid, toUserId: uidOf(staff.user.id), note: '帮查' }, a1.token);

    for (const skip of [listed, new Set<string>()]) {
      const ticketParts = fieldsOf(schema.getType('Ticket')!, 2, skip, new Set(['QueueEvent', 'Ticket']));
      const otherParts = fieldsOf(schema.getType('QueueEvent')!, 2, skip, new Set(['QueueEvent', 'Ticket'])).filter((x) => !/^ticket\b(?!Id)/.test(x));
      const queueDocs = [otherParts.join(' '), ...chunked(ticketParts).map((sel) => `ticketId ticket { ${sel} }`)].map(
        (sel) => `subscription { queueEvents(queues: [OPEN, MY_TICKETS]) { ticketId ${sel} } }`,
      );
      const timelineDocs = chunked(fieldsOf(schema.getType('TimelineEvent')!, 2, skip)).map((sel) => `subscription ($id: ID!) { ticketEvents(ticketId: $id) { ${sel} } }`);
      // Two of each class, so executions really are shared.
      const clients = [manager as Actor, m2, a1, a2].map((a) => ({ a, client: wsClient(url, a.token) }));
      const queueSubs = clients.slice(0, 3).flatMap(({ a, client }) => queueDocs.map((q) => ({ a, q, client, r: collect<QueueEvent>(client, q) })));
      const timelineSubs = clients.slice(2).flatMap(({ a, client }) => timelineDocs.map((q) => ({ a, q, client, r: collect<{ ticketEvents: unknown }>(client, q, { id: c.gid }) })));
      await settle(t);
      await mutate(t, 'setTicketStatus', { ticketId: c.gid, status: 'WAITING_THIRD_PARTY' }, a1.token);
      // Dozens of documents with every field, each executed per class: give the embedded
      // database (one connection for all of them) time.
      await Promise.all(queueSubs.map((s) => s.r.until(forTicket(c.gid), 30_000)));
      await Promise.all(timelineSubs.map((s) => s.r.until((xs) => xs.length >= 1, 30_000)));
      for (const s of [...queueSubs, ...timelineSubs]) expect({ q: s.q, errors: s.r.errors }).toEqual({ q: s.q, errors: [] });

      // What each received of the ticket is what they read by query.
      for (const s of queueSubs) {
        const ev = s.r.items.find((x) => x.queueEvents.ticketId === c.gid)!.queueEvents;
        if (!('ticket' in ev)) continue;
        expect(ev.ticket).not.toBeNull();
        const sel = s.q.slice(s.q.indexOf('ticket {') + 'ticket'.length, -4);
        const direct = await t.gql<{ ticket: unknown }>(`query ($id: ID!) { ticket(id: $id) ${sel} }`, { id: c.gid }, s.a.token);
        expect(direct.errors).toBeUndefined();
        expect(ev.ticket).toEqual(direct.data!.ticket);
      }
      for (const s of [...queueSubs, ...timelineSubs]) s.r.close();
      await Promise.all(clients.map((x) => x.client.dispose()));
      await settle(t);
      await mutate(t, 'setTicketStatus', { ticketId: c.gid, status: 'PROCESSING' }, a1.token);
    }
  });
});
