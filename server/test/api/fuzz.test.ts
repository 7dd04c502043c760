// Malformed and hostile input at every mutation, generated from the schema: wrong types,
// missing and unknown fields, huge and odd Unicode strings, unknown ids, ids of other
// types and of another customer, malformed global ids, numbers out of range, empty and
// huge lists. Whatever comes in, the server must answer with a typed result or a GraphQL
// validation/auth error: never a 5xx, never a masked internal error, and a refused
// mutation must leave the database exactly as it was.
//
// The run is deterministic for a seed: FUZZ_SEED=<n> reproduces a failure (every failure
// message names its seed and case); FUZZ_SCALE=<n> tries more values per field.
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  getNamedType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLScalarType,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { TEST_PASSWORD, actor, globalId, makeUser, uid } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate } from '../support/tickets.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const SCALE = Math.max(1, Number(process.env.FUZZ_SCALE ?? 1));

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    sample: <T>(xs: readonly T[], n: number): T[] => {
      const copy = [...xs];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy.slice(0, n);
    },
  };
}

// ─────────────────────────────────────── hostile values ───────────────────────────────────────

const b64 = (s: string) => Buffer.from(s).toString('base64');
const UNKNOWN_UUID = '01890000-0000-7000-8000-000000000000';

const STRINGS: [string, string][] = [
  ['empty', ''],
  ['blank', ' \t '],
  ['huge', 'x'.repeat(300_000)],
  ['long-unicode', '工单'.repeat(30_000)],
  ['emoji', '🙂👩‍👩‍👧‍👦🏳️‍🌈'.repeat(400)],
  ['short-emoji', '🎫 ticket ✅'],
  ['rtl-override', 'abc\u202Eevil\u202Cdef'],
  ['rtl-arabic', 'مرحبا بالعالم שלום'],
  ['null-byte', 'a\u0000b'],
  ['only-null', '\u0000'],
  ['lone-surrogate', 'x\uD800y'],
  ['combining', 'Z\u0351\u0352\u0353\u0354\u0355'.repeat(200)],
  ['newlines', 'line1\r\nline2\nline3'],
  ['bom-zwj', '\uFEFF\u200D\u200B'],
  ['max-codepoint', '\u{10FFFF}\u{E0001}'],
  ['sql', '\'; DROP TABLE "Ticket"; --'],
  ['html', '<script>alert(1)</script>'],
  ['format', '%s%n%x{0}${process.env}'],
  ['path', '../../../../etc/passwd'],
  ['json-ish', '{"__proto__":{"polluted":true}}'],
  ['control', '\u0001\u0007\u001b[31m\u007f'],
  ['email-like', 'a@b.c'],
  ['numeric', '12345678901234567890'],
];

const INTS: [string, unknown][] = [
  ['negative', -1],
  ['zero', 0],
  ['int-max', 2147483647],
  ['int-min', -2147483648],
  ['above-int', 2147483648],
  ['huge', 1e308],
  ['fraction', 1.5],
  ['string', '5'],
];

const DATES: [string, unknown][] = [
  ['garbage', 'not a date'],
  ['zero-date', '0000-00-00T00:00:00Z'],
  ['far-future', '9999-12-31T23:59:59Z'],
  ['before-epoch', '1000-01-01T00:00:00Z'],
  ['impossible', '2026-02-30T25:61:00Z'],
  ['number', 1e20],
  ['past', '2000-01-01T00:00:00Z'],
];

function deepJson(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const JSONS: [string, unknown][] = [
  ['object', { nested: { x: 1 } }],
  ['deep', deepJson(500)],
  ['null-byte', { 'k\u0000': 'v\u0000' }],
  ['big-list', Array.from({ length: 5000 }, (_, i) => `o${i}`)],
  ['huge-string', 'y'.repeat(300_000)],
  ['big-number', 1e300],
  ['boolean', true],
  ['lone-surrogate', '\uDFFF'],
];

const WRONG_TYPES: [string, unknown][] = [
  ['number', 42],
  ['boolean', true],
  ['string', 'text'],
  ['object', { a: 1 }],
  ['list', ['a']],
  ['float', 1.25],
];

type Target =
  | 'Ticket'
  | 'TicketType'
  | 'User'
  | 'Team'
  | 'Organization'
  | 'Contact'
  | 'HandoverRequest'
  | 'AssignmentOffer'
  | 'AssistRequest'
  | 'Attachment'
  | 'Notification'
  | 'ApiToken';

/** What an ID input names, by field name; `id` by the input type. New fields must be added here. */
const ID_TARGETS: Record<string, Target> = {
  ticketId: 'Ticket',
  parentId: 'Ticket',
  typeId: 'TicketType',
  typeIds: 'TicketType',
  userId: 'User',
  toUserId: 'User',
  agentId: 'User',
  dedicatedAgentId: 'User',
  mentionUserIds: 'User',
  eligibleAgentIds: 'User',
  assigneeId: 'User',
  teamId: 'Team',
  toTeamId: 'Team',
  eligibleTeamIds: 'Team',
  assistTeamIds: 'Team',
  organizationId: 'Organization',
  contactId: 'Contact',
  handoverId: 'HandoverRequest',
  offerId: 'AssignmentOffer',
  assistId: 'AssistRequest',
  attachmentIds: 'Attachment',
  ids: 'Notification',
};
const ID_OF_INPUT: Record<string, Target> = {
  'Query.ticket': 'Ticket',
  'Query.ticketType': 'TicketType',
  'Query.user': 'User',
  'Query.organization': 'Organization',
  UpdateUserInput: 'User',
  UpdateTeamInput: 'Team',
  UpdateOrganizationInput: 'Organization',
  UpdateContactInput: 'Contact',
  UpdateTicketTypeInput: 'TicketType',
  RevokeApiTokenInput: 'ApiToken',
  UnlockUserInput: 'User',
};

function idTarget(inputType: string, field: string): Target {
  const target = field === 'id' ? ID_OF_INPUT[inputType] : ID_TARGETS[field];
  if (!target) throw new Error(`fuzz: add ${inputType}.${field} to ID_TARGETS`);
  return target;
}

// ───────────────────────────────────────── the world ─────────────────────────────────────────

let t: TestApp;
const p = () => t.db.prisma;

type Who = 'admin' | 'manager' | 'agentA' | 'agentB' | 'staff' | 'customer1' | 'customer2' | 'anonymous';
const tokens = {} as Record<Exclude<Who, 'anonymous'>, string>;
const users = {} as Record<Exclude<Who, 'anonymous'>, string>;
/** Current record of each kind to aim at (valid), and another customer's where that exists. */
const valid = {} as Record<Target, string>;
const foreign = {} as Partial<Record<Target, string>>;
let victimUser = '';
let settingsType = '';

/** Who runs each mutation by default: the caller most likely to get past authorization. */
const PRIMARY: Record<string, Who> = {
  createTicket: 'customer1',
  rateTicket: 'customer1',
  reopenTicket: 'customer1',
  grabTicket: 'agentB',
  acceptHandover: 'agentB',
  rejectHandover: 'agentB',
  acceptOffer: 'agentB',
  declineOffer: 'agentB',
  changePassword: 'agentB',
  setPresence: 'agentB',
  markNotificationsRead: 'agentB',
  dispatchTicket: 'manager',
  closeTicket: 'manager',
  reassignTicket: 'manager',
  returnTicketToPool: 'manager',
  setTicketStatus: 'agentA',
  resolveTicket: 'agentA',
  requestHandover: 'agentA',
  cancelHandover: 'agentA',
  requestAssist: 'agentA',
  inviteRating: 'agentA',
  addAttachment: 'agentA',
  addComment: 'agentA',
  updateTicketFields: 'agentA',
  completeAssist: 'staff',
  forwardAssist: 'staff',
  dispatchAssist: 'staff',
  login: 'anonymous',
};
const OTHERS: Who[] = ['customer2', 'agentA', 'anonymous', 'manager', 'staff'];
/** Mutations that change tickets: their fixtures are rebuilt after a success. */
const LIFECYCLE = new Set([
  'grabTicket', 'dispatchTicket', 'reassignTicket', 'returnTicketToPool', 'setTicketStatus', 'resolveTicket', 'reopenTicket', 'closeTicket', 'updateTicketFields',
  'requestHandover', 'acceptHandover', 'rejectHandover', 'cancelHandover', 'acceptOffer', 'declineOffer',
  'requestAssist', 'dispatchAssist', 'completeAssist', 'forwardAssist', 'rateTicket', 'inviteRating', 'addComment', 'addAttachment',
]);
/** Which ticket a mutation's `ticketId` names. */
const TICKET_FOR: Record<string, 'processing' | 'pool' | 'resolved'> = {
  grabTicket: 'pool',
  dispatchTicket: 'pool',
  rateTicket: 'resolved',
  reopenTicket: 'resolved',
};
const tickets = { processing: '', pool: '', resolved: '' };

let typeId = '';
let offerTypeId = '';
let assistTeam = '';

async function person(role: 'CUSTOMER' | 'AGENT' | 'STAFF' | 'MANAGER' | 'ADMIN') {
  const a = await actor(p(), role);
  return { id: a.user.id, token: a.token };
}

/** Tickets in the states the lifecycle mutations need, with a pending handover, assists and an offer. */
async function buildTicketFixtures() {
  const agentB = globalId('User', users.agentB);
  const processing = await createTicket(t, tokens.customer1, typeId, { fieldValues: [{ key: 'note', value: 'first' }] });
  expect((await mutate(t, 'grabTicket', { ticketId: processing.gid }, tokens.agentA)).__typename).toBe('TicketPayload');
  const h = await mutate(t, 'requestHandover', { ticketId: processing.gid, toUserId: agentB, reason: '请接手' }, tokens.agentA, 'handover { id }');
  expect(h.__typename).toBe('HandoverPayload');
  const open = await mutate(t, 'requestAssist', { ticketId: processing.gid, toUserId: globalId('User', users.staff), note: '请协助' }, tokens.agentA, 'assist { id }');
  const pooled = await mutate(t, 'requestAssist', { ticketId: processing.gid, toTeamId: assistTeam, note: '请协助' }, tokens.agentA, 'assist { id }');
  expect([open.__typename, pooled.__typename]).toEqual(['AssistPayload', 'AssistPayload']);
  const att = await t.gql<{ addAttachment: { attachment: { id: string } } }>(
    'mutation ($input: AddAttachmentInput!) { addAttachment(input: $input) { ... on AddAttachmentPayload { attachment { id } } } }',
    { input: { ticketId: processing.gid, fileName: 'a.txt', contentType: 'text/plain', size: 10 } },
    tokens.agentA,
  );
  const pool = await createTicket(t, tokens.customer1, typeId);
  const resolved = await createTicket(t, tokens.customer1, typeId);
  await mutate(t, 'grabTicket', { ticketId: resolved.gid }, tokens.agentA);
  expect((await mutate(t, 'resolveTicket', { ticketId: resolved.gid, resolution: '好了' }, tokens.agentA)).__typename).toBe('TicketPayload');
  const offered = await createTicket(t, tokens.manager, offerTypeId);
  expect((await mutate(t, 'dispatchTicket', { ticketId: offered.gid, agentId: agentB }, tokens.manager)).ticket?.status).toBe('PENDING_ACCEPT');
  const offer = await p().assignmentOffer.findFirstOrThrow({ where: { ticketId: offered.id, status: 'PENDING' } });
  const notification = await p().notification.findFirstOrThrow({ where: { userId: users.agentB }, orderBy: { createdAt: 'desc' } });

  tickets.processing = processing.gid;
  tickets.pool = pool.gid;
  tickets.resolved = resolved.gid;
  valid.HandoverRequest = (h.handover as { id: string }).id;
  // The OPEN assist is the staff member's to complete or forward; the pooled one to dispatch.
  valid.AssistRequest = (open.assist as { id: string }).id;
  pooledAssist = (pooled.assist as { id: string }).id;
  valid.Attachment = att.data!.addAttachment.attachment.id;
  valid.AssignmentOffer = globalId('AssignmentOffer', offer.id);
  valid.Notification = globalId('Notification', notification.id);
}
let pooledAssist = '';

beforeAll(async () => {
  // Thousands of requests a minute from one token: rate limiting would only get in the way.
  t = await startTestApp({ config: { RATE_LIMIT_ENABLED: false } });
  for (const [k, role] of [
    ['admin', 'ADMIN'],
    ['manager', 'MANAGER'],
    ['agentA', 'AGENT'],
    ['agentB', 'AGENT'],
    ['staff', 'STAFF'],
    ['customer1', 'CUSTOMER'],
    ['customer2', 'CUSTOMER'],
  ] as const) {
    const x = await person(role);
    tokens[k] = x.token;
    users[k] = x.id;
  }
  const org1 = await p().organization.create({ data: { name: `org-${uid()}` } });
  const org2 = await p().organization.create({ data: { name: `org-${uid()}` } });
  const c1 = await p().contact.create({ data: { name: '客户一', userId: users.customer1, organizationId: org1.id } });
  const c2 = await p().contact.create({ data: { name: '客户二', userId: users.customer2, organizationId: org2.id } });
  const team = await p().team.create({
    data: { name: `协助-${uid()}`, kind: 'ASSIST', assistRule: 'MANAGER', members: { create: [{ userId: users.staff, isManager: true }] } },
  });
  assistTeam = globalId('Team', team.id);
  const type = await makeType(p(), {
    modes: ['GRAB', 'MANAGER'],
    agentIds: [users.agentA, users.agentB],
    assistTeamIds: [team.id],
    autoCloseAfterSeconds: null,
    fields: [
      { key: 'note', kind: 'TEXT', editableAfterSubmit: true, editableBy: ['CREATOR', 'ASSIGNEE', 'MANAGER'] },
      { key: 'amount', kind: 'NUMBER', editableAfterSubmit: true, editableBy: ['ASSIGNEE'] },
      { key: 'tags', kind: 'MULTI_SELECT', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], editableAfterSubmit: true, editableBy: ['ASSIGNEE'] },
      { key: 'owner', kind: 'USER', customerVisible: false, editableAfterSubmit: true, editableBy: ['ASSIGNEE'] },
      { key: 'due', kind: 'DATE', editableAfterSubmit: true, editableBy: ['ASSIGNEE'] },
    ],
  });
  typeId = type.id;
  offerTypeId = (await makeType(p(), { modes: ['MANAGER'], requireAcceptance: true, acceptTimeoutSeconds: 3600, agentIds: [users.agentA, users.agentB], autoCloseAfterSeconds: null })).id;
  settingsType = globalId('TicketType', (await makeType(p(), { modes: ['GRAB'] })).id);
  victimUser = globalId('User', (await makeUser(p(), 'AGENT')).id);
  const foreignTicket = await createTicket(t, tokens.customer2, typeId);
  const apiToken = await t.gql<{ createApiToken: { apiToken: { id: string } } }>(
    'mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { ... on CreateApiTokenPayload { apiToken { id } } } }',
    { input: { name: `fuzz-${uid()}`, userId: globalId('User', users.agentA), scopes: ['TICKETS_READ'] } },
    tokens.admin,
  );

  valid.TicketType = globalId('TicketType', typeId);
  valid.User = globalId('User', users.agentB);
  valid.Team = assistTeam;
  valid.Organization = globalId('Organization', org1.id);
  valid.Contact = globalId('Contact', c1.id);
  valid.ApiToken = apiToken.data!.createApiToken.apiToken.id;
  foreign.Ticket = foreignTicket.gid;
  foreign.Contact = globalId('Contact', c2.id);
  foreign.Organization = globalId('Organization', org2.id);
  foreign.User = globalId('User', users.customer2);
  await buildTicketFixtures();
}, 120_000);
afterAll(() => t?.close());

/** The record a mutation's ID field should name when the input is valid. */
function validId(mutation: string, inputType: string, field: string): string {
  const target = idTarget(inputType, field);
  if (target === 'Ticket') return tickets[TICKET_FOR[mutation] ?? 'processing'];
  if (target === 'User' && mutation === 'updateUser') return victimUser;
  if (target === 'User' && (mutation === 'requestHandover' || mutation === 'dispatchTicket' || mutation === 'reassignTicket')) return valid.User;
  if (target === 'TicketType' && mutation !== 'createTicket') return settingsType;
  if (target === 'AssistRequest' && mutation === 'dispatchAssist') return pooledAssist;
  return valid[target];
}

// ───────────────────────────────────── inputs from the schema ─────────────────────────────────────

type Path = (string | number)[];

/** A plausible value for a type: enough to get past the GraphQL layer, not necessarily valid. */
function baseValue(mutation: string, type: GraphQLInputType, parent: string, field: string): unknown {
  if (type instanceof GraphQLNonNull) return baseValue(mutation, type.ofType, parent, field);
  if (type instanceof GraphQLList) return [baseValue(mutation, type.ofType, parent, field)];
  if (type instanceof GraphQLInputObjectType) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (f.type instanceof GraphQLNonNull) out[f.name] = baseValue(mutation, f.type, type.name, f.name);
    }
    if (type.name === 'FieldValueInput') return { key: 'note', value: 'fuzz' };
    if (type.name === 'FieldDefinitionInput') out.key = 'fuzz_field';
    return out;
  }
  if (type instanceof GraphQLEnumType) return type.getValues()[0]!.name;
  switch ((type as GraphQLScalarType).name) {
    case 'ID':
      return validId(mutation, parent, field);
    case 'String':
      if (field === 'email') return `fuzz-${uid()}@example.com`;
      if (field === 'currentPassword') return TEST_PASSWORD;
      if (field === 'password' || field === 'newPassword') return 'fuzz-password-1';
      if (field === 'phone') return '+86 10 1234 5678';
      return `fuzz ${field}`;
    case 'Int':
      if (field === 'score') return 5;
      if (field === 'size') return 100;
      if (field === 'acceptTimeoutSeconds') return 600;
      if (field === 'autoCloseAfterSeconds') return 3600;
      return 1;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return false;
    case 'DateTime':
      return '2030-01-01T00:00:00Z';
    case 'JSON':
      return 'fuzz';
    default:
      throw new Error(`fuzz: no base value for scalar ${(type as GraphQLScalarType).name}`);
  }
}

interface Case {
  label: string;
  input: unknown;
}

function setAt(root: unknown, path: Path, value: unknown, remove = false): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  path.slice(0, -1).forEach((k, i) => {
    if (cur[k] == null || typeof cur[k] !== 'object') cur[k] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[k] as Record<string | number, unknown>;
  });
  const last = path[path.length - 1]!;
  if (remove) delete cur[last];
  else cur[last] = value;
  return copy;
}

/** Hostile values for one position, sampled from the lists with the seeded generator. */
function hostile(rand: ReturnType<typeof prng>, mutation: string, type: GraphQLInputType, parent: string, field: string): [string, unknown][] {
  const out: [string, unknown][] = [['null', null]];
  const n = (k: number) => Math.min(k * SCALE, 1000);
  const named = getNamedType(type);
  const isList = (type instanceof GraphQLNonNull ? type.ofType : type) instanceof GraphQLList;
  out.push(...rand.sample(WRONG_TYPES, n(2)).map(([l, v]): [string, unknown] => [`wrong-type:${l}`, v]));
  if (isList) {
    const el = baseValue(mutation, (type instanceof GraphQLNonNull ? type.ofType : type) as GraphQLList<GraphQLInputType>, parent, field) as unknown[];
    out.push(['empty-list', []], ['list-of-null', [null]], ['huge-list', Array.from({ length: 5000 }, () => el[0])]);
    out.push(['list-duplicates', [el[0], el[0], el[0]]]);
  }
  const wrap = (v: unknown) => (isList ? [v] : v);
  if (named instanceof GraphQLInputObjectType) {
    out.push(['empty-object', wrap({})], ['unknown-field', wrap({ ...(baseValue(mutation, named, parent, field) as object), bogus: 1 })]);
    return out;
  }
  if (named instanceof GraphQLEnumType) {
    const first = named.getValues()[0]!.name;
    out.push(['unknown-enum', wrap('NOT_A_VALUE')], ['lowercase-enum', wrap(first.toLowerCase())], ['empty-enum', wrap('')]);
    return out;
  }
  switch (named.name) {
    case 'String':
      out.push(...rand.sample(STRINGS, n(6)).map(([l, v]): [string, unknown] => [`string:${l}`, wrap(v)]));
      break;
    case 'ID': {
      const target = idTarget(parent, field);
      const other: Target = target === 'User' ? 'Ticket' : 'User';
      const uuidOf = (gid: string) => Buffer.from(gid, 'base64').toString().split(':')[1]!;
      const ids: [string, unknown][] = [
        ['unknown-id', globalId(target, UNKNOWN_UUID)],
        ['other-type-id', valid[other] ?? globalId(other, UNKNOWN_UUID)],
        ['other-type-same-uuid', globalId(other, uuidOf(validId(mutation, parent, field)))],
        ['not-base64', '!!not*base64!!'],
        ['empty-id', ''],
        ['no-id-part', b64(`${target}:`)],
        ['not-a-uuid', globalId(target, 'not-a-uuid')],
        ['uuid-with-extra', globalId(target, `${UNKNOWN_UUID}:extra`)],
        ['raw-uuid', UNKNOWN_UUID],
        ['numeric-id', 42],
        ['huge-id', 'QUFB'.repeat(50_000)],
        ['null-byte-id', globalId(target, `${UNKNOWN_UUID}\u0000`)],
        ['sql-in-id', globalId(target, "' OR 1=1 --")],
        ['unknown-typename', b64(`Bogus:${UNKNOWN_UUID}`)],
      ];
      if (foreign[target]) ids.push(['another-customers-id', foreign[target]]);
      // Every id variant, every time: ids are where lookups go wrong.
      out.push(...ids.map(([l, v]): [string, unknown] => [`id:${l}`, wrap(v)]));
      break;
    }
    case 'Int':
      out.push(...rand.sample(INTS, n(5)).map(([l, v]): [string, unknown] => [`int:${l}`, wrap(v)]));
      break;
    case 'Boolean':
      out.push(['bool:string', wrap('true')], ['bool:number', wrap(1)]);
      break;
    case 'DateTime':
      out.push(...rand.sample(DATES, n(4)).map(([l, v]): [string, unknown] => [`date:${l}`, wrap(v)]));
      break;
    case 'JSON':
      out.push(...rand.sample(JSONS, n(5)).map(([l, v]): [string, unknown] => [`json:${l}`, wrap(v)]));
      out.push(...rand.sample(STRINGS, n(3)).map(([l, v]): [string, unknown] => [`json-string:${l}`, wrap(v)]));
      break;
  }
  return out;
}

/** Every case for one mutation: whole-input shapes, then each field (nested ones too) in turn. */
function casesFor(rand: ReturnType<typeof prng>, name: string, field: GraphQLField<unknown, unknown>): Case[] {
  const arg = field.args.find((a) => a.name === 'input')!;
  const inputType = getNamedType(arg.type) as GraphQLInputObjectType;
  const base = baseValue(name, arg.type, 'Mutation', 'input');
  const cases: Case[] = [
    { label: 'base', input: base },
    { label: 'input:null', input: null },
    { label: 'input:empty', input: {} },
    { label: 'input:string', input: 'input' },
    { label: 'input:list', input: [base] },
  ];
  const walk = (type: GraphQLInputObjectType, path: Path, depth: number, root: unknown) => {
    for (const f of Object.values(type.getFields())) {
      const at = [...path, f.name];
      const required = f.type instanceof GraphQLNonNull;
      if (required) cases.push({ label: `${at.join('.')}:missing`, input: setAt(root, at, undefined, true) });
      for (const [label, value] of hostile(rand, name, f.type, type.name, f.name)) {
        cases.push({ label: `${at.join('.')}:${label}`, input: setAt(root, at, value) });
      }
      const named = getNamedType(f.type);
      if (named instanceof GraphQLInputObjectType && depth < 3) {
        // Nested positions are varied inside an otherwise valid parent.
        const isList = (required ? (f.type as GraphQLNonNull<GraphQLInputType>).ofType : f.type) instanceof GraphQLList;
        const withParent = setAt(root, at, baseValue(name, f.type, type.name, f.name));
        walk(named, isList ? [...at, 0] : at, depth + 1, withParent);
      }
    }
  };
  walk(inputType, [], 0, base);
  return cases;
}

/** The same input written into the document instead of a variable (exercises literal coercion). */
function literal(v: unknown, type: GraphQLInputType | null): string {
  const named = type ? getNamedType(type) : null;
  const inner = type instanceof GraphQLNonNull ? type.ofType : type;
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map((x) => literal(x, inner instanceof GraphQLList ? inner.ofType : null)).join(', ')}]`;
  if (typeof v === 'object') {
    const fields = named instanceof GraphQLInputObjectType ? named.getFields() : {};
    return `{ ${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${k}: ${literal(x, fields[k]?.type ?? null)}`)
      .join(', ')} }`;
  }
  if (typeof v === 'string' && named instanceof GraphQLEnumType && /^[_A-Za-z][_0-9A-Za-z]*$/.test(v) && !['true', 'false', 'null'].includes(v)) return v;
  if (typeof v === 'number' && !Number.isFinite(v)) return '1e999';
  return JSON.stringify(v);
}

// ──────────────────────────────────────── the oracle ────────────────────────────────────────

/** Codes a refusal may carry: validation of the document or variables, and authentication. */
const ACCEPTED_CODES = new Set([
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'REQUEST_ENTITY_TOO_LARGE',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'QUERY_TOO_BROAD',
  'TOO_MANY_ALIASES',
  // Inputs beyond the hard limits of the schema (zod `validate`) are refused before the resolver runs.
  'VALIDATION_FAILED',
]);

const errorTypes = new Set(
  Object.values(schema.getTypeMap())
    .filter((ty) => isObjectType(ty) && ty.getInterfaces().some((i) => i.name === 'Error'))
    .map((ty) => ty.name),
);

let tables: string[] = [];
/** A digest of every row of every table; sessions and tokens only by count and revocation (their last-seen time moves on its own). */
async function fingerprint(): Promise<string> {
  if (!tables.length) {
    const rows = await p().$queryRawUnsafe<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('_prisma_migrations', 'Session', 'ApiToken') ORDER BY 1`,
    );
    tables = rows.map((r) => r.table_name);
    expect(tables).toContain('Ticket');
  }
  const parts = tables.map((tb) => `SELECT '${tb}' AS t, md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS h FROM "${tb}" x`);
  parts.push(`SELECT 'Session', count(*)::text || '/' || count("revokedAt")::text FROM "Session"`);
  parts.push(`SELECT 'ApiToken', count(*)::text || '/' || count("revokedAt")::text FROM "ApiToken"`);
  const rows = await p().$queryRawUnsafe<{ t: string; h: string }[]>(parts.join(' UNION ALL '));
  return rows.map((r) => `${r.t}=${r.h}`).join(';');
}

interface Outcome {
  status: number;
  refused: boolean;
  problem: string | null;
  summary: string;
}

async function send(mutation: string, document: string, variables: Record<string, unknown> | undefined, token: string | undefined, nullable = false): Promise<Outcome> {
  const res = await t.app.fetch('http://fuzz/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query: document, variables }),
  });
  const text = await res.text();
  let body: { data?: Record<string, { __typename?: string } | null> | null; errors?: { message: string; extensions?: { code?: string; unexpected?: boolean } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    return { status: res.status, refused: true, problem: res.status >= 500 ? `status ${res.status}` : `not JSON: ${text.slice(0, 200)}`, summary: `${res.status}` };
  }
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status}`);
  for (const e of body.errors ?? []) {
    const code = e.extensions?.code;
    if (e.extensions?.unexpected || code === 'INTERNAL_SERVER_ERROR') problems.push(`internal error: ${e.message}`);
    else if (!code || !ACCEPTED_CODES.has(code)) problems.push(`error without an accepted code (${code ?? 'none'}): ${e.message.slice(0, 200)}`);
  }
  const result = body.data?.[mutation];
  const typename = result?.__typename;
  if (!body.errors?.length && !typename && !(nullable && body.data && mutation in body.data)) problems.push('neither a result nor an error');
  const refused = !!body.errors?.length || !typename || errorTypes.has(typename);
  const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'none').join(',');
  return { status: res.status, refused, problem: problems.length ? problems.join('; ') : null, summary: typename ?? codes };
}

// ───────────────────────────────────────── the run ─────────────────────────────────────────

// Bugs the fuzzing found, each pinned by name (first, on the fixtures as built).
describe('regressions found by fuzzing', () => {
  const NOT_A_UUID = (type: string) => globalId(type, 'not-a-uuid');
  const result = async (name: string, input: unknown, token: string, extra = '') => {
    const inputType = `${name[0]!.toUpperCase()}${name.slice(1)}Input`;
    const union = getNamedType(schema.getMutationType()!.getFields()[name]!.type);
    const members = isUnionType(union) ? union.getTypes().map((m) => m.name) : [];
    const failures = [
      members.length ? '... on Error { code message }' : '',
      members.includes('ValidationFailed') ? '... on ValidationFailed { fieldErrors { field message } }' : '',
    ].join(' ');
    const r = await t.gql<Record<string, Record<string, unknown>>>(
      `mutation ($input: ${inputType}!) { ${name}(input: $input) { __typename ${failures} ${extra} } }`,
      { input },
      token,
    );
    expect(r.errors).toBeUndefined();
    return r.data![name]!;
  };

  it('ids that are not UUIDs are "not found" in the settings mutations, not a database error', async () => {
    const before = await fingerprint();
    expect(await result('updateTeam', { id: NOT_A_UUID('Team'), name: 'x' }, tokens.admin)).toMatchObject({ __typename: 'NotFound' });
    expect(await result('updateUser', { id: NOT_A_UUID('User'), name: 'x' }, tokens.admin)).toMatchObject({ __typename: 'NotFound' });
    expect(await result('updateOrganization', { id: NOT_A_UUID('Organization'), name: 'x' }, tokens.admin)).toMatchObject({ __typename: 'NotFound' });
    expect(await result('updateContact', { id: NOT_A_UUID('Contact'), name: 'x' }, tokens.admin)).toMatchObject({ __typename: 'NotFound' });
    expect(await result('updateTicketType', { id: NOT_A_UUID('TicketType'), name: 'x' }, tokens.admin)).toMatchObject({ __typename: 'NotFound' });
    expect(await result('setTicketTypeFields', { typeId: NOT_A_UUID('TicketType'), fields: [] }, tokens.admin)).toMatchObject({ __typename: 'NotFound' });
    expect(await result('revokeApiToken', { id: NOT_A_UUID('ApiToken') }, tokens.admin)).toMatchObject({ __typename: 'NotFound' });
    expect(await result('setTeamMembers', { teamId: assistTeam, members: [{ userId: NOT_A_UUID('User') }] }, tokens.admin)).toMatchObject({
      fieldErrors: [{ field: 'members.0.userId', message: 'no such user' }],
    });
    expect(await result('createApiToken', { name: 'x', userId: NOT_A_UUID('User'), scopes: ['TICKETS_READ'] }, tokens.admin)).toMatchObject({
      fieldErrors: [{ field: 'userId', message: 'no such user' }],
    });
    expect(await result('createContact', { name: 'x', organizationId: NOT_A_UUID('Organization'), dedicatedAgentId: NOT_A_UUID('User') }, tokens.admin)).toMatchObject({
      fieldErrors: [
        { field: 'organizationId', message: 'no such organization' },
        { field: 'dedicatedAgentId', message: 'no such user' },
      ],
    });
    expect(
      await result('updateTicketTypeAssignment', { typeId: settingsType, assignment: { modes: ['GRAB'], eligibleAgentIds: [NOT_A_UUID('User')], assistTeamIds: [NOT_A_UUID('Team')] } }, tokens.admin),
    ).toMatchObject({ __typename: 'ValidationFailed' });
    expect(await result('createUser', { email: `x-${uid()}@example.com`, name: 'x', role: 'CUSTOMER', contactId: NOT_A_UUID('Contact') }, tokens.admin)).toMatchObject({
      fieldErrors: [{ field: 'contactId', message: 'no such contact' }],
    });
    expect(await result('dispatchAssist', { assistId: pooledAssist, toUserId: NOT_A_UUID('User') }, tokens.staff)).toMatchObject({ __typename: 'NotEligible' });
    expect(await result('markNotificationsRead', { ids: [NOT_A_UUID('Notification')] }, tokens.agentB, 'count')).toMatchObject({ count: 0 });
    expect(await fingerprint()).toBe(before);
  });

  it('ids that are not UUIDs find nothing in queries and filters', async () => {
    const r = await t.gql<Record<string, unknown>>(
      `query ($t: ID!, $o: ID!, $u: ID!) {
        ticketType(id: $t) { id } organization(id: $o) { id } user(id: $u) { id }
        tickets(filter: { assigneeId: $u, organizationId: $o, typeIds: [$t] }) { totalCount }
        contacts(organizationId: $o) { edges { node { id } } }
      }`,
      { t: NOT_A_UUID('TicketType'), o: NOT_A_UUID('Organization'), u: NOT_A_UUID('User') },
      tokens.admin,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ ticketType: null, organization: null, user: null, tickets: { totalCount: 0 }, contacts: { edges: [] } });
  });

  it("a customer cannot make another customer's ticket the parent of theirs (nor learn that it exists)", async () => {
    const before = await p().ticket.count();
    const theirs = await result('createTicket', { typeId: valid.TicketType, title: 'child', parentId: foreign.Ticket }, tokens.customer1);
    const missing = await result('createTicket', { typeId: valid.TicketType, title: 'child', parentId: globalId('Ticket', UNKNOWN_UUID) }, tokens.customer1);
    expect(theirs).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'parentId', message: 'no such ticket' }] });
    expect(missing).toEqual(theirs);
    expect(await p().ticket.count()).toBe(before);
    // Their own ticket is fine as a parent.
    expect(await result('createTicket', { typeId: valid.TicketType, title: 'child', parentId: tickets.processing, fieldValues: [{ key: 'note', value: 'x' }] }, tokens.customer1)).toMatchObject({
      __typename: 'CreateTicketPayload',
    });
  });
});

const mutations = Object.entries(schema.getMutationType()!.getFields()).filter(([, f]) => f.args.some((a) => a.name === 'input'));

describe(`fuzzing every mutation (seed ${SEED}, scale ${SCALE})`, () => {
  it('covers every mutation that takes input', () => {
    expect(mutations.length).toBeGreaterThan(35);
    for (const [name, f] of mutations) {
      const result = getNamedType(f.type);
      // Every mutation answers with a union of typed failures, or a plain payload.
      expect(isUnionType(result) || !isInterfaceType(result), name).toBe(true);
    }
  });

  const failures: string[] = [];
  const stats = { cases: 0, refused: 0, accepted: 0 };
  for (const [name, field] of mutations) {
    it(name, async () => {
      const rand = prng(SEED ^ hash(name));
      const cases = casesFor(rand, name, field);
      const inputTypeName = getNamedType(field.args.find((a) => a.name === 'input')!.type).name;
      const selection = isUnionType(getNamedType(field.type)) ? '__typename ... on Error { code message }' : '__typename';
      let before = await fingerprint();
      for (const c of cases) {
        const who: Who = rand.next() < 0.8 ? (PRIMARY[name] ?? 'admin') : rand.pick(OTHERS);
        const token = who === 'anonymous' ? undefined : tokens[who];
        const asLiteral = rand.next() < 0.25 && c.input !== undefined;
        const inputArgType = field.args.find((a) => a.name === 'input')!.type;
        const doc = asLiteral
          ? `mutation { ${name}(input: ${literal(c.input, inputArgType)}) { ${selection} } }`
          : `mutation ($input: ${inputTypeName}!) { ${name}(input: $input) { ${selection} } }`;
        const o = await send(name, doc, asLiteral ? undefined : { input: c.input }, token);
        stats.cases++;
        const where = `${name} [${c.label}] as ${who}${asLiteral ? ' (literal)' : ''} seed=${SEED}`;
        if (o.problem) failures.push(`${where}: ${o.problem}`);
        // Another customer's records are invisible to a customer: never a success.
        if (c.label.includes('another-customers-id') && who === 'customer1' && !o.refused) failures.push(`${where}: accepted another customer's id (${o.summary})`);
        const after = await fingerprint();
        if (o.refused) {
          stats.refused++;
          if (after !== before) {
            const changed = diffTables(before, after);
            failures.push(`${where}: refused (${o.summary}) but changed ${changed}`);
          }
        } else {
          stats.accepted++;
          if (LIFECYCLE.has(name) && after !== before) {
            await buildTicketFixtures();
            before = await fingerprint();
            continue;
          }
        }
        before = after;
      }
      const mine = failures.filter((f) => f.startsWith(`${name} [`));
      expect(mine.slice(0, 25), `${mine.length} failures`).toEqual([]);
    });
  }

  it('ran a meaningful number of cases', () => {
    console.info(`fuzz (seed ${SEED}, scale ${SCALE}): ${stats.cases} mutation cases, ${stats.refused} refused, ${stats.accepted} accepted`);
    expect(stats.cases).toBeGreaterThan(1500);
    expect(stats.refused).toBeGreaterThan(stats.accepted);
  });
});

const queries = Object.entries(schema.getQueryType()!.getFields()).filter(([, f]) => f.args.length > 0);

describe(`fuzzing query arguments (seed ${SEED})`, () => {
  const QUERY_ACTORS: Who[] = ['admin', 'agentA', 'customer1', 'anonymous'];
  for (const [name, field] of queries) {
    it(name, async () => {
      const rand = prng(SEED ^ hash(`Query.${name}`));
      const parent = `Query.${name}`;
      const base: Record<string, unknown> = {};
      for (const a of field.args) if (a.type instanceof GraphQLNonNull) base[a.name] = baseValue(`query:${name}`, a.type, parent, a.name);
      const cases: Case[] = [{ label: 'base', input: base }];
      for (const a of field.args) {
        for (const [label, value] of hostile(rand, `query:${name}`, a.type, parent, a.name)) cases.push({ label: `${a.name}:${label}`, input: { ...base, [a.name]: value } });
        const named = getNamedType(a.type);
        if (named instanceof GraphQLInputObjectType) {
          for (const f of Object.values(named.getFields())) {
            for (const [label, value] of hostile(rand, `query:${name}`, f.type, named.name, f.name)) {
              cases.push({ label: `${a.name}.${f.name}:${label}`, input: { ...base, [a.name]: { [f.name]: value } } });
            }
          }
        }
      }
      const defs = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
      const call = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const selection = isLeafType(getNamedType(field.type)) ? '' : '{ __typename }';
      const doc = `query (${defs}) { ${name}(${call}) ${selection} }`;
      const failures: string[] = [];
      for (const c of cases) {
        const who = rand.pick(QUERY_ACTORS);
        const o = await send(name, doc, c.input as Record<string, unknown>, who === 'anonymous' ? undefined : tokens[who], true);
        if (o.problem) failures.push(`${name} [${c.label}] as ${who} seed=${SEED}: ${o.problem}`);
      }
      expect(failures.slice(0, 25), `${failures.length} failures`).toEqual([]);
    });
  }
});

function diffTables(a: string, b: string): string {
  const am = new Map(a.split(';').map((x) => x.split('=') as [string, string]));
  return b
    .split(';')
    .map((x) => x.split('=') as [string, string])
    .filter(([k, v]) => am.get(k) !== v)
    .map(([k]) => k)
    .join(', ');
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
