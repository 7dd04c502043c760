// Queue events say why a ticket moved, to each watcher: the agent who lost an offer hears
// OFFER_DECLINED or OFFER_EXPIRED, the next candidate OFFERED, the pool RETURNED_TO_POOL —
// also when one transaction does all of it (an offer ends and routing goes on).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId } from '../support/builders.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, eventKinds, makeType, mutate, uidOf } from '../support/tickets.ts';
import { collect, settle, wsClient, type Received } from '../support/ws.ts';

let t: TestApp;
let url: string;
const clock = new FakeClock();
let manager: { user: { id: string }; token: string };
beforeAll(async () => {
  t = await startTestApp({ clock });
  url = await t.listen();
  manager = await actor(t.db.prisma, 'MANAGER');
});
afterAll(() => t.close());
// Each test starts once the server has ended the previous one's subscriptions (see settle).
afterEach(() => settle(t));
const p = () => t.db.prisma;

const QUEUE_EVENTS = /* GraphQL */ `
  subscription ($queues: [QueueName!]!) { queueEvents(queues: $queues) { seq reason ticketId changes { queue kind } } }
`;
type Ev = { queueEvents: { seq: string; reason: string; ticketId: string; changes: { queue: string; kind: string }[] } };
type Watch = { r: Received<Ev>; dispose: () => void | Promise<void> };

function watch(token: string, queues: string[]): Watch {
  const client = wsClient(url, token);
  return { r: collect<Ev>(client, QUEUE_EVENTS, { queues }), dispose: () => client.dispose() };
}
/** This ticket's events as [reason, changes], once `pred` holds for them. */
async function seen(w: Watch, ticketId: string, pred: (xs: [string, string[]][]) => boolean): Promise<[string, string[]][]> {
  const mine = (xs: Ev[]) => xs.filter((x) => x.queueEvents.ticketId === ticketId).map((x) => [x.queueEvents.reason, x.queueEvents.changes.map((c) => `${c.queue} ${c.kind}`)] as [string, string[]]);
  return mine(await w.r.until((xs) => pred(mine(xs))));
}
const has = (reason: string) => (xs: [string, string[]][]) => xs.some(([r]) => r === reason);

async function offerTo(agentId: string, agentToken: string) {
  const type = await makeType(p(), { modes: ['MANAGER'], acceptAfterManagerDispatch: true, acceptTimeoutSeconds: 60, agentIds: [agentId] });
  const c = await createTicket(t, manager.token, type.id);
  const r = await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(agentId) }, manager.token);
  expect(r.ticket?.status).toBe('PENDING_ACCEPT');
  const offer = await p().assignmentOffer.findFirstOrThrow({ where: { ticketId: c.id, status: 'PENDING' } });
  return { c, offerId: globalId('AssignmentOffer', offer.id), agentToken };
}

describe('a manager\'s offer that ends', () => {
  it('declined: the agent hears OFFER_DECLINED, the pool RETURNED_TO_POOL', async () => {
    const agent = await actor(p(), 'AGENT');
    const { c, offerId } = await offerTo(agent.user.id, agent.token);
    const a = watch(agent.token, ['MY_OFFERS']);
    const m = watch(manager.token, ['POOL']);
    await settle(t);
    await mutate(t, 'declineOffer', { offerId, note: '今天满了' }, agent.token);
    expect(await seen(a, c.gid, (xs) => xs.length > 0)).toEqual([['OFFER_DECLINED', ['MY_OFFERS LEFT']]]);
    expect(await seen(m, c.gid, has('RETURNED_TO_POOL'))).toEqual([['RETURNED_TO_POOL', ['POOL ENTERED']]]);
    await Promise.all([a.dispose(), m.dispose()]);
  });

  it('expired: the agent hears OFFER_EXPIRED', async () => {
    const agent = await actor(p(), 'AGENT');
    const { c } = await offerTo(agent.user.id, agent.token);
    const a = watch(agent.token, ['MY_OFFERS']);
    await settle(t);
    clock.advance(61_000);
    await t.app.jobs.runDue();
    expect(await seen(a, c.gid, (xs) => xs.length > 0)).toEqual([['OFFER_EXPIRED', ['MY_OFFERS LEFT']]]);
    await a.dispose();
  });
});

describe('auto dispatch with confirmation', () => {
  it('the agent who let it expire hears OFFER_EXPIRED, the next one OFFERED; after the last one the pool hears RETURNED_TO_POOL and the managers are told', async () => {
    const [first, second] = await Promise.all([actor(p(), 'AGENT', { lastAssignedAt: new Date(0) }), actor(p(), 'AGENT', { lastAssignedAt: new Date(1000) })]);
    const type = await makeType(p(), { modes: ['AUTO'], acceptAfterAutoDispatch: true, acceptTimeoutSeconds: 60, agentIds: [first.user.id, second.user.id] });
    const w1 = watch(first.token, ['MY_OFFERS']);
    const w2 = watch(second.token, ['MY_OFFERS']);
    const m = watch(manager.token, ['POOL', 'OPEN']);
    await settle(t);
    const c = await createTicket(t, manager.token, type.id);
    expect(c.view.status).toBe('PENDING_ACCEPT');

    clock.advance(61_000);
    await t.app.jobs.runDue();
    expect(await seen(w1, c.gid, has('OFFER_EXPIRED'))).toEqual([
      ['OFFERED', ['MY_OFFERS ENTERED']],
      ['OFFER_EXPIRED', ['MY_OFFERS LEFT']],
    ]);
    expect(await seen(w2, c.gid, (xs) => xs.length > 0)).toEqual([['OFFERED', ['MY_OFFERS ENTERED']]]);

    // The second one declines: nobody is left, and the ticket waits in the pool.
    const offer = await p().assignmentOffer.findFirstOrThrow({ where: { ticketId: c.id, status: 'PENDING' } });
    await mutate(t, 'declineOffer', { offerId: globalId('AssignmentOffer', offer.id) }, second.token);
    expect(await seen(w2, c.gid, has('OFFER_DECLINED'))).toEqual([
      ['OFFERED', ['MY_OFFERS ENTERED']],
      ['OFFER_DECLINED', ['MY_OFFERS LEFT']],
    ]);
    // The pool never saw it during the hand-on from the first agent to the second.
    expect(await seen(m, c.gid, has('RETURNED_TO_POOL'))).toEqual([
      ['OFFERED', ['OPEN ENTERED']],
      ['OFFERED', ['OPEN UPDATED']],
      ['RETURNED_TO_POOL', ['POOL ENTERED', 'OPEN UPDATED']],
    ]);
    expect(await eventKinds(p(), c.id)).toEqual(['CREATED', 'OFFERED', 'OFFER_EXPIRED', 'OFFERED', 'OFFER_DECLINED', 'RETURNED_TO_POOL']);
    const told = await p().notification.findMany({ where: { ticketId: c.id, kind: 'RETURNED_TO_POOL' }, select: { userId: true } });
    expect(told.map((n) => n.userId)).toContain(manager.user.id);
    await Promise.all([w1.dispose(), w2.dispose(), m.dispose()]);
  });
});
