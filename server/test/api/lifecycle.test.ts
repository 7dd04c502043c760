// The ticket lifecycle over GraphQL, on real PostgreSQL: each command's happy path and
// its typed failures, and that every change is in the timeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId, makeUser, uid } from '../support/builders.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, eventKinds, makeType, mutate, uidOf } from '../support/tickets.ts';

let t: TestApp;
const clock = new FakeClock();
let manager: { user: { id: string }; token: string };
beforeAll(async () => {
  t = await startTestApp({ clock });
  manager = await actor(t.db.prisma, 'MANAGER');
});
afterAll(() => t.close());

const p = () => t.db.prisma;

describe('createTicket', () => {
  it('lands in the pool with a CREATED event, the owner filled from the contact\'s dedicated agent', async () => {
    const { token } = await actor(p(), 'AGENT');
    const orgAgent = await makeUser(p(), 'AGENT');
    const contactAgent = await makeUser(p(), 'AGENT');
    const org = await p().organization.create({ data: { name: `公司-${uid()}`, dedicatedAgentId: orgAgent.id } });
    const contact = await p().contact.create({ data: { name: '李雷', email: 'lilei@example.com', organizationId: org.id, dedicatedAgentId: contactAgent.id } });
    const type = await makeType(p());
    const c = await createTicket(t, token, type.id, { contactId: globalId('Contact', contact.id), replyMethod: null });
    expect(c.view.status).toBe('NEW');
    expect(c.view.number).toMatch(/^T-\d{6}$/);
    expect(c.view.owner?.id).toBe(uidOf(contactAgent.id));
    const row = await p().ticket.findUniqueOrThrow({ where: { id: c.id } });
    expect(row).toMatchObject({ organizationId: org.id, replyMethod: 'EMAIL', replyAddress: 'lilei@example.com' });
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED']);

    // Without a contact-level agent the organisation's wins.
    const other = await p().contact.create({ data: { name: '韩梅梅', organizationId: org.id } });
    const c2 = await createTicket(t, token, type.id, { contactId: globalId('Contact', other.id) });
    expect(c2.view.owner?.id).toBe(uidOf(orgAgent.id));
  });

  it('validates the template with an error per field, and writes nothing', async () => {
    const { token } = await actor(p(), 'AGENT');
    const type = await makeType(p(), {
      fields: [
        { key: 'order_no', kind: 'ORDER_REF', required: true },
        { key: 'amount', kind: 'NUMBER' },
        { key: 'category', kind: 'SINGLE_SELECT', options: [{ value: 'refund', label: '退款' }] },
      ],
    });
    const before = await p().ticket.count();
    const r = await mutate(t, 'createTicket', {
      typeId: globalId('TicketType', type.id),
      title: '  ',
      replyMethod: 'EMAIL',
      fieldValues: [
        { key: 'amount', value: 'lots' },
        { key: 'category', value: 'exchange' },
        { key: 'nope', value: 1 },
      ],
    }, token);
    expect(r.__typename).toBe('ValidationFailed');
    expect(r.fieldErrors!.map((e) => e.field).sort()).toEqual(
      ['fieldValues.amount', 'fieldValues.category', 'fieldValues.nope', 'fieldValues.order_no', 'replyAddress', 'title'].sort(),
    );
    expect(await p().ticket.count()).toBe(before);
  });

  it('a customer files for their own contact, sees only customer-visible fields, and cannot set internal ones', async () => {
    const cust = await actor(p(), 'CUSTOMER');
    const contact = await p().contact.create({ data: { name: '客户', userId: cust.user.id, email: 'c@example.com' } });
    const type = await makeType(p(), { fields: [{ key: 'visible', kind: 'TEXT' }, { key: 'internal', kind: 'TEXT', customerVisible: false, required: true }] });
    const denied = await mutate(t, 'createTicket', { typeId: globalId('TicketType', type.id), title: 'x', fieldValues: [{ key: 'internal', value: 'secret' }] }, cust.token);
    expect(denied).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'fieldValues.internal' }] });
    // Required internal fields are not required of customers: they cannot see them.
    const ok = await createTicket(t, cust.token, type.id, { fieldValues: [{ key: 'visible', value: '我的电脑' }], replyMethod: null });
    const row = await p().ticket.findUniqueOrThrow({ where: { id: ok.id } });
    expect(row).toMatchObject({ contactId: contact.id, channel: 'PORTAL', creatorId: cust.user.id });
  });

  it('the same idempotency key returns the same ticket, also under concurrent retries; a different body is refused', async () => {
    const { token, user } = await actor(p(), 'AGENT');
    const type = await makeType(p());
    const key = `crm-${uid()}`;
    const input = { typeId: globalId('TicketType', type.id), title: '订单未发货', replyMethod: 'IM', idempotencyKey: key };
    const results = await Promise.all(Array.from({ length: 12 }, () => mutate(t, 'createTicket', input, token, 'replayed')));
    expect(new Set(results.map((r) => r.ticket!.id)).size).toBe(1);
    expect(results.filter((r) => r.replayed === false)).toHaveLength(1);
    expect(await p().ticket.count({ where: { creatorId: user.id, typeId: type.id } })).toBe(1);
    const changed = await mutate(t, 'createTicket', { ...input, title: '别的问题' }, token);
    expect(changed).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'idempotencyKey' }] });
  });
});

describe('grab and dispatch', () => {
  it('grab: the agent becomes assignee; the next grab is TicketAlreadyTaken naming the winner', async () => {
    const a = await actor(p(), 'AGENT');
    const b = await actor(p(), 'AGENT');
    const type = await makeType(p());
    const c = await createTicket(t, a.token, type.id);
    const won = await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);
    expect(won.ticket).toMatchObject({ status: 'PROCESSING', assignee: { id: uidOf(a.user.id) } });
    expect(won.ticket!.acceptedAt).not.toBeNull();
    const lost = await mutate(t, 'grabTicket', { ticketId: c.gid }, b.token);
    expect(lost).toMatchObject({ __typename: 'TicketAlreadyTaken', takenBy: { id: uidOf(a.user.id) } });
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'GRABBED']);
  });

  it('grab: refuses ineligible agents, types without GRAB, customers and stale versions', async () => {
    const eligible = await actor(p(), 'AGENT');
    const outsider = await actor(p(), 'AGENT');
    const limited = await makeType(p(), { agentIds: [eligible.user.id] });
    const c1 = await createTicket(t, manager.token, limited.id);
    // The outsider cannot even see tickets of a type they do not serve.
    expect(await mutate(t, 'grabTicket', { ticketId: c1.gid }, outsider.token)).toMatchObject({ __typename: 'NotFound' });
    const staff = await actor(p(), 'STAFF');
    expect(await mutate(t, 'grabTicket', { ticketId: c1.gid }, staff.token)).toMatchObject({ __typename: 'NotFound' });

    const managerOnly = await makeType(p(), { modes: ['MANAGER'] });
    const c2 = await createTicket(t, manager.token, managerOnly.id);
    expect(await mutate(t, 'grabTicket', { ticketId: c2.gid }, eligible.token)).toMatchObject({ __typename: 'NotAllowed' });

    const cust = await actor(p(), 'CUSTOMER');
    const r = await t.gql(`mutation { grabTicket(input: { ticketId: "${c1.gid}" }) { __typename } }`, {}, cust.token);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const stale = await mutate(t, 'grabTicket', { ticketId: c1.gid, expectedVersion: c1.view.version + 5 }, eligible.token);
    expect(stale).toMatchObject({ __typename: 'StaleWrite', currentVersion: c1.view.version });
    expect((await p().ticket.findUniqueOrThrow({ where: { id: c1.id } })).status).toBe('NEW');
  });

  it('dispatch without confirmation assigns at once; to an ineligible agent it is NotEligible; agents may not dispatch', async () => {
    const a = await actor(p(), 'AGENT');
    const staff = await makeUser(p(), 'STAFF');
    const type = await makeType(p(), { modes: ['MANAGER'] });
    const c = await createTicket(t, manager.token, type.id);
    expect(await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(staff.id) }, manager.token)).toMatchObject({ __typename: 'NotEligible' });
    const denied = await t.gql(`mutation { dispatchTicket(input: { ticketId: "${c.gid}", agentId: "${uidOf(a.user.id)}" }) { __typename } }`, {}, a.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const r = await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(a.user.id) }, manager.token);
    expect(r.ticket).toMatchObject({ status: 'PROCESSING', assignee: { id: uidOf(a.user.id) } });
    const again = await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(a.user.id) }, manager.token);
    expect(again).toMatchObject({ __typename: 'TicketAlreadyTaken' });
  });
});

describe('offers (二次确认)', () => {
  async function offered(o: { modes?: ('AUTO' | 'MANAGER' | 'GRAB')[] } = {}) {
    const agent = await actor(p(), 'AGENT');
    const type = await makeType(p(), { modes: o.modes ?? ['MANAGER'], requireAcceptance: true, acceptTimeoutSeconds: 300, agentIds: [agent.user.id] });
    const c = await createTicket(t, manager.token, type.id);
    const r = await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(agent.user.id) }, manager.token);
    expect(r.ticket?.status).toBe('PENDING_ACCEPT');
    const offer = await p().assignmentOffer.findFirstOrThrow({ where: { ticketId: c.id } });
    return { agent, c, offer, offerGid: globalId('AssignmentOffer', offer.id) };
  }

  it('accept makes the offered agent assignee; nobody else can accept', async () => {
    const { agent, c, offerGid } = await offered();
    const other = await actor(p(), 'AGENT');
    expect(await mutate(t, 'acceptOffer', { offerId: offerGid }, other.token)).toMatchObject({ __typename: 'NotFound' });
    const r = await mutate(t, 'acceptOffer', { offerId: offerGid }, agent.token);
    expect(r.ticket).toMatchObject({ status: 'PROCESSING', assignee: { id: uidOf(agent.user.id) } });
    expect(await mutate(t, 'acceptOffer', { offerId: offerGid }, agent.token)).toMatchObject({ __typename: 'InvalidTransition' });
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'OFFERED', 'OFFER_ACCEPTED']);
    expect((await p().scheduledJob.findFirstOrThrow({ where: { ticketId: c.id, kind: 'offer.expire' } })).status).toBe('CANCELLED');
  });

  it('a declined manager offer returns to the pool', async () => {
    const { agent, c, offerGid } = await offered();
    const r = await mutate(t, 'declineOffer', { offerId: offerGid, note: '今天请假' }, agent.token);
    expect(r.ticket).toMatchObject({ status: 'NEW', assignee: null });
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'OFFERED', 'OFFER_DECLINED', 'RETURNED_TO_POOL']);
  });

  it('an expired offer returns to the pool once, and can no longer be accepted', async () => {
    const { agent, c, offerGid } = await offered();
    clock.advance(301_000);
    expect(await mutate(t, 'acceptOffer', { offerId: offerGid }, agent.token)).toMatchObject({ __typename: 'InvalidTransition' });
    expect(await t.app.jobs.runDue()).toBeGreaterThanOrEqual(1);
    await t.app.jobs.runDue();
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'OFFERED', 'OFFER_EXPIRED', 'RETURNED_TO_POOL']);
    expect((await p().ticket.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('NEW');
  });
});

describe('auto dispatch (自动派单)', () => {
  it('prefers the online dedicated agent, else round robin among online agents, else stays in the pool', async () => {
    const dedicated = await makeUser(p(), 'AGENT', { presence: 'ONLINE' });
    const a = await makeUser(p(), 'AGENT', { presence: 'ONLINE', lastAssignedAt: new Date(Date.now() - 10_000) });
    const b = await makeUser(p(), 'AGENT', { presence: 'ONLINE', lastAssignedAt: new Date(Date.now() - 20_000) });
    const type = await makeType(p(), { modes: ['AUTO'], agentIds: [dedicated.id, a.id, b.id] });
    const org = await p().organization.create({ data: { name: `专属-${uid()}`, dedicatedAgentId: dedicated.id } });

    const t1 = await createTicket(t, manager.token, type.id, { organizationId: globalId('Organization', org.id) });
    expect(t1.view).toMatchObject({ status: 'PROCESSING', assignee: { id: uidOf(dedicated.id) } });

    await p().user.update({ where: { id: dedicated.id }, data: { presence: 'AWAY' } });
    const t2 = await createTicket(t, manager.token, type.id, { organizationId: globalId('Organization', org.id) });
    // b was assigned least recently.
    expect(t2.view.assignee?.id).toBe(uidOf(b.id));
    const routed = await p().timelineEvent.findFirstOrThrow({ where: { ticketId: t2.id, kind: 'DISPATCHED' } });
    expect(JSON.stringify(routed.data)).toContain('is not online');
    const t3 = await createTicket(t, manager.token, type.id);
    expect(t3.view.assignee?.id).toBe(uidOf(a.id));

    await p().user.updateMany({ where: { id: { in: [a.id, b.id] } }, data: { presence: 'OFFLINE' } });
    const t4 = await createTicket(t, manager.token, type.id);
    expect(t4.view).toMatchObject({ status: 'NEW', assignee: null });
    expect(await eventKinds(p(), t4.id)).toEqual(['CREATED', 'ROUTED']);
  });

  it('with confirmation, a decline or an expiry re-dispatches to the next candidate', async () => {
    const a = await makeUser(p(), 'AGENT', { presence: 'ONLINE', lastAssignedAt: new Date(0) });
    const b = await makeUser(p(), 'AGENT', { presence: 'ONLINE', lastAssignedAt: new Date(1000) });
    const type = await makeType(p(), { modes: ['AUTO'], requireAcceptance: true, acceptTimeoutSeconds: 60, agentIds: [a.id, b.id] });
    const c = await createTicket(t, manager.token, type.id);
    expect(c.view.status).toBe('PENDING_ACCEPT');
    const first = await p().assignmentOffer.findFirstOrThrow({ where: { ticketId: c.id } });
    expect(first.agentId).toBe(a.id);
    clock.advance(61_000);
    await t.app.jobs.runDue();
    const offers = await p().assignmentOffer.findMany({ where: { ticketId: c.id }, orderBy: { createdAt: 'asc' } });
    expect(offers.map((o) => [o.agentId, o.status])).toEqual([
      [a.id, 'EXPIRED'],
      [b.id, 'PENDING'],
    ]);
    clock.advance(61_000);
    await t.app.jobs.runDue();
    // Both passed: nobody left, it goes back to the pool.
    expect((await p().ticket.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('NEW');
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'OFFERED', 'OFFER_EXPIRED', 'OFFERED', 'OFFER_EXPIRED', 'RETURNED_TO_POOL']);
  });
});

async function assigned(agentToken: string, typeOpts = {}) {
  const type = await makeType(p(), typeOpts);
  const c = await createTicket(t, manager.token, type.id);
  const r = await mutate(t, 'grabTicket', { ticketId: c.gid }, agentToken);
  expect(r.ticket?.status).toBe('PROCESSING');
  return { type, c };
}

describe('handover (移交)', () => {
  it('the target accepts: new assignee, the requester becomes a sharer, status stays PROCESSING', async () => {
    const a = await actor(p(), 'AGENT');
    const b = await actor(p(), 'AGENT');
    const { c } = await assigned(a.token);
    const req = await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(b.user.id), reason: '更熟悉这个客户' }, a.token, 'handover { id }');
    expect(req.__typename).toBe('HandoverPayload');
    const handoverId = (req.handover as { id: string }).id;
    expect(await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(b.user.id), reason: 'again' }, a.token)).toMatchObject({ __typename: 'InvalidTransition' });
    const acc = await mutate(t, 'acceptHandover', { handoverId }, b.token);
    expect(acc.ticket).toMatchObject({ status: 'PROCESSING', assignee: { id: uidOf(b.user.id) }, sharers: [{ id: uidOf(a.user.id) }] });
    // The sharer is read-only now.
    expect(await mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: 'x' }, a.token)).toMatchObject({ __typename: 'NotAllowed' });
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'GRABBED', 'HANDOVER_REQUESTED', 'HANDED_OVER']);
  });

  it('reject and cancel change nothing; only the assignee asks, only eligible agents are asked', async () => {
    const a = await actor(p(), 'AGENT');
    const b = await actor(p(), 'AGENT');
    const staff = await makeUser(p(), 'STAFF');
    const { c } = await assigned(a.token);
    expect(await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(a.user.id), reason: 'me' }, b.token)).toMatchObject({ __typename: 'NotAllowed' });
    expect(await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(staff.id), reason: 'x' }, a.token)).toMatchObject({ __typename: 'NotEligible' });
    expect(await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(b.user.id), reason: '' }, a.token)).toMatchObject({ __typename: 'ValidationFailed' });

    const r1 = await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(b.user.id), reason: 'x' }, a.token, 'handover { id }');
    const h1 = (r1.handover as { id: string }).id;
    expect(await mutate(t, 'acceptHandover', { handoverId: h1 }, a.token)).toMatchObject({ __typename: 'NotAllowed' });
    const rej = await mutate(t, 'rejectHandover', { handoverId: h1, note: '忙' }, b.token);
    expect(rej.ticket).toMatchObject({ assignee: { id: uidOf(a.user.id) }, sharers: [] });
    expect(await mutate(t, 'acceptHandover', { handoverId: h1 }, b.token)).toMatchObject({ __typename: 'InvalidTransition' });

    const r2 = await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(b.user.id), reason: 'y' }, a.token, 'handover { id }');
    const h2 = (r2.handover as { id: string }).id;
    expect(await mutate(t, 'cancelHandover', { handoverId: h2 }, b.token)).toMatchObject({ __typename: 'NotAllowed' });
    expect((await mutate(t, 'cancelHandover', { handoverId: h2 }, a.token)).__typename).toBe('TicketPayload');
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'GRABBED', 'HANDOVER_REQUESTED', 'HANDOVER_REJECTED', 'HANDOVER_REQUESTED', 'HANDOVER_CANCELLED']);
  });
});

describe('assist (转办)', () => {
  it('to a person: they complete with a reply, the assignee is notified, the assignee never changes', async () => {
    const a = await actor(p(), 'AGENT');
    const s = await actor(p(), 'STAFF');
    const { c } = await assigned(a.token);
    const r = await mutate(t, 'requestAssist', { ticketId: c.gid, toUserId: uidOf(s.user.id), note: '请帮忙查一下退款记录' }, a.token, 'assist { id status handler { id } }');
    expect(r.assist).toMatchObject({ status: 'OPEN', handler: { id: uidOf(s.user.id) } });
    const assistId = (r.assist as { id: string }).id;
    // The staff member now sees the ticket (involvement) and can comment internally.
    expect((await mutate(t, 'addComment', { ticketId: c.gid, body: '在查', visibility: 'INTERNAL' }, s.token)).__typename).toBe('AddCommentPayload');
    expect(await mutate(t, 'completeAssist', { assistId, reply: 'x' }, a.token)).toMatchObject({ __typename: 'NotAllowed' });
    const done = await mutate(t, 'completeAssist', { assistId, reply: '已退款, 单号 R123' }, s.token, 'assist { status reply }');
    expect(done.assist).toMatchObject({ status: 'COMPLETED', reply: '已退款, 单号 R123' });
    expect(done.ticket).toMatchObject({ status: 'PROCESSING', assignee: { id: uidOf(a.user.id) } });
    const note = await p().notification.findFirst({ where: { userId: a.user.id, kind: 'ASSIST_COMPLETED' } });
    expect(note).not.toBeNull();
    expect(await mutate(t, 'completeAssist', { assistId, reply: 'again' }, s.token)).toMatchObject({ __typename: 'InvalidTransition' });
  });

  it('to a MANAGER-rule team: waits in the pool until the team manager dispatches; AUTO teams assign round robin', async () => {
    const a = await actor(p(), 'AGENT');
    const lead = await actor(p(), 'STAFF');
    const m1 = await makeUser(p(), 'STAFF');
    const m2 = await makeUser(p(), 'STAFF');
    const finance = await p().team.create({
      data: { name: `财务-${uid()}`, kind: 'ASSIST', assistRule: 'MANAGER', members: { create: [{ userId: lead.user.id, isManager: true }, { userId: m1.id }] } },
    });
    const tech = await p().team.create({
      data: { name: `技术-${uid()}`, kind: 'ASSIST', assistRule: 'AUTO', members: { create: [{ userId: m1.id, lastAssistedAt: new Date(5000) }, { userId: m2.id, lastAssistedAt: new Date(1000) }] } },
    });
    const { c } = await assigned(a.token, { assistTeamIds: [finance.id, tech.id] });
    const pooled = await mutate(t, 'requestAssist', { ticketId: c.gid, toTeamId: globalId('Team', finance.id), note: '开发票' }, a.token, 'assist { id status }');
    expect(pooled.assist).toMatchObject({ status: 'POOLED' });
    const assistId = (pooled.assist as { id: string }).id;
    expect(await mutate(t, 'dispatchAssist', { assistId, toUserId: uidOf(m1.id) }, a.token)).toMatchObject({ __typename: 'NotAllowed' });
    expect(await mutate(t, 'dispatchAssist', { assistId, toUserId: uidOf(m2.id) }, lead.token)).toMatchObject({ __typename: 'NotEligible' });
    const d = await mutate(t, 'dispatchAssist', { assistId, toUserId: uidOf(m1.id) }, lead.token, 'assist { status handler { id } }');
    expect(d.assist).toMatchObject({ status: 'OPEN', handler: { id: uidOf(m1.id) } });

    const auto = await mutate(t, 'requestAssist', { ticketId: c.gid, toTeamId: globalId('Team', tech.id), note: '看下日志' }, a.token, 'assist { status handler { id } }');
    expect(auto.assist).toMatchObject({ status: 'OPEN', handler: { id: uidOf(m2.id) } });

    const other = await p().team.create({ data: { name: `其他-${uid()}`, kind: 'ASSIST' } });
    expect(await mutate(t, 'requestAssist', { ticketId: c.gid, toTeamId: globalId('Team', other.id), note: 'x' }, a.token)).toMatchObject({ __typename: 'NotEligible' });
    expect(await mutate(t, 'requestAssist', { ticketId: c.gid, note: 'x' }, a.token)).toMatchObject({ __typename: 'ValidationFailed' });
  });

  it('the handler forwards the request on; the chain is kept', async () => {
    const a = await actor(p(), 'AGENT');
    const s1 = await actor(p(), 'STAFF');
    const s2 = await makeUser(p(), 'STAFF');
    const { c } = await assigned(a.token);
    const r = await mutate(t, 'requestAssist', { ticketId: c.gid, toUserId: uidOf(s1.user.id), note: '问题一' }, a.token, 'assist { id }');
    const f = await mutate(t, 'forwardAssist', { assistId: (r.assist as { id: string }).id, toUserId: uidOf(s2.id), note: '请你来' }, s1.token, 'assist { status handler { id } previous { status } }');
    expect(f.assist).toMatchObject({ status: 'OPEN', handler: { id: uidOf(s2.id) }, previous: { status: 'FORWARDED' } });
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'GRABBED', 'ASSIST_REQUESTED', 'ASSIST_FORWARDED']);
  });
});

describe('comments', () => {
  it('public and internal; the first public agent reply is the first response; customers only public, own tickets', async () => {
    const a = await actor(p(), 'AGENT');
    const cust = await actor(p(), 'CUSTOMER');
    await p().contact.create({ data: { name: 'C', userId: cust.user.id } });
    const stranger = await actor(p(), 'CUSTOMER');
    const type = await makeType(p());
    const c = await createTicket(t, cust.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);

    const note = await mutate(t, 'addComment', { ticketId: c.gid, body: '内部: 先查日志', visibility: 'INTERNAL', mentionUserIds: [uidOf(manager.user.id)] }, a.token);
    expect(note.ticket?.firstRespondedAt).toBeNull();
    expect(await p().notification.count({ where: { userId: manager.user.id, kind: 'MENTION' } })).toBe(1);
    const reply = await mutate(t, 'addComment', { ticketId: c.gid, body: '您好, 我们在处理', visibility: 'PUBLIC' }, a.token);
    expect(reply.ticket?.firstRespondedAt).not.toBeNull();

    expect(await mutate(t, 'addComment', { ticketId: c.gid, body: 'x', visibility: 'INTERNAL' }, cust.token)).toMatchObject({ __typename: 'NotAllowed' });
    expect(await mutate(t, 'addComment', { ticketId: c.gid, body: 'x' }, stranger.token)).toMatchObject({ __typename: 'NotFound' });
    expect(await mutate(t, 'addComment', { ticketId: c.gid, body: '   ' }, cust.token)).toMatchObject({ __typename: 'ValidationFailed' });
    expect(await mutate(t, 'addComment', { ticketId: c.gid, body: 'x', mentionUserIds: [uidOf(stranger.user.id)] }, a.token)).toMatchObject({ __typename: 'ValidationFailed' });

    // The customer sees the public reply only.
    const view = await t.gql<{ ticket: { comments: { edges: { node: { body: string } }[] } } }>(
      `query ($id: ID!) { ticket(id: $id) { comments { edges { node { body } } } } }`,
      { id: c.gid },
      cust.token,
    );
    expect(view.data?.ticket.comments.edges.map((e) => e.node.body)).toEqual(['您好, 我们在处理']);
  });
});

describe('comments on a ticket logged for a customer', () => {
  it('an agent\'s public reply notifies the contact\'s portal login and counts as the first response', async () => {
    const a = await actor(p(), 'AGENT');
    const cust = await actor(p(), 'CUSTOMER');
    const contact = await p().contact.create({ data: { name: '罗强', userId: cust.user.id } });
    const type = await makeType(p());
    // The agent logs a phone call for the contact, then works it.
    const c = await createTicket(t, a.token, type.id, { contactId: globalId('Contact', contact.id), channel: 'PHONE' });
    await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);
    const r = await mutate(t, 'addComment', { ticketId: c.gid, body: '已为您登记', visibility: 'PUBLIC' }, a.token);
    expect(r.ticket?.firstRespondedAt).not.toBeNull();
    expect(await p().notification.count({ where: { userId: cust.user.id, kind: 'COMMENT', ticketId: c.id } })).toBe(1);
  });
});

describe('status, resolve, reopen, close, rate', () => {
  it('waiting on the customer pauses SLA; the customer\'s reply brings it back to PROCESSING', async () => {
    const a = await actor(p(), 'AGENT');
    const cust = await actor(p(), 'CUSTOMER');
    const type = await makeType(p());
    const c = await createTicket(t, cust.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);
    const other = await actor(p(), 'AGENT');
    expect(await mutate(t, 'setTicketStatus', { ticketId: c.gid, status: 'WAITING_CUSTOMER' }, other.token)).toMatchObject({ __typename: 'NotAllowed' });
    const byCustomer = await t.gql(`mutation { setTicketStatus(input: { ticketId: "${c.gid}", status: WAITING_CUSTOMER }) { __typename } }`, {}, cust.token);
    expect(byCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await mutate(t, 'setTicketStatus', { ticketId: c.gid, status: 'RESOLVED' }, a.token)).toMatchObject({ __typename: 'InvalidTransition' });
    const w = await mutate(t, 'setTicketStatus', { ticketId: c.gid, status: 'WAITING_CUSTOMER' }, a.token);
    expect(w.ticket?.status).toBe('WAITING_CUSTOMER');
    expect((await p().ticket.findUniqueOrThrow({ where: { id: c.id } })).slaPausedAt).not.toBeNull();
    clock.advance(60_000);
    const back = await mutate(t, 'addComment', { ticketId: c.gid, body: '补充截图' }, cust.token);
    expect(back.ticket?.status).toBe('PROCESSING');
    const row = await p().ticket.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.slaPausedAt).toBeNull();
    expect(row.slaPausedSeconds).toBeGreaterThanOrEqual(60);
  });

  it('resolve needs the assignee and a reply, which waits in the outbox; the creator reopens once, then rates once', async () => {
    const a = await actor(p(), 'AGENT');
    const b = await actor(p(), 'AGENT');
    const cust = await actor(p(), 'CUSTOMER');
    await p().contact.create({ data: { name: 'C', userId: cust.user.id, email: 'cust@example.com' } });
    const type = await makeType(p(), { autoCloseAfterSeconds: 3600 });
    const c = await createTicket(t, cust.token, type.id, { replyMethod: 'EMAIL' });
    await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);

    expect(await mutate(t, 'rateTicket', { ticketId: c.gid, score: 5 }, cust.token)).toMatchObject({ __typename: 'InvalidTransition' });
    expect(await mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: '' }, a.token)).toMatchObject({ __typename: 'ValidationFailed' });
    expect(await mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: 'x' }, b.token)).toMatchObject({ __typename: 'NotAllowed' });
    const res = await mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: '已为您重置密码' }, a.token);
    expect(res.ticket?.status).toBe('RESOLVED');
    const out = await p().outboxMessage.findFirstOrThrow({ where: { ticketId: c.id } });
    expect(out).toMatchObject({ channel: 'EMAIL', recipient: 'cust@example.com', body: '已为您重置密码', status: 'PENDING' });
    expect(await p().scheduledJob.count({ where: { ticketId: c.id, kind: 'ticket.autoClose', status: 'PENDING' } })).toBe(1);

    const re = await mutate(t, 'reopenTicket', { ticketId: c.gid, reason: '还是登录不了' }, cust.token);
    expect(re.ticket).toMatchObject({ status: 'PROCESSING', assignee: { id: uidOf(a.user.id) }, resolvedAt: null });
    expect(await p().scheduledJob.count({ where: { ticketId: c.id, kind: 'ticket.autoClose', status: 'PENDING' } })).toBe(0);
    await mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: '已修复' }, a.token);

    expect(await mutate(t, 'rateTicket', { ticketId: c.gid, score: 5 }, a.token)).toMatchObject({ __typename: 'NotAllowed' });
    expect(await mutate(t, 'rateTicket', { ticketId: c.gid, score: 9 }, cust.token)).toMatchObject({ __typename: 'ValidationFailed' });
    const inv = await mutate(t, 'inviteRating', { ticketId: c.gid }, a.token);
    expect(inv.__typename).toBe('TicketPayload');
    expect((await mutate(t, 'rateTicket', { ticketId: c.gid, score: 4, comment: '很快' }, cust.token)).__typename).toBe('TicketPayload');
    expect(await mutate(t, 'rateTicket', { ticketId: c.gid, score: 5 }, cust.token)).toMatchObject({ __typename: 'NotAllowed' });
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'GRABBED', 'RESOLVED', 'REOPENED', 'RESOLVED', 'RATING_INVITED', 'RATED']);
  });

  it('the creator confirms the resolution, which closes the ticket; nobody else can', async () => {
    const a = await actor(p(), 'AGENT');
    const cust = await actor(p(), 'CUSTOMER');
    const type = await makeType(p());
    const c = await createTicket(t, cust.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);
    expect(await mutate(t, 'confirmResolution', { ticketId: c.gid }, cust.token)).toMatchObject({ __typename: 'InvalidTransition', from: 'PROCESSING' });
    await mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: '好了' }, a.token);
    expect(await mutate(t, 'confirmResolution', { ticketId: c.gid }, a.token)).toMatchObject({ __typename: 'NotAllowed' });
    const r = await mutate(t, 'confirmResolution', { ticketId: c.gid }, cust.token);
    expect(r.ticket?.status).toBe('CLOSED');
    expect(await p().scheduledJob.count({ where: { ticketId: c.id, kind: 'ticket.autoClose', status: 'PENDING' } })).toBe(0);
    // Rating is still possible after confirming.
    expect((await mutate(t, 'rateTicket', { ticketId: c.gid, score: 5 }, cust.token)).__typename).toBe('TicketPayload');
  });

  it('auto-close fires after the delay; a manager can close; CLOSED is final', async () => {
    const a = await actor(p(), 'AGENT');
    const { c } = await assigned(a.token, { autoCloseAfterSeconds: 120 });
    await mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: '完成' }, a.token);
    clock.advance(121_000);
    await t.app.jobs.runDue();
    expect((await p().ticket.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('CLOSED');
    expect(await mutate(t, 'reopenTicket', { ticketId: c.gid }, a.token)).toMatchObject({ __typename: 'InvalidTransition', from: 'CLOSED' });
    expect(await mutate(t, 'addComment', { ticketId: c.gid, body: 'hello' }, a.token)).toMatchObject({ __typename: 'InvalidTransition' });

    const { c: c2 } = await assigned(a.token);
    const denied = await t.gql(`mutation { closeTicket(input: { ticketId: "${c2.gid}" }) { __typename } }`, {}, a.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await mutate(t, 'closeTicket', { ticketId: c2.gid, reason: '重复工单' }, manager.token)).ticket?.status).toBe('CLOSED');
  });
});

describe('updateTicketFields', () => {
  it('only editable fields, by their editors; the timeline records old → new', async () => {
    const a = await actor(p(), 'AGENT');
    const cust = await actor(p(), 'CUSTOMER');
    const type = await makeType(p(), {
      fields: [
        { key: 'reason', kind: 'LONG_TEXT', editableAfterSubmit: true, editableBy: ['CREATOR', 'ASSIGNEE'] },
        { key: 'verified', kind: 'CHECKBOX', customerVisible: false, editableAfterSubmit: true, editableBy: ['ASSIGNEE'] },
        { key: 'order_no', kind: 'ORDER_REF', required: true },
      ],
    });
    const c = await createTicket(t, cust.token, type.id, { fieldValues: [{ key: 'order_no', value: 'SO-1' }, { key: 'reason', value: '尺码不对' }] });
    await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);
    expect(await mutate(t, 'updateTicketFields', { ticketId: c.gid, values: [{ key: 'order_no', value: 'SO-2' }] }, a.token)).toMatchObject({
      __typename: 'ValidationFailed',
      fieldErrors: [{ field: 'values.order_no', message: 'cannot be changed after submit' }],
    });
    expect(await mutate(t, 'updateTicketFields', { ticketId: c.gid, values: [{ key: 'verified', value: true }] }, cust.token)).toMatchObject({
      __typename: 'ValidationFailed',
      fieldErrors: [{ field: 'values.verified' }],
    });
    expect(await mutate(t, 'updateTicketFields', { ticketId: c.gid, values: [{ key: 'verified', value: 'yes' }] }, a.token)).toMatchObject({ __typename: 'ValidationFailed' });
    expect((await mutate(t, 'updateTicketFields', { ticketId: c.gid, values: [{ key: 'reason', value: '颜色不对' }] }, cust.token)).__typename).toBe('TicketPayload');
    expect((await mutate(t, 'updateTicketFields', { ticketId: c.gid, values: [{ key: 'verified', value: true }] }, a.token)).__typename).toBe('TicketPayload');
    const ev = await p().timelineEvent.findMany({ where: { ticketId: c.id, kind: 'FIELDS_UPDATED' }, orderBy: { seq: 'asc' } });
    expect(ev.map((e) => [e.visibility, e.data])).toEqual([
      ['PUBLIC', { changes: [{ key: 'reason', label: 'reason', from: '尺码不对', to: '颜色不对' }] }],
      ['INTERNAL', { changes: [{ key: 'verified', label: 'verified', from: null, to: true }] }],
    ]);
  });
});

describe('expectedVersion', () => {
  it('a stale version is refused with the current one, and nothing changes', async () => {
    const a = await actor(p(), 'AGENT');
    const b = await actor(p(), 'AGENT');
    const s = await actor(p(), 'STAFF');
    const { c } = await assigned(a.token);
    const h = await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(b.user.id), reason: 'x' }, a.token, 'handover { id }');
    const as = await mutate(t, 'requestAssist', { ticketId: c.gid, toUserId: uidOf(s.user.id), note: 'y' }, a.token, 'assist { id }');
    const now = await p().ticket.findUniqueOrThrow({ where: { id: c.id } });
    const stale = now.version - 1;
    const attempts = [
      mutate(t, 'acceptHandover', { handoverId: (h.handover as { id: string }).id, expectedVersion: stale }, b.token),
      mutate(t, 'completeAssist', { assistId: (as.assist as { id: string }).id, reply: 'z', expectedVersion: stale }, s.token),
      mutate(t, 'addComment', { ticketId: c.gid, body: 'x', expectedVersion: stale }, a.token),
      mutate(t, 'setTicketStatus', { ticketId: c.gid, status: 'WAITING_THIRD_PARTY', expectedVersion: stale }, a.token),
      mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: 'x', expectedVersion: stale }, a.token),
    ];
    for (const r of await Promise.all(attempts)) expect(r).toMatchObject({ __typename: 'StaleWrite', currentVersion: now.version });
    const after = await p().ticket.findUniqueOrThrow({ where: { id: c.id } });
    expect(after).toMatchObject({ version: now.version, status: 'PROCESSING', assigneeId: a.user.id });
    // With the right version it goes through.
    expect((await mutate(t, 'addComment', { ticketId: c.gid, body: 'ok', expectedVersion: now.version }, a.token)).__typename).toBe('AddCommentPayload');
  });
});

describe('reading tickets', () => {
  it('customers see their own tickets and public timeline entries only; others get null', async () => {
    const a = await actor(p(), 'AGENT');
    const cust = await actor(p(), 'CUSTOMER');
    const other = await actor(p(), 'CUSTOMER');
    const type = await makeType(p());
    const c = await createTicket(t, cust.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);
    await mutate(t, 'requestAssist', { ticketId: c.gid, toUserId: uidOf(manager.user.id), note: 'help' }, a.token);
    const q = `query ($id: ID!) { ticket(id: $id) { number timeline { edges { node { kind visibility } } } } }`;
    const mine = await t.gql<{ ticket: { timeline: { edges: { node: { kind: string; visibility: string } }[] } } }>(q, { id: c.gid }, cust.token);
    expect(mine.data?.ticket.timeline.edges.map((e) => e.node.kind)).toEqual(['CREATED', 'GRABBED']);
    const theirs = await t.gql<{ ticket: unknown }>(q, { id: c.gid }, other.token);
    expect(theirs.data?.ticket).toBeNull();
    const internal = await t.gql<{ ticket: { timeline: { edges: unknown[] } } }>(q, { id: c.gid }, a.token);
    expect(internal.data?.ticket.timeline.edges).toHaveLength(3);
    // Malformed and foreign ids are simply not found.
    const bad = await t.gql<{ ticket: unknown }>(q, { id: globalId('Ticket', 'not-a-uuid') }, a.token);
    expect(bad.data?.ticket).toBeNull();
  });
});
