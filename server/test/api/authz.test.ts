// The authorization matrix: every ticket command and queue, and the main settings
// mutations, for every kind of caller. Each table row is one operation, each column one
// caller; every cell is its own test, run on fresh state, so a failure names both.
//
// The rules the tables encode:
//  - no credential → UNAUTHENTICATED; a role or token scope that may never do this → FORBIDDEN
//    (GraphQL errors, `extensions.code`);
//  - a ticket the caller cannot see → NotFound, never NotAllowed (existence is not revealed);
//  - a ticket the caller can see, but the wrong relation to it (lifecycle.ts `who`) → NotAllowed;
//  - an ineligible agent as target (or grabber) → NotEligible;
//  - a read-only API token (TICKETS_READ, of a manager) reads like its user and writes nothing.
// Every refused cell also checks that nothing changed; every allowed one that something did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId, makeUser, uid } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate, rawId, uidOf } from '../support/tickets.ts';

const ROLES = [
  'anonymous', // no token
  'customer', // CUSTOMER, creator of the ticket
  'stranger', // another CUSTOMER
  'staff', // STAFF, not involved
  'eligibleAgent', // AGENT listed for the type, not the assignee
  'assignee', // AGENT listed for the type, the assignee (or the one the work is offered to)
  'ineligibleAgent', // AGENT not listed for the type
  'manager', // MANAGER
  'admin', // ADMIN
  'readOnlyToken', // API token with TICKETS_READ only, acting as a MANAGER
] as const;
type Role = (typeof ROLES)[number];

type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NotFound' | 'NotAllowed' | 'NotEligible' | 'InvalidTransition' | 'ValidationFailed';
const OK = 'ok';
const UNAUTH = 'UNAUTHENTICATED';
const FORBID = 'FORBIDDEN';
const NF = 'NotFound';
const NA = 'NotAllowed';
const NE = 'NotEligible';

/** One value per role, in the column order of ROLES. */
function row<T>(...values: T[]): Record<Role, T> {
  if (values.length !== ROLES.length) throw new Error(`a row needs ${ROLES.length} cells, got ${values.length}`);
  return Object.fromEntries(ROLES.map((r, i) => [r, values[i]])) as Record<Role, T>;
}

// ───────────────────────────────────────── the world ─────────────────────────────────────────

let t: TestApp;
const p = () => t.db.prisma;

interface Person {
  id: string;
  gid: string;
  token: string;
}
const who = {} as Record<Exclude<Role, 'anonymous'>, Person>;
const tokenOf = (role: Role) => (role === 'anonymous' ? undefined : who[role].token);

/** Helpers outside the matrix: a manager who dispatches fixtures, assist people. */
let dispatcher: Person;
let assistTarget: Person; // STAFF who receives assists and forwards
let teamMember: Person; // member of the assist team (not its manager)
let outsideStaff: Person; // STAFF outside the assist team
let assistTeamGid: string;
let otherContactGid: string;
let integration: { id: string };

interface TypeRef {
  id: string;
  gid: string;
}
/** GRAB + MANAGER, served by eligibleAgent and assignee; one field everyone concerned may edit. */
let typeT: TypeRef;
/** MANAGER dispatch with confirmation (二次确认), same agents. */
let typeOffer: TypeRef;
/** MANAGER dispatch only: not grabbed. */
let typeNoGrab: TypeRef;

const ref = (row: { id: string }): TypeRef => ({ id: row.id, gid: globalId('TicketType', row.id) });
async function person(role: 'CUSTOMER' | 'AGENT' | 'STAFF' | 'MANAGER' | 'ADMIN'): Promise<Person> {
  const a = await actor(p(), role);
  return { id: a.user.id, gid: uidOf(a.user.id), token: a.token };
}

beforeAll(async () => {
  t = await startTestApp();
  who.customer = await person('CUSTOMER');
  who.stranger = await person('CUSTOMER');
  who.staff = await person('STAFF');
  who.eligibleAgent = await person('AGENT');
  who.assignee = await person('AGENT');
  who.ineligibleAgent = await person('AGENT');
  who.manager = await person('MANAGER');
  who.admin = await person('ADMIN');
  dispatcher = await person('MANAGER');
  assistTarget = await person('STAFF');
  teamMember = await person('STAFF');
  outsideStaff = await person('STAFF');
  integration = await makeUser(p(), 'AGENT', { name: 'integration' });
  await p().contact.create({ data: { name: '客户', userId: who.customer.id } });
  await p().contact.create({ data: { name: '路人', userId: who.stranger.id } });
  otherContactGid = globalId('Contact', (await p().contact.create({ data: { name: '别人' } })).id);

  // The read-only integration token, made the way an admin makes one.
  const tokenUser = await makeUser(p(), 'MANAGER', { name: 'CRM read-only' });
  const r = await t.gql<{ createApiToken: { __typename: string; token?: string } }>(
    `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { __typename ... on CreateApiTokenPayload { token } } }`,
    { input: { name: `read-only-${uid()}`, userId: uidOf(tokenUser.id), scopes: ['TICKETS_READ'] } },
    who.admin.token,
  );
  expect(r.data?.createApiToken.__typename).toBe('CreateApiTokenPayload');
  who.readOnlyToken = { id: tokenUser.id, gid: uidOf(tokenUser.id), token: r.data!.createApiToken.token! };

  const team = await p().team.create({
    data: {
      name: `协助-${uid()}`,
      kind: 'ASSIST',
      assistRule: 'MANAGER',
      members: { create: [{ userId: assistTarget.id, isManager: true }, { userId: teamMember.id }] },
    },
  });
  assistTeamGid = globalId('Team', team.id);
  const agents = [who.eligibleAgent.id, who.assignee.id];
  typeT = ref(
    await makeType(p(), {
      modes: ['GRAB', 'MANAGER'],
      agentIds: agents,
      assistTeamIds: [team.id],
      autoCloseAfterSeconds: null,
      fields: [{ key: 'note', kind: 'TEXT', editableAfterSubmit: true, editableBy: ['CREATOR', 'ASSIGNEE', 'MANAGER'] }],
    }),
  );
  typeOffer = ref(await makeType(p(), { modes: ['MANAGER'], requireAcceptance: true, acceptTimeoutSeconds: 3600, agentIds: agents, autoCloseAfterSeconds: null }));
  typeNoGrab = ref(await makeType(p(), { modes: ['MANAGER'], agentIds: agents, autoCloseAfterSeconds: null }));
});
afterAll(() => t?.close());

// ───────────────────────────────────────── fixtures ─────────────────────────────────────────

interface Ticket {
  id: string;
  gid: string;
}

/** NEW, filed by the customer. */
async function fresh(type: TypeRef = typeT): Promise<Ticket> {
  const c = await createTicket(t, who.customer.token, type.id);
  expect(c.view.status).toBe('NEW');
  return c;
}

/** PROCESSING, grabbed by the assignee. */
async function processing(): Promise<Ticket> {
  const c = await fresh();
  const r = await mutate(t, 'grabTicket', { ticketId: c.gid }, who.assignee.token);
  expect(r.ticket?.status).toBe('PROCESSING');
  return c;
}

/** RESOLVED by the assignee. */
async function resolved(): Promise<Ticket> {
  const c = await processing();
  const r = await mutate(t, 'resolveTicket', { ticketId: c.gid, resolution: '已处理' }, who.assignee.token);
  expect(r.ticket?.status).toBe('RESOLVED');
  return c;
}

/** PENDING_ACCEPT: offered to the assignee. */
async function offered(): Promise<{ c: Ticket; offerId: string }> {
  const c = await fresh(typeOffer);
  const r = await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: who.assignee.gid }, dispatcher.token);
  expect(r.ticket?.status).toBe('PENDING_ACCEPT');
  const offer = await p().assignmentOffer.findFirstOrThrow({ where: { ticketId: c.id, status: 'PENDING' } });
  return { c, offerId: globalId('AssignmentOffer', offer.id) };
}

/** PROCESSING with a pending handover from the assignee to the eligible agent. */
async function handoverPending(): Promise<{ c: Ticket; handoverId: string }> {
  const c = await processing();
  const r = await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: who.eligibleAgent.gid, reason: '请你接手' }, who.assignee.token, 'handover { id }');
  expect(r.__typename).toBe('HandoverPayload');
  return { c, handoverId: (r.handover as { id: string }).id };
}

/** PROCESSING with an assist the assignee asked for: OPEN with the eligible agent, or POOLED in the assist team. */
async function assist(to: 'eligibleAgent' | 'team'): Promise<{ c: Ticket; assistId: string }> {
  const c = await processing();
  const target = to === 'team' ? { toTeamId: assistTeamGid } : { toUserId: who.eligibleAgent.gid };
  const r = await mutate(t, 'requestAssist', { ticketId: c.gid, note: '请协助', ...target }, who.assignee.token, 'assist { id status }');
  expect((r.assist as { status: string }).status).toBe(to === 'team' ? 'POOLED' : 'OPEN');
  return { c, assistId: (r.assist as { id: string }).id };
}

/** What a ticket command could change. Refused commands must leave all of it as it was. */
async function ticketState(id: string) {
  return p().ticket.findUniqueOrThrow({
    where: { id },
    select: {
      version: true,
      status: true,
      assigneeId: true,
      resolvedAt: true,
      closedAt: true,
      ratingInvitedAt: true,
      offers: { select: { id: true, status: true }, orderBy: { id: 'asc' } },
      handovers: { select: { id: true, status: true }, orderBy: { id: 'asc' } },
      assists: { select: { id: true, status: true, handlerId: true }, orderBy: { id: 'asc' } },
      fieldValues: { select: { fieldId: true, value: true }, orderBy: { fieldId: 'asc' } },
      rating: { select: { score: true } },
      _count: { select: { comments: true, events: true } },
    },
  });
}

// ───────────────────────────────────────── running a cell ─────────────────────────────────────────

interface Cell {
  mutation: string;
  input: Record<string, unknown>;
  /** Everything the mutation could change. */
  state(): Promise<unknown>;
  /** A ticket command: success bumps the version. */
  ticket?: boolean;
}

const onTicket = (mutation: string, c: Ticket, input: Record<string, unknown>): Cell => ({
  mutation,
  input,
  state: () => ticketState(c.id),
  ticket: true,
});

async function run(mutation: string, input: Record<string, unknown>, token: string | undefined): Promise<{ outcome: string; detail: string }> {
  const inputType = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input`;
  const r = await t.gql<{ r: { __typename: string; code?: string; message?: string } }>(
    `mutation ($input: ${inputType}!) { r: ${mutation}(input: $input) { __typename ... on Error { code message } } }`,
    { input },
    token,
  );
  if (r.errors?.length) {
    const e = r.errors[0]!;
    return { outcome: String(e.extensions?.code ?? 'GraphQLError'), detail: e.message };
  }
  const res = r.data!.r;
  // Union members that implement Error are the typed failures; anything else is the payload.
  return res.code ? { outcome: res.__typename, detail: res.message ?? '' } : { outcome: OK, detail: res.__typename };
}

// ───────────────────────────────────────── the mutation matrix ─────────────────────────────────────────

// Who plays which relation: the customer created every ticket; the assignee grabbed it (and is the
// agent offers go to, the requester of handovers and of assists); the eligible agent is the target
// of handovers and the handler of OPEN assists; POOLED assists wait in a team none of the roles
// manages (managers and admins may dispatch any team's pool).
// Columns: anonymous, customer, stranger, staff, eligibleAgent, assignee, ineligibleAgent, manager, admin, readOnlyToken.
const MATRIX = {
  //                                               anon    cust.   strgr.  staff   elig.   assig.  inelig. mgr     admin   token
  createTicket:                                row(UNAUTH, OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     FORBID),
  'createTicket for someone else\'s contact':  row(UNAUTH, NA,     NA,     OK,     OK,     OK,     OK,     OK,     OK,     FORBID),
  grabTicket:                                  row(UNAUTH, FORBID, FORBID, NF,     OK,     OK,     NF,     NE,     NE,     FORBID),
  'grabTicket, type without GRAB':             row(UNAUTH, FORBID, FORBID, NF,     NA,     NA,     NF,     NA,     NA,     FORBID),
  dispatchTicket:                              row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     OK,     FORBID),
  'dispatchTicket to an ineligible agent':     row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, NE,     NE,     FORBID),
  // The eligible agent sees the ticket, its offers and its `actions` ("only the agent the ticket
  // was offered to…"): refusing them is NotAllowed, as for managers; only outsiders get NotFound.
  acceptOffer:                                 row(UNAUTH, FORBID, FORBID, NF,     NA,     OK,     NF,     NA,     NA,     FORBID),
  declineOffer:                                row(UNAUTH, FORBID, FORBID, NF,     NA,     OK,     NF,     NA,     NA,     FORBID),
  requestHandover:                             row(UNAUTH, FORBID, FORBID, NF,     NA,     OK,     NF,     NA,     NA,     FORBID),
  'requestHandover to an ineligible agent':    row(UNAUTH, FORBID, FORBID, NF,     NA,     NE,     NF,     NA,     NA,     FORBID),
  acceptHandover:                              row(UNAUTH, FORBID, FORBID, NF,     OK,     NA,     NF,     NA,     NA,     FORBID),
  rejectHandover:                              row(UNAUTH, FORBID, FORBID, NF,     OK,     NA,     NF,     NA,     NA,     FORBID),
  cancelHandover:                              row(UNAUTH, FORBID, FORBID, NF,     NA,     OK,     NF,     NA,     NA,     FORBID),
  requestAssist:                               row(UNAUTH, FORBID, FORBID, NF,     NA,     OK,     NF,     NA,     NA,     FORBID),
  // Same for assists: the eligible agent sees `ticket.assists`, so NotAllowed rather than NotFound.
  dispatchAssist:                              row(UNAUTH, FORBID, FORBID, NF,     NA,     NA,     NF,     OK,     OK,     FORBID),
  'dispatchAssist to a non-member':            row(UNAUTH, FORBID, FORBID, NF,     NA,     NA,     NF,     NE,     NE,     FORBID),
  completeAssist:                              row(UNAUTH, FORBID, FORBID, NF,     OK,     NA,     NF,     NA,     NA,     FORBID),
  forwardAssist:                               row(UNAUTH, FORBID, FORBID, NF,     OK,     NA,     NF,     NA,     NA,     FORBID),
  'addComment PUBLIC':                         row(UNAUTH, OK,     NF,     NF,     OK,     OK,     NF,     OK,     OK,     FORBID),
  // A customer never writes internal notes. That answer depends only on the caller and the input
  // (the same for any ticket id), so it reveals nothing, and permission comes before state.
  'addComment INTERNAL':                       row(UNAUTH, NA,     NA,     NF,     OK,     OK,     NF,     OK,     OK,     FORBID),
  reassignTicket:                              row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     OK,     FORBID),
  'reassignTicket to an ineligible agent':     row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, NE,     NE,     FORBID),
  returnTicketToPool:                          row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     OK,     FORBID),
  setTicketStatus:                             row(UNAUTH, FORBID, FORBID, NF,     NA,     OK,     NF,     NA,     NA,     FORBID),
  resolveTicket:                               row(UNAUTH, FORBID, FORBID, NF,     NA,     OK,     NF,     NA,     NA,     FORBID),
  reopenTicket:                                row(UNAUTH, OK,     NF,     NF,     NA,     OK,     NF,     OK,     OK,     FORBID),
  closeTicket:                                 row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     OK,     FORBID),
  rateTicket:                                  row(UNAUTH, OK,     NF,     NF,     NA,     NA,     NF,     NA,     NA,     FORBID),
  inviteRating:                                row(UNAUTH, FORBID, FORBID, NF,     NA,     OK,     NF,     NA,     NA,     FORBID),
  // The field is editable by CREATOR, ASSIGNEE and MANAGER; anyone else who can see the ticket
  // lacks the lifecycle relation `fieldEditor` ("may edit at least one of the submitted fields").
  updateTicketFields:                          row(UNAUTH, OK,     NF,     NF,     NA,     OK,     NF,     OK,     OK,     FORBID),
  createTicketType:                            row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     OK,     FORBID),
  updateTicketTypeAssignment:                  row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     OK,     FORBID),
  createUser:                                  row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     OK,     FORBID),
  'createUser with role ADMIN':                row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, NA,     OK,     FORBID),
  createApiToken:                              row(UNAUTH, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, FORBID, OK,     FORBID),
  // Not a ticket command, but a write: the read-only token may not (its user could).
  setPresence:                                 row(UNAUTH, FORBID, FORBID, OK,     OK,     OK,     OK,     OK,     OK,     FORBID),
} satisfies Record<string, Record<Role, Outcome>>;
type Operation = keyof typeof MATRIX;

/** Fresh state for one cell of each row. */
const SETUP: Record<Operation, () => Promise<Cell>> = {
  createTicket: async () => {
    const title = `新工单 ${uid()}`;
    return {
      mutation: 'createTicket',
      input: { typeId: typeT.gid, title, replyMethod: 'IM' },
      state: async () => ({ tickets: await p().ticket.count({ where: { title } }) }),
    };
  },
  'createTicket for someone else\'s contact': async () => {
    const title = `代提工单 ${uid()}`;
    return {
      mutation: 'createTicket',
      input: { typeId: typeT.gid, title, replyMethod: 'IM', contactId: otherContactGid },
      state: async () => ({ tickets: await p().ticket.count({ where: { title } }) }),
    };
  },
  grabTicket: async () => {
    const c = await fresh();
    return onTicket('grabTicket', c, { ticketId: c.gid });
  },
  'grabTicket, type without GRAB': async () => {
    const c = await fresh(typeNoGrab);
    return onTicket('grabTicket', c, { ticketId: c.gid });
  },
  dispatchTicket: async () => {
    const c = await fresh();
    return onTicket('dispatchTicket', c, { ticketId: c.gid, agentId: who.eligibleAgent.gid });
  },
  'dispatchTicket to an ineligible agent': async () => {
    const c = await fresh();
    return onTicket('dispatchTicket', c, { ticketId: c.gid, agentId: who.ineligibleAgent.gid });
  },
  acceptOffer: async () => {
    const { c, offerId } = await offered();
    return onTicket('acceptOffer', c, { offerId });
  },
  declineOffer: async () => {
    const { c, offerId } = await offered();
    return onTicket('declineOffer', c, { offerId, note: '忙' });
  },
  requestHandover: async () => {
    const c = await processing();
    return onTicket('requestHandover', c, { ticketId: c.gid, toUserId: who.eligibleAgent.gid, reason: '请你接手' });
  },
  'requestHandover to an ineligible agent': async () => {
    const c = await processing();
    return onTicket('requestHandover', c, { ticketId: c.gid, toUserId: who.ineligibleAgent.gid, reason: '请你接手' });
  },
  acceptHandover: async () => {
    const { c, handoverId } = await handoverPending();
    return onTicket('acceptHandover', c, { handoverId });
  },
  rejectHandover: async () => {
    const { c, handoverId } = await handoverPending();
    return onTicket('rejectHandover', c, { handoverId, note: '没空' });
  },
  cancelHandover: async () => {
    const { c, handoverId } = await handoverPending();
    return onTicket('cancelHandover', c, { handoverId });
  },
  requestAssist: async () => {
    const c = await processing();
    return onTicket('requestAssist', c, { ticketId: c.gid, toUserId: assistTarget.gid, note: '请协助' });
  },
  dispatchAssist: async () => {
    const { c, assistId } = await assist('team');
    return onTicket('dispatchAssist', c, { assistId, toUserId: teamMember.gid });
  },
  'dispatchAssist to a non-member': async () => {
    const { c, assistId } = await assist('team');
    return onTicket('dispatchAssist', c, { assistId, toUserId: outsideStaff.gid });
  },
  completeAssist: async () => {
    const { c, assistId } = await assist('eligibleAgent');
    return onTicket('completeAssist', c, { assistId, reply: '已查明' });
  },
  forwardAssist: async () => {
    const { c, assistId } = await assist('eligibleAgent');
    return onTicket('forwardAssist', c, { assistId, toUserId: assistTarget.gid, note: '请你看看' });
  },
  'addComment PUBLIC': async () => {
    const c = await processing();
    return onTicket('addComment', c, { ticketId: c.gid, body: '您好', visibility: 'PUBLIC' });
  },
  'addComment INTERNAL': async () => {
    const c = await processing();
    return onTicket('addComment', c, { ticketId: c.gid, body: '内部备注', visibility: 'INTERNAL' });
  },
  reassignTicket: async () => {
    const c = await processing();
    return onTicket('reassignTicket', c, { ticketId: c.gid, agentId: who.eligibleAgent.gid, reason: '换人处理' });
  },
  'reassignTicket to an ineligible agent': async () => {
    const c = await processing();
    return onTicket('reassignTicket', c, { ticketId: c.gid, agentId: who.ineligibleAgent.gid, reason: '换人处理' });
  },
  returnTicketToPool: async () => {
    const c = await processing();
    return onTicket('returnTicketToPool', c, { ticketId: c.gid, reason: '重新分配' });
  },
  setTicketStatus: async () => {
    const c = await processing();
    return onTicket('setTicketStatus', c, { ticketId: c.gid, status: 'WAITING_CUSTOMER' });
  },
  resolveTicket: async () => {
    const c = await processing();
    return onTicket('resolveTicket', c, { ticketId: c.gid, resolution: '已解决' });
  },
  reopenTicket: async () => {
    const c = await resolved();
    return onTicket('reopenTicket', c, { ticketId: c.gid, reason: '还是不行' });
  },
  closeTicket: async () => {
    const c = await processing();
    return onTicket('closeTicket', c, { ticketId: c.gid, reason: '重复工单' });
  },
  rateTicket: async () => {
    const c = await resolved();
    return onTicket('rateTicket', c, { ticketId: c.gid, score: 5, comment: '很好' });
  },
  inviteRating: async () => {
    const c = await resolved();
    return onTicket('inviteRating', c, { ticketId: c.gid });
  },
  updateTicketFields: async () => {
    const c = await processing();
    return onTicket('updateTicketFields', c, { ticketId: c.gid, values: [{ key: 'note', value: `改 ${uid()}` }] });
  },
  createTicketType: async () => {
    const name = `新类型-${uid()}`;
    return { mutation: 'createTicketType', input: { name }, state: async () => ({ types: await p().ticketType.count({ where: { name } }) }) };
  },
  updateTicketTypeAssignment: async () => {
    const type = await makeType(p(), { modes: ['MANAGER'] });
    return {
      mutation: 'updateTicketTypeAssignment',
      input: { typeId: globalId('TicketType', type.id), assignment: { modes: ['GRAB'], eligibleAgentIds: [who.eligibleAgent.gid] } },
      state: () =>
        p().ticketType.findUniqueOrThrow({
          where: { id: type.id },
          select: { version: true, assignmentModes: true, eligibleAgents: { select: { userId: true } } },
        }),
    };
  },
  createUser: async () => {
    const email = `new-${uid()}@test.gongdan.dev`;
    return { mutation: 'createUser', input: { email, name: '新客服', role: 'AGENT' }, state: async () => ({ users: await p().user.count({ where: { email } }) }) };
  },
  'createUser with role ADMIN': async () => {
    const email = `boss-${uid()}@test.gongdan.dev`;
    return { mutation: 'createUser', input: { email, name: '新管理员', role: 'ADMIN' }, state: async () => ({ users: await p().user.count({ where: { email } }) }) };
  },
  createApiToken: async () => {
    const name = `token-${uid()}`;
    return {
      mutation: 'createApiToken',
      input: { name, userId: uidOf(integration.id), scopes: ['TICKETS_READ'] },
      state: async () => ({ tokens: await p().apiToken.count({ where: { name } }) }),
    };
  },
  setPresence: async () => ({
    mutation: 'setPresence',
    input: { presence: 'AWAY' },
    state: () => p().user.findMany({ where: { id: { in: Object.values(who).map((x) => x.id) } }, select: { id: true, presence: true, presenceChangedAt: true }, orderBy: { id: 'asc' } }),
  }),
};

describe('mutations', () => {
  for (const [operation, expectations] of Object.entries(MATRIX) as [Operation, Record<Role, Outcome>][]) {
    describe(operation, () => {
      it.each(ROLES.map((role) => [role, expectations[role]] as const))('%s → %s', async (role, expected) => {
        const cell = await SETUP[operation]();
        const before = await cell.state();
        const actual = await run(cell.mutation, cell.input, tokenOf(role));
        expect(actual.outcome, `${operation} as ${role}: ${actual.detail}`).toBe(expected);
        const after = await cell.state();
        if (expected === OK) {
          expect(after).not.toEqual(before);
          if (cell.ticket) expect((after as { version: number }).version).toBeGreaterThan((before as { version: number }).version);
        } else {
          expect(after, `${operation} as ${role} was refused but changed something`).toEqual(before);
        }
      });
    });
  }
});

// ───────────────────────────────────────── the query matrix ─────────────────────────────────────────

// Ten tickets of four types made for the queries alone (every list is filtered to those types):
//   qT: GRAB + MANAGER, served by eligibleAgent and assignee
//   qM: MANAGER with confirmation, same agents
//   qX: GRAB, served by ineligibleAgent only
//   qO: GRAB, nobody listed (so every agent serves it)
//   A  qT PROCESSING  by customer, assignee works it
//   B  qT NEW         by stranger
//   C  qX NEW         by a manager
//   D  qM NEW         by customer
//   E  qO NEW         by customer
//   F  qM PENDING_ACCEPT offered to assignee
//   G  qT PROCESSING  assignee, handover pending to eligibleAgent
//   H  qT PROCESSING  assignee, assist OPEN with eligibleAgent
//   I  qT PROCESSING  assignee, assist POOLED in a team staff manages
//   J  qT RESOLVED    by customer
const LABELS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'] as const;
type Label = (typeof LABELS)[number];
type ListOutcome = readonly Label[] | typeof UNAUTH | typeof FORBID;

const ALL: Label[] = [...LABELS];
const OPEN: Label[] = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'];
const AGENT_T: Label[] = ['A', 'B', 'D', 'E', 'F', 'G', 'H', 'I', 'J'];
const POOL: Label[] = ['B', 'C', 'D', 'E'];

// A list of labels: allowed, and exactly those fixture tickets are listed (and counted).
const LISTS: Record<string, Record<Role, ListOutcome>> = {
  //                            anon    cust.                 strgr.  staff   elig.       assig.                inelig.     mgr   admin  token
  tickets:     row<ListOutcome>(UNAUTH, ['A', 'D', 'E', 'J'], ['B'],  ['I'],  AGENT_T,    AGENT_T,              ['C', 'E'], ALL,  ALL,   ALL),
  // The pool is an agents' work queue like myOffers/myTickets: nothing a customer can grab.
  pool:        row<ListOutcome>(UNAUTH, FORBID,               FORBID, [],     ['B', 'E'], ['B', 'E'],           ['C', 'E'], POOL, POOL,  POOL),
  myOffers:    row<ListOutcome>(UNAUTH, FORBID,               FORBID, [],     ['G'],      ['F'],                [],         [],   [],    []),
  myTickets:   row<ListOutcome>(UNAUTH, FORBID,               FORBID, [],     ['H'],      ['A', 'G', 'H', 'I'], [],         [],   [],    []),
  // Team managers see their teams' pools; managers oversee every team's.
  assistPool:  row<ListOutcome>(UNAUTH, FORBID,               FORBID, ['I'],  [],         [],                   [],         ['I'], ['I'], ['I']),
  openTickets: row<ListOutcome>(UNAUTH, FORBID,               FORBID, FORBID, FORBID,     FORBID,               FORBID,     OPEN, OPEN,  OPEN),
};

// ticket(id) of ticket A: NotFound means `null`, as for a ticket that does not exist.
//                                anon    cust.   strgr.  staff   elig.   assig.  inelig. mgr     admin   token
const TICKET_BY_ID = row<Outcome>(UNAUTH, OK,     NF,     NF,     OK,     OK,     NF,     OK,     OK,     OK);

describe('queries', () => {
  const ids = {} as Record<Label, string>;
  let typeIds: string[];

  beforeAll(async () => {
    const agents = [who.eligibleAgent.id, who.assignee.id];
    const team = await p().team.create({
      data: { name: `查询协助-${uid()}`, kind: 'ASSIST', assistRule: 'MANAGER', members: { create: [{ userId: who.staff.id, isManager: true }, { userId: teamMember.id }] } },
    });
    const qT = ref(await makeType(p(), { modes: ['GRAB', 'MANAGER'], agentIds: agents, autoCloseAfterSeconds: null }));
    const qM = ref(await makeType(p(), { modes: ['MANAGER'], requireAcceptance: true, acceptTimeoutSeconds: 3600, agentIds: agents, autoCloseAfterSeconds: null }));
    const qX = ref(await makeType(p(), { modes: ['GRAB'], agentIds: [who.ineligibleAgent.id], autoCloseAfterSeconds: null }));
    const qO = ref(await makeType(p(), { modes: ['GRAB'], autoCloseAfterSeconds: null }));
    typeIds = [qT.gid, qM.gid, qX.gid, qO.gid];

    const make = async (label: Label, by: Person, type: TypeRef) => {
      const c = await createTicket(t, by.token, type.id, { title: `查询 ${label} ${uid()}` });
      ids[label] = c.gid;
      return c;
    };
    const grab = async (c: Ticket) => expect((await mutate(t, 'grabTicket', { ticketId: c.gid }, who.assignee.token)).ticket?.status).toBe('PROCESSING');

    await grab(await make('A', who.customer, qT));
    await make('B', who.stranger, qT);
    await make('C', dispatcher, qX);
    await make('D', who.customer, qM);
    await make('E', who.customer, qO);
    const f = await make('F', dispatcher, qM);
    expect((await mutate(t, 'dispatchTicket', { ticketId: f.gid, agentId: who.assignee.gid }, dispatcher.token)).ticket?.status).toBe('PENDING_ACCEPT');
    const g = await make('G', dispatcher, qT);
    await grab(g);
    expect((await mutate(t, 'requestHandover', { ticketId: g.gid, toUserId: who.eligibleAgent.gid, reason: '接手' }, who.assignee.token)).__typename).toBe('HandoverPayload');
    const h = await make('H', dispatcher, qT);
    await grab(h);
    expect((await mutate(t, 'requestAssist', { ticketId: h.gid, toUserId: who.eligibleAgent.gid, note: '帮忙' }, who.assignee.token)).__typename).toBe('AssistPayload');
    const i = await make('I', dispatcher, qT);
    await grab(i);
    const pooled = await mutate(t, 'requestAssist', { ticketId: i.gid, toTeamId: globalId('Team', team.id), note: '帮忙' }, who.assignee.token, 'assist { status }');
    expect((pooled.assist as { status: string }).status).toBe('POOLED');
    const j = await make('J', who.customer, qT);
    await grab(j);
    expect((await mutate(t, 'resolveTicket', { ticketId: j.gid, resolution: '好了' }, who.assignee.token)).ticket?.status).toBe('RESOLVED');
  });

  const labelOf = (gid: string) => LABELS.find((l) => ids[l] === gid) ?? `unknown ${rawId(gid)}`;

  // Why a visible-but-unrelated agent should hear NotAllowed, not NotFound, about offers and
  // assists: the ticket shows them those records, and `actions` already says "not allowed".
  it('an eligible agent sees the pending offer and the pooled assist of tickets of their type', async () => {
    const r = await t.gql<{
      f: { pendingOffer: { id: string } | null; actions: { command: string; allowed: boolean; reason: string | null }[] };
      i: { assists: { status: string }[] };
    }>(
      `query ($f: ID!, $i: ID!) { f: ticket(id: $f) { pendingOffer { id } actions { command allowed reason } } i: ticket(id: $i) { assists { status } } }`,
      { f: ids.F, i: ids.I },
      who.eligibleAgent.token,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.f.pendingOffer?.id).toBeTruthy();
    expect(r.data?.f.actions.find((a) => a.command === 'ACCEPT_OFFER')).toMatchObject({ allowed: false, reason: expect.stringContaining('offered') });
    expect(r.data?.i.assists.map((a) => a.status)).toEqual(['POOLED']);
  });

  describe('ticket(id)', () => {
    it.each(ROLES.map((role) => [role, TICKET_BY_ID[role]] as const))('%s → %s', async (role, expected) => {
      const r = await t.gql<{ ticket: { id: string } | null }>(`query ($id: ID!) { ticket(id: $id) { id title } }`, { id: ids.A }, tokenOf(role));
      const outcome = r.errors?.length ? String(r.errors[0]!.extensions?.code) : r.data?.ticket ? OK : NF;
      expect(outcome, JSON.stringify(r.errors ?? r.data)).toBe(expected);
      if (outcome === OK) expect(r.data?.ticket?.id).toBe(ids.A);
    });
  });

  for (const [field, expectations] of Object.entries(LISTS)) {
    describe(field, () => {
      it.each(ROLES.map((role) => [role, expectations[role]] as const))('%s → %j', async (role, expected) => {
        const r = await t.gql<{ r: { totalCount: number; edges: { node: { id: string } }[] } }>(
          `query ($f: TicketFilter) { r: ${field}(filter: $f, first: 200) { totalCount edges { node { id } } } }`,
          { f: { typeIds } },
          tokenOf(role),
        );
        if (typeof expected === 'string') {
          const got = r.errors ?? `ok, listing [${r.data?.r?.edges.map((e) => labelOf(e.node.id)).join(', ')}]`;
          expect(r.errors?.[0]?.extensions?.code, `${field} as ${role}: ${JSON.stringify(got)}`).toBe(expected);
          expect(r.data?.r ?? null).toBeNull();
          return;
        }
        expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
        const seen = r.data!.r.edges.map((e) => labelOf(e.node.id)).sort();
        expect(seen, `${field} as ${role}`).toEqual([...expected].sort());
        expect(r.data!.r.totalCount).toBe(expected.length);
      });
    });
  }
});
