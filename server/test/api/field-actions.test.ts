// Ticket.actions tells whether the viewer may edit custom fields (UPDATE_FIELDS): true
// when the template has a field editable after submit by one of the viewer's roles on
// the ticket — the rule updateTicketFields enforces, for the form as a whole.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actor } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate } from '../support/tickets.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const ACTIONS = `query ($id: ID!) { ticket(id: $id) { actions { command allowed reason } } }`;
async function canEditFields(id: string, token: string) {
  const r = await t.gql<{ ticket: { actions: { command: string; allowed: boolean }[] } }>(ACTIONS, { id }, token);
  expect(r.errors).toBeUndefined();
  return r.data!.ticket.actions.find((a) => a.command === 'UPDATE_FIELDS')!.allowed;
}

it('follows the template: assignee and creator fields are editable by them, not by others', async () => {
  const p = t.db.prisma;
  const [customer, assignee, other, manager] = [await actor(p, 'CUSTOMER'), await actor(p, 'AGENT'), await actor(p, 'AGENT'), await actor(p, 'MANAGER')];
  const type = await makeType(p, {
    fields: [
      { key: 'verified', kind: 'CHECKBOX', customerVisible: false, editableAfterSubmit: true, editableBy: ['ASSIGNEE'] },
      { key: 'details', kind: 'LONG_TEXT', editableAfterSubmit: true, editableBy: ['CREATOR'] },
      { key: 'order_no', kind: 'ORDER_REF' },
    ],
  });
  const tk = await createTicket(t, customer.token, type.id);
  expect((await mutate(t, 'grabTicket', { ticketId: tk.gid }, assignee.token)).__typename).toBe('TicketPayload');

  expect(await canEditFields(tk.gid, assignee.token)).toBe(true);
  expect(await canEditFields(tk.gid, customer.token)).toBe(true);
  expect(await canEditFields(tk.gid, other.token)).toBe(false);
  expect(await canEditFields(tk.gid, manager.token)).toBe(false);

  // What actions promise, the mutation keeps.
  const edit = await mutate(t, 'updateTicketFields', { ticketId: tk.gid, values: [{ key: 'verified', value: true }] }, assignee.token);
  expect(edit.__typename).toBe('TicketPayload');

  // Closed tickets are not edited by anybody.
  expect((await mutate(t, 'closeTicket', { ticketId: tk.gid }, manager.token)).__typename).toBe('TicketPayload');
  expect(await canEditFields(tk.gid, assignee.token)).toBe(false);
});

it('is refused for everybody when no field is editable after submit, managers included when listed', async () => {
  const p = t.db.prisma;
  const [customer, assignee, manager] = [await actor(p, 'CUSTOMER'), await actor(p, 'AGENT'), await actor(p, 'MANAGER')];
  const fixed = await makeType(p, { fields: [{ key: 'order_no', kind: 'ORDER_REF' }] });
  const a = await createTicket(t, customer.token, fixed.id);
  await mutate(t, 'grabTicket', { ticketId: a.gid }, assignee.token);
  expect(await canEditFields(a.gid, assignee.token)).toBe(false);

  const managed = await makeType(p, { fields: [{ key: 'note', kind: 'TEXT', customerVisible: false, editableAfterSubmit: true, editableBy: ['MANAGER'] }] });
  const b = await createTicket(t, customer.token, managed.id);
  expect(await canEditFields(b.gid, manager.token)).toBe(true);
  expect(await canEditFields(b.gid, customer.token)).toBe(false);
});
