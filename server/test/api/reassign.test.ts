// Managers change who holds a ticket in progress (seed 000 §2.4, "管理员仍可通过移交变更指派")
// or send it back to the pool, with a reason: through the API, with typed failures, the
// timeline, notifications and live queue events for everyone it concerns.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, eventKinds, makeType, mutate, rawId, uidOf } from '../support/tickets.ts';
import { collect, settle, wsClient, type Received } from '../support/ws.ts';

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
  subscription ($queues: [QueueName!]!) { queueEvents(queues: $queues) { reason ticketId changes { queue kind } ticket { status assignee { id } } } }
`;
type Ev = { queueEvents: { reason: string; ticketId: string; changes: { queue: string; kind: string }[]; ticket: { status: string; assignee: { id: string } | null } | null } };
type Watch = { r: Received<Ev>; dispose: () => void | Promise<void> };
function watch(token: string, queues: string[]): Watch {
  const client = wsClient(url, token);
  return { r: collect<Ev>(client, QUEUE_EVENTS, { queues }), dispose: () => client.dispose() };
}
async function seen(w: Watch, ticketId: string, reason: string): Promise<string[]> {
  const items = await w.r.until((xs) => xs.some((x) => x.queueEvents.ticketId === ticketId && x.queueEvents.reason === reason));
  return items.find((x) => x.queueEvents.ticketId === ticketId && x.queueEvents.reason === reason)!.queueEvents.changes.map((c) => `${c.queue} ${c.kind}`);
}

type Action = { command: string; allowed: boolean; reason: string | null };
async function actions(ticketId: string, token: string): Promise<Record<string, Action>> {
  const r = await t.gql<{ ticket: { actions: Action[] } }>('query ($id: ID!) { ticket(id: $id) { actions { command allowed reason } } }', { id: ticketId }, token);
  expect(r.errors).toBeUndefined();
  return Object.fromEntries(r.data!.ticket.actions.map((a) => [a.command, a]));
}

/** A GRAB type served by three agents; agent a works a new ticket of it. */
async function inProgress() {
  const [a, b, c] = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT'), actor(p(), 'AGENT')]);
  const type = await makeType(p(), { modes: ['GRAB', 'MANAGER'], agentIds: [a.user.id, b.user.id, c.user.id] });
  const tk = await createTicket(t, manager.token, type.id);
  expect((await mutate(t, 'grabTicket', { ticketId: tk.gid }, a.token)).__typename).toBe('TicketPayload');
  return { a, b, c, type, tk };
}

describe('reassignTicket', () => {
  it('moves a ticket in progress to another eligible agent: the status stays, the previous assignee becomes a read-only sharer, both hear of it live', async () => {
    const { a, b, c, tk } = await inProgress();
    await mutate(t, 'setTicketStatus', { ticketId: tk.gid, status: 'WAITING_CUSTOMER' }, a.token);
    // A handover a asked for meanwhile makes no sense once the ticket is not a's.
    const h = await mutate(t, 'requestHandover', { ticketId: tk.gid, toUserId: uidOf(c.user.id), reason: '换班' }, a.token, 'handover { id }');
    const wa = watch(a.token, ['MY_TICKETS']);
    const wb = watch(b.token, ['MY_TICKETS']);
    const wc = watch(c.token, ['MY_OFFERS']);
    const wm = watch(manager.token, ['OPEN']);
    await settle(t);

    const before = (await p().ticket.findUniqueOrThrow({ where: { id: tk.id } })).version;
    const r = await mutate(t, 'reassignTicket', { ticketId: tk.gid, agentId: uidOf(b.user.id), reason: '客户要求换人', expectedVersion: before }, manager.token);
    expect(r.ticket).toMatchObject({ status: 'WAITING_CUSTOMER', assignee: { id: uidOf(b.user.id) }, sharers: [{ id: uidOf(a.user.id) }], version: before + 1 });
    expect(r.ticket!.acceptedAt).not.toBeNull();

    expect(await seen(wa, tk.gid, 'REASSIGNED')).toEqual(['MY_TICKETS LEFT']);
    expect(await seen(wb, tk.gid, 'REASSIGNED')).toEqual(['MY_TICKETS ENTERED']);
    expect(await seen(wc, tk.gid, 'REASSIGNED')).toEqual(['MY_OFFERS LEFT']);
    expect(await seen(wm, tk.gid, 'REASSIGNED')).toEqual(['OPEN UPDATED']);

    const ev = await p().timelineEvent.findFirstOrThrow({ where: { ticketId: tk.id, kind: 'REASSIGNED' } });
    expect(ev).toMatchObject({ actorId: manager.user.id, visibility: 'INTERNAL', data: { fromId: a.user.id, toId: b.user.id, reason: '客户要求换人' } });
    expect((await p().handoverRequest.findUniqueOrThrow({ where: { id: rawId((h.handover as { id: string }).id) } })).status).toBe('CANCELLED');
    const notes = await p().notification.findMany({ where: { ticketId: tk.id, kind: { in: ['REASSIGNED', 'ASSIGNED', 'HANDOVER_CANCELLED'] } }, select: { userId: true, kind: true } });
    expect(notes).toEqual(expect.arrayContaining([{ userId: a.user.id, kind: 'REASSIGNED' }, { userId: b.user.id, kind: 'ASSIGNED' }, { userId: c.user.id, kind: 'HANDOVER_CANCELLED' }]));

    // The previous assignee only views it now; the new one works it.
    expect(await mutate(t, 'addComment', { ticketId: tk.gid, body: '我再回复一下', visibility: 'PUBLIC' }, a.token)).toMatchObject({ __typename: 'NotAllowed' });
    expect((await mutate(t, 'setTicketStatus', { ticketId: tk.gid, status: 'PROCESSING' }, b.token)).__typename).toBe('TicketPayload');
    for (const w of [wa, wb, wc, wm]) expect(w.r.errors).toEqual([]);
    await Promise.all([wa, wb, wc, wm].map(async (w) => w.dispose()));
  });

  it('reassigning to a sharer makes them the assignee, not a sharer of their own ticket', async () => {
    const { a, b, tk } = await inProgress();
    await mutate(t, 'reassignTicket', { ticketId: tk.gid, agentId: uidOf(b.user.id), reason: '先给 b' }, manager.token);
    const back = await mutate(t, 'reassignTicket', { ticketId: tk.gid, agentId: uidOf(a.user.id), reason: '还是 a' }, manager.token);
    expect(back.ticket).toMatchObject({ assignee: { id: uidOf(a.user.id) }, sharers: [{ id: uidOf(b.user.id) }] });
    expect((await mutate(t, 'addComment', { ticketId: tk.gid, body: '我回来了', visibility: 'PUBLIC' }, a.token)).__typename).toBe('AddCommentPayload');
  });

  it('typed failures change nothing: no reason, an ineligible or the same agent, a ticket not in progress, a stale version; others may not', async () => {
    const { a, b, type, tk } = await inProgress();
    const outsider = await actor(p(), 'AGENT');
    const snapshot = () => p().ticket.findUniqueOrThrow({ where: { id: tk.id }, select: { version: true, assigneeId: true, status: true, _count: { select: { events: true, sharers: true } } } });
    const before = await snapshot();
    const to = (id: string) => uidOf(id);
    expect(await mutate(t, 'reassignTicket', { ticketId: tk.gid, agentId: to(b.user.id), reason: '  ' }, manager.token)).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'reason' }] });
    expect(await mutate(t, 'reassignTicket', { ticketId: tk.gid, agentId: to(outsider.user.id), reason: '换人' }, manager.token)).toMatchObject({ __typename: 'NotEligible' });
    expect(await mutate(t, 'reassignTicket', { ticketId: tk.gid, agentId: to(a.user.id), reason: '换人' }, manager.token)).toMatchObject({ __typename: 'NotEligible' });
    expect(await mutate(t, 'reassignTicket', { ticketId: tk.gid, agentId: to(b.user.id), reason: '换人', expectedVersion: before.version - 1 }, manager.token)).toMatchObject({
      __typename: 'StaleWrite',
      currentVersion: before.version,
    });
    expect(await mutate(t, 'reassignTicket', { ticketId: globalId('Ticket', '01890000-0000-7000-8000-000000000000'), agentId: to(b.user.id), reason: '换人' }, manager.token)).toMatchObject({ __typename: 'NotFound' });
    // Agents (the assignee included) cannot: FORBIDDEN, like dispatching.
    const denied = await t.gql('mutation ($input: ReassignTicketInput!) { reassignTicket(input: $input) { __typename } }', { input: { ticketId: tk.gid, agentId: to(b.user.id), reason: '换人' } }, a.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);

    const pooled = await createTicket(t, manager.token, type.id);
    expect(await mutate(t, 'reassignTicket', { ticketId: pooled.gid, agentId: to(b.user.id), reason: '换人' }, manager.token)).toMatchObject({ __typename: 'InvalidTransition', from: 'NEW' });
  });
});

describe('returnTicketToPool', () => {
  it('sends a ticket in progress back to the pool: the assignee and assist handlers lose it, the pool gains it, all live; the reason is in the timeline', async () => {
    const { a, b, tk } = await inProgress();
    const staff = await actor(p(), 'STAFF');
    await mutate(t, 'requestAssist', { ticketId: tk.gid, toUserId: uidOf(staff.user.id), note: '请查日志' }, a.token);
    const wa = watch(a.token, ['MY_TICKETS']);
    const wb = watch(b.token, ['POOL']);
    const ws = watch(staff.token, ['MY_TICKETS']);
    await settle(t);

    const r = await mutate(t, 'returnTicketToPool', { ticketId: tk.gid, reason: '分错了类型，重新分配' }, manager.token);
    expect(r.ticket).toMatchObject({ status: 'NEW', assignee: null, acceptedAt: null, sharers: [{ id: uidOf(a.user.id) }] });
    expect(await seen(wa, tk.gid, 'RETURNED_TO_POOL')).toEqual(['MY_TICKETS LEFT']);
    expect(await seen(wb, tk.gid, 'RETURNED_TO_POOL')).toEqual(['POOL ENTERED']);
    expect(await seen(ws, tk.gid, 'RETURNED_TO_POOL')).toEqual(['MY_TICKETS LEFT']);

    expect(await eventKinds(p(), tk.id)).toEqual(['CREATED', 'GRABBED', 'ASSIST_REQUESTED', 'RETURNED_TO_POOL']);
    const ev = await p().timelineEvent.findFirstOrThrow({ where: { ticketId: tk.id, kind: 'RETURNED_TO_POOL' } });
    expect(ev).toMatchObject({ actorId: manager.user.id, data: { fromId: a.user.id, reason: '分错了类型，重新分配' } });
    expect(await p().assistRequest.findFirstOrThrow({ where: { ticketId: tk.id } })).toMatchObject({ status: 'CANCELLED' });
    const told = await p().notification.findMany({ where: { ticketId: tk.id, kind: 'RETURNED_TO_POOL' }, select: { userId: true } });
    expect(told.map((n) => n.userId).sort()).toEqual([a.user.id, staff.user.id].sort());

    // From the pool it goes on as usual: b grabs it; a, the sharer, could too and would work it again.
    expect((await mutate(t, 'grabTicket', { ticketId: tk.gid }, b.token)).ticket).toMatchObject({ status: 'PROCESSING', assignee: { id: uidOf(b.user.id) } });
    await Promise.all([wa, wb, ws].map(async (w) => w.dispose()));
  });

  it('the previous assignee who grabs it again is its assignee, not a sharer', async () => {
    const { a, tk } = await inProgress();
    await mutate(t, 'returnTicketToPool', { ticketId: tk.gid, reason: '重新排队' }, manager.token);
    const again = await mutate(t, 'grabTicket', { ticketId: tk.gid }, a.token);
    expect(again.ticket).toMatchObject({ assignee: { id: uidOf(a.user.id) }, sharers: [] });
    expect((await mutate(t, 'addComment', { ticketId: tk.gid, body: '继续跟进', visibility: 'PUBLIC' }, a.token)).__typename).toBe('AddCommentPayload');
  });

  it('typed failures: no reason, a ticket already in the pool, a stale version; agents may not', async () => {
    const { a, tk } = await inProgress();
    expect(await mutate(t, 'returnTicketToPool', { ticketId: tk.gid, reason: '' }, manager.token)).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'reason' }] });
    expect(await mutate(t, 'returnTicketToPool', { ticketId: tk.gid, reason: '退回', expectedVersion: 1 }, manager.token)).toMatchObject({ __typename: 'StaleWrite' });
    const denied = await t.gql('mutation ($input: ReturnTicketToPoolInput!) { returnTicketToPool(input: $input) { __typename } }', { input: { ticketId: tk.gid, reason: '退回' } }, a.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await mutate(t, 'returnTicketToPool', { ticketId: tk.gid, reason: '退回' }, manager.token)).__typename).toBe('TicketPayload');
    expect(await mutate(t, 'returnTicketToPool', { ticketId: tk.gid, reason: '再退一次' }, manager.token)).toMatchObject({ __typename: 'InvalidTransition', from: 'NEW' });
  });
});

describe('Ticket.actions', () => {
  it('offers both to managers for a ticket in progress, and says why not to others', async () => {
    const { a, tk } = await inProgress();
    const m = await actions(tk.gid, manager.token);
    expect(m.REASSIGN).toEqual({ command: 'REASSIGN', allowed: true, reason: null });
    expect(m.RETURN_TO_POOL).toEqual({ command: 'RETURN_TO_POOL', allowed: true, reason: null });
    const mine = await actions(tk.gid, a.token);
    expect(mine.REASSIGN).toEqual({ command: 'REASSIGN', allowed: false, reason: 'Only a manager can reassign' });
    expect(mine.RETURN_TO_POOL).toMatchObject({ allowed: false, reason: 'Only a manager can return to pool' });
    await mutate(t, 'returnTicketToPool', { ticketId: tk.gid, reason: '退回' }, manager.token);
    expect((await actions(tk.gid, manager.token)).REASSIGN).toEqual({ command: 'REASSIGN', allowed: false, reason: 'reassign is not possible while the ticket is NEW' });
  });
});
