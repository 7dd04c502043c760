// API token scopes on every root field: the directory and settings queries need
// SETTINGS_READ, every mutation a write scope. Tokens act as a manager here, so the role
// allows everything and only the scopes refuse. (The schema-wide rule is in
// src/graphql/scope-rules.test.ts; this is what a caller gets.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId, makeUser, uid } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate, uidOf } from '../support/tickets.ts';

let t: TestApp;
const p = () => t.db.prisma;
let admin: string;
const tokens = {} as Record<'ticketsRead' | 'settingsRead' | 'ticketsWrite', string>;
let holder: { id: string };

async function token(userId: string, scopes: string[]): Promise<string> {
  const r = await t.gql<{ createApiToken: { __typename: string; token?: string } }>(
    `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { __typename ... on CreateApiTokenPayload { token } } }`,
    { input: { name: `scopes-${uid()}`, userId: uidOf(userId), scopes } },
    admin,
  );
  expect(r.data?.createApiToken.__typename).toBe('CreateApiTokenPayload');
  return r.data!.createApiToken.token!;
}

beforeAll(async () => {
  t = await startTestApp();
  admin = (await actor(p(), 'ADMIN')).token;
  holder = await makeUser(p(), 'MANAGER', { name: 'CRM' });
  tokens.ticketsRead = await token(holder.id, ['TICKETS_READ']);
  tokens.settingsRead = await token(holder.id, ['SETTINGS_READ']);
  tokens.ticketsWrite = await token(holder.id, ['TICKETS_WRITE']);
});
afterAll(() => t.close());

const DIRECTORY: Record<string, string> = {
  users: `{ users(first: 5) { edges { node { id email } } } }`,
  user: `query ($id: ID!) { user(id: $id) { id email } }`,
  contacts: `{ contacts(first: 5) { edges { node { id email phone } } } }`,
  organizations: `{ organizations(first: 5) { edges { node { id name } } } }`,
  organization: `query ($org: ID!) { organization(id: $org) { id notes } }`,
  teams: `{ teams { id name members { user { id } } } }`,
  slaPolicies: `{ slaPolicies { id name } }`,
};

describe('directory and settings queries', () => {
  let vars: Record<string, unknown>;
  beforeAll(async () => {
    const org = await p().organization.create({ data: { name: `公司-${uid()}`, notes: '内部备注' } });
    vars = { id: uidOf(holder.id), org: globalId('Organization', org.id) };
  });

  it.each(Object.keys(DIRECTORY))('%s refuses a TICKETS_READ token with FORBIDDEN and answers a SETTINGS_READ one', async (field) => {
    const q = DIRECTORY[field]!;
    const v = q.includes('$') ? vars : {};
    const refused = await t.gql(q, v, tokens.ticketsRead);
    expect(refused.errors?.[0]?.extensions?.code, JSON.stringify(refused)).toBe('FORBIDDEN');
    expect(refused.data?.[field] ?? null).toBeNull();
    const allowed = await t.gql(q, v, tokens.settingsRead);
    expect(allowed.errors, JSON.stringify(allowed.errors)).toBeUndefined();
    expect(allowed.data?.[field]).toBeTruthy();
  });

  it('tickets stay readable with TICKETS_READ and not with SETTINGS_READ; every token may ask who it is and read the ticket types', async () => {
    expect((await t.gql(`{ tickets(first: 1) { totalCount } }`, {}, tokens.ticketsRead)).errors).toBeUndefined();
    expect((await t.gql(`{ tickets(first: 1) { totalCount } }`, {}, tokens.settingsRead)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const tok of Object.values(tokens)) {
      const r = await t.gql<{ me: { id: string } }>(`{ me { id } ticketTypes { id } }`, {}, tok);
      expect(r.errors).toBeUndefined();
      expect(r.data?.me.id).toBe(uidOf(holder.id));
    }
  });
});

describe('the directory reached through tickets', () => {
  it('an organisation\'s contacts, a team\'s members and a person\'s teams need SETTINGS_READ too', async () => {
    const org = await p().organization.create({ data: { name: `公司-${uid()}` } });
    const contact = await p().contact.create({ data: { name: '联系人', email: `c-${uid()}@example.com`, organizationId: org.id } });
    await p().contact.create({ data: { name: '同事', email: `other-${uid()}@example.com`, organizationId: org.id } });
    const team = await p().team.create({ data: { name: `团队-${uid()}`, kind: 'ASSIST', members: { create: [{ userId: holder.id }] } } });
    const type = await makeType(p(), { modes: ['GRAB'], assistTeamIds: [team.id] });
    const c = await createTicket(t, admin, type.id, { contactId: globalId('Contact', contact.id) });

    // The ticket's own contact and organisation are part of the ticket.
    const own = await t.gql<{ ticket: { contact: { email: string }; organization: { name: string } } }>(
      `query ($id: ID!) { ticket(id: $id) { contact { email } organization { name } } }`,
      { id: c.gid },
      tokens.ticketsRead,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data?.ticket).toEqual({ contact: { email: contact.email }, organization: { name: org.name } });

    // Empty, not an error: a ticket read with a board's fragment keeps its other fields.
    const contacts = await t.gql<{ ticket: { organization: { contacts: unknown[] } } }>(
      `query ($id: ID!) { ticket(id: $id) { organization { contacts { email } } } }`,
      { id: c.gid },
      tokens.ticketsRead,
    );
    expect(contacts.errors).toBeUndefined();
    expect(contacts.data?.ticket.organization.contacts).toEqual([]);
    // Which teams a type may be transferred to is there (for requestAssist); who is in them is not.
    const teams = await t.gql<{ ticket: { type: { assistTeams: { id: string }[] } } }>(`query ($id: ID!) { ticket(id: $id) { type { assistTeams { id } } } }`, { id: c.gid }, tokens.ticketsRead);
    expect(teams.data?.ticket.type.assistTeams).toEqual([{ id: globalId('Team', team.id) }]);
    const members = await t.gql<{ ticket: { type: { assistTeams: { members: unknown[] }[] } } }>(
      `query ($id: ID!) { ticket(id: $id) { type { assistTeams { members { user { email } } } } } }`,
      { id: c.gid },
      tokens.ticketsRead,
    );
    expect(members.errors).toBeUndefined();
    expect(members.data?.ticket.type.assistTeams).toEqual([{ members: [] }]);
    const myTeams = await t.gql<{ me: { teams: unknown[] } }>(`{ me { teams { id } } }`, {}, tokens.ticketsRead);
    expect(myTeams.data?.me.teams).toEqual([]);

    const dir = await t.gql<{ me: { teams: { members: unknown[] }[] }; organization: { contacts: unknown[] } }>(
      `query ($org: ID!) { me { teams { members { user { id } } } } organization(id: $org) { contacts { email } } }`,
      { org: globalId('Organization', org.id) },
      tokens.settingsRead,
    );
    expect(dir.errors).toBeUndefined();
    expect(dir.data?.me.teams).toHaveLength(1);
    expect(dir.data?.organization.contacts).toHaveLength(2);
  });
});

describe('writes need a write scope', () => {
  it('setPresence: refused for a read-only token, presence unchanged; a TICKETS_WRITE token may', async () => {
    const before = await p().user.findUniqueOrThrow({ where: { id: holder.id }, select: { presence: true, presenceChangedAt: true } });
    const q = `mutation { setPresence(input: { presence: AWAY }) { __typename } }`;
    for (const tok of [tokens.ticketsRead, tokens.settingsRead]) {
      expect((await t.gql(q, {}, tok)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await p().user.findUniqueOrThrow({ where: { id: holder.id }, select: { presence: true, presenceChangedAt: true } })).toEqual(before);
    const ok = await t.gql<{ setPresence: { __typename: string } }>(q, {}, tokens.ticketsWrite);
    expect(ok.data?.setPresence.__typename).toBe('UserPayload');
    expect((await p().user.findUniqueOrThrow({ where: { id: holder.id } })).presence).toBe('AWAY');
  });

  it('markNotificationsRead: refused for a read-only token, nothing marked', async () => {
    const type = await makeType(p(), { modes: ['MANAGER'], requireAcceptance: true, agentIds: [holder.id] });
    const c = await createTicket(t, admin, type.id);
    expect((await mutate(t, 'dispatchTicket', { ticketId: c.gid, agentId: uidOf(holder.id) }, admin)).__typename).toBe('TicketPayload');
    const unread = () => p().notification.count({ where: { userId: holder.id, readAt: null } });
    expect(await unread()).toBeGreaterThan(0);
    const before = await unread();
    const q = `mutation { markNotificationsRead(input: {}) { count } }`;
    const refused = await t.gql(q, {}, tokens.ticketsRead);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await unread()).toBe(before);
    // Reading them is a read.
    expect((await t.gql(`{ notifications(first: 5) { totalCount } }`, {}, tokens.ticketsRead)).errors).toBeUndefined();
    const ok = await t.gql<{ markNotificationsRead: { count: number } }>(q, {}, tokens.ticketsWrite);
    expect(ok.data?.markNotificationsRead.count).toBe(before);
    expect(await unread()).toBe(0);
  });

  it('changePassword and logout are writes too', async () => {
    const before = await p().user.findUniqueOrThrow({ where: { id: holder.id }, select: { passwordHash: true } });
    const change = await t.gql(`mutation { changePassword(input: { currentPassword: "x", newPassword: "y-long-enough-1" }) { __typename } }`, {}, tokens.ticketsRead);
    expect(change.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await p().user.findUniqueOrThrow({ where: { id: holder.id }, select: { passwordHash: true } })).toEqual(before);
    expect((await t.gql(`mutation { logout }`, {}, tokens.ticketsRead)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('people (sessions) are limited by their role only', async () => {
    const agent = await actor(p(), 'AGENT');
    const r = await t.gql<{ setPresence: { __typename: string }; markNotificationsRead: { count: number } }>(
      `mutation { setPresence(input: { presence: ONLINE }) { __typename } markNotificationsRead(input: {}) { count } }`,
      {},
      agent.token,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.setPresence.__typename).toBe('UserPayload');
    const dir = await t.gql(`{ users(first: 1) { totalCount: edges { node { id } } } teams { id } slaPolicies { id } }`, {}, agent.token);
    expect(dir.errors).toBeUndefined();
  });
});
