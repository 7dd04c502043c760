// Read-only fields behind the board's pickers: who may take a ticket (dispatch and
// handover pickers) and how loaded each person is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, makeUser } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate, rawId, tid } from '../support/tickets.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const PICKER = /* GraphQL */ `
  query ($id: ID!) {
    ticket(id: $id) { eligibleAgents { id name role presence openTicketCount } }
  }
`;
type PickerData = { ticket: { eligibleAgents: { id: string; name: string; role: string; presence: string; openTicketCount: number }[] } | null };

describe('Ticket.eligibleAgents and User.openTicketCount', () => {
  it('lists the active agents listed on the type, with their open tickets and pending offers', async () => {
    const p = t.db.prisma;
    const manager = await actor(p, 'MANAGER');
    const [a, b] = [await actor(p, 'AGENT', { name: 'A 客服' }), await actor(p, 'AGENT', { name: 'B 客服' })];
    const inactive = await makeUser(p, 'AGENT', { active: false });
    const outsider = await makeUser(p, 'AGENT');
    const type = await makeType(p, { modes: ['GRAB', 'MANAGER'], agentIds: [a.user.id, b.user.id, inactive.id] });
    const offerType = await makeType(p, { modes: ['MANAGER'], requireAcceptance: true, agentIds: [a.user.id] });

    // a works two tickets and has one offer waiting; b has nothing.
    for (let i = 0; i < 2; i++) {
      const tk = await createTicket(t, manager.token, type.id);
      expect((await mutate(t, 'grabTicket', { ticketId: tk.gid }, a.token)).__typename).toBe('TicketPayload');
    }
    const offered = await createTicket(t, manager.token, offerType.id);
    expect((await mutate(t, 'dispatchTicket', { ticketId: offered.gid, agentId: Buffer.from(`User:${a.user.id}`).toString('base64') }, manager.token)).__typename).toBe('TicketPayload');

    const pooled = await createTicket(t, manager.token, type.id);
    const r = await t.gql<PickerData>(PICKER, { id: pooled.gid }, manager.token);
    expect(r.errors).toBeUndefined();
    const list = r.data!.ticket!.eligibleAgents;
    expect(list.map((u) => rawId(u.id))).toEqual([a.user.id, b.user.id]);
    expect(list.map((u) => u.openTicketCount)).toEqual([3, 0]);
    expect(list.some((u) => rawId(u.id) === inactive.id || rawId(u.id) === outsider.id)).toBe(false);
  });

  it('with nobody listed every active agent is eligible; a list of 40 costs a constant number of statements', async () => {
    const p = t.db.prisma;
    const manager = await actor(p, 'MANAGER');
    const type = await makeType(p, { modes: ['GRAB', 'MANAGER'] });
    const tk = await createTicket(t, manager.token, type.id);
    await t.gql<PickerData>(PICKER, { id: tk.gid }, manager.token);
    t.queries.length = 0;
    const before = await t.gql<PickerData>(PICKER, { id: tk.gid }, manager.token);
    const few = t.queries.length;
    const agents = await p.user.count({ where: { role: 'AGENT', active: true } });
    expect(before.data!.ticket!.eligibleAgents).toHaveLength(agents);
    await Promise.all(Array.from({ length: 40 }, () => makeUser(p, 'AGENT')));
    t.queries.length = 0;
    const after = await t.gql<PickerData>(PICKER, { id: tk.gid }, manager.token);
    expect(after.data!.ticket!.eligibleAgents).toHaveLength(agents + 40);
    expect(t.queries.length).toBe(few);
    // No STAFF, customers or managers when nobody is listed.
    expect(after.data!.ticket!.eligibleAgents.every((u) => u.role === 'AGENT')).toBe(true);
  });

  it('customers get neither: an empty list and no load', async () => {
    const p = t.db.prisma;
    const customer = await actor(p, 'CUSTOMER');
    const type = await makeType(p);
    const tk = await createTicket(t, customer.token, type.id);
    const r = await t.gql<PickerData & { me: { openTicketCount: number | null } }>(
      `query ($id: ID!) { ticket(id: $id) { eligibleAgents { id } } me { openTicketCount } }`,
      { id: tid(tk.id) },
      customer.token,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.ticket!.eligibleAgents).toEqual([]);
    expect(r.data!.me.openTicketCount).toBeNull();
  });
});
