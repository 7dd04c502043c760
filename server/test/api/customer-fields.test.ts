// Fields customers may not read answer null (or an empty list) for them, the same way for
// every such field, so a customer may run any selection — a board's fragment included —
// on their own ticket and get the ticket, never an error that nulls it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { actor, globalId, uid } from '../support/builders.ts';
import { root } from '../support/paths.ts';
import { chunked, fieldsOf } from '../support/selections.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate, uidOf } from '../support/tickets.ts';

let t: TestApp;
const p = () => t.db.prisma;
let customer: { user: { id: string }; token: string };
let ticketId: string;
beforeAll(async () => {
  t = await startTestApp();
  const [manager, a1, a2, staff] = await Promise.all([actor(p(), 'MANAGER'), actor(p(), 'AGENT'), actor(p(), 'AGENT'), actor(p(), 'STAFF')]);
  customer = await actor(p(), 'CUSTOMER');
  const org = await p().organization.create({ data: { name: `公司-${uid()}` } });
  const contact = await p().contact.create({ data: { name: '客户', userId: customer.user.id, organizationId: org.id } });
  // A ticket with something in every internal list: an offer in its past, a pending handover, an assist.
  const type = await makeType(p(), { modes: ['MANAGER'], acceptAfterManagerDispatch: true, agentIds: [a1.user.id, a2.user.id] });
  const c = await createTicket(t, customer.token, type.id, { contactId: globalId('Contact', contact.id) });
  await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(a1.user.id) }, manager.token);
  const offer = await p().assignmentOffer.findFirstOrThrow({ where: { ticketId: c.id } });
  await mutate(t, 'acceptOffer', { offerId: globalId('AssignmentOffer', offer.id) }, a1.token);
  await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(a2.user.id), reason: '换班' }, a1.token);
  await mutate(t, 'requestAssist', { ticketId: c.gid, toUserId: uidOf(staff.user.id), note: '帮查' }, a1.token);
  ticketId = c.gid;
});
afterAll(() => t.close());

describe('a customer reading their own ticket', () => {
  it('with the board\'s card fragment gets the ticket: offers, handovers, assists, organisation and contact empty, no error', async () => {
    const board = await readFile(path.join(root, 'web/src/features/board/graphql/board.graphql'), 'utf8');
    const fragments = board.match(/fragment BoardCard\w* on Ticket \{[\s\S]*?\n\}/g)!;
    expect(fragments.map((f) => f.split(' ')[1])).toEqual(['BoardCardBase', 'BoardCardOffers', 'BoardCardAssists', 'BoardCard']);
    const r = await t.gql<{ ticket: Record<string, unknown> | null }>(`query ($id: ID!) { ticket(id: $id) { ...BoardCard } } ${fragments.join('\n')}`, { id: ticketId }, customer.token);
    expect(r.errors).toBeUndefined();
    expect(r.data!.ticket).toMatchObject({ id: ticketId, status: 'PROCESSING', organization: null, contact: null, pendingOffer: null, handovers: [], assists: [] });
  });

  it('with every field of Ticket gets the ticket and no error; what customers may not read is null or empty', async () => {
    const docs = chunked(fieldsOf(schema.getType('Ticket')!, 2, new Set())).map((sel) => `query ($id: ID!) { ticket(id: $id) { ${sel} } }`);
    expect(docs.length).toBeGreaterThan(0);
    const ticket: Record<string, unknown> = {};
    for (const q of docs) {
      const r = await t.gql<{ ticket: Record<string, unknown> | null }>(q, { id: ticketId }, customer.token);
      expect({ q, errors: r.errors }).toEqual({ q, errors: undefined });
      expect(r.data!.ticket).not.toBeNull();
      Object.assign(ticket, r.data!.ticket);
    }
    expect(ticket).toMatchObject({ offers: [], handovers: [], assists: [], eligibleAgents: [], organization: null, contact: null, pendingOffer: null });
    // The people on it are there, without what only staff read about them.
    expect(ticket.assignee).toMatchObject({ name: expect.any(String), email: null, capacity: null, senior: null, presence: null, skills: [], teams: [], openTicketCount: null });
    expect(ticket.type).toMatchObject({ assignmentModes: [], acceptAfterAutoDispatch: null, eligibleAgents: [], assistTeams: [] });
  });
});
