// Websockets use the credential as it is now: every new operation on an open socket is
// authorized with the session or token looked up again (the user's current role and
// active flag), and a socket is closed — 4401 for a dead credential, 4403 for lost
// rights — when its credential is logged out, revoked, expires, or its user is
// deactivated or changes role. Real graphql-ws connections on a real port.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { createRedisBus } from '../../src/infra/pubsub/redis.ts';
import { TEST_PASSWORD, actor, globalId, makeUser } from '../support/builders.ts';
import { TEST_REDIS_URL, until } from '../support/bus.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { TEST_CONFIG, startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate, rawId } from '../support/tickets.ts';
import { collect, openWs, settle, type WsConnection } from '../support/ws.ts';

let t: TestApp;
let url: string;
let admin: { user: { id: string }; token: string };
let manager: { user: { id: string }; token: string };
beforeAll(async () => {
  t = await startTestApp();
  url = await t.listen();
  [admin, manager] = await Promise.all([actor(t.db.prisma, 'ADMIN'), actor(t.db.prisma, 'MANAGER')]);
});
afterAll(() => t.close());
// Each test starts once the server has ended the previous one's subscriptions (see settle).
afterEach(() => settle(t));
const p = () => t.db.prisma;

const ME = /* GraphQL */ `{ me { id role } }`;
/** Every open ticket: managers only. */
const OPEN_TICKETS = /* GraphQL */ `{ openTickets(first: 100) { edges { node { number } } } }`;
const TICKET = /* GraphQL */ `query ($id: ID!) { ticket(id: $id) { number timeline { edges { node { kind comment { body visibility } } } } } }`;
const POOL_EVENTS = /* GraphQL */ `subscription { queueEvents(queues: [POOL]) { reason ticketId } }`;
type PoolEvent = { queueEvents: { reason: string; ticketId: string } };

const codeOf = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions;

/** How the server closed the socket; fails if it is still open after `ms`. */
const closeOf = (ws: WsConnection, ms = 5000) =>
  Promise.race([ws.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the socket is still open after ${ms} ms`)), ms))]);

/** The socket serves queries and a running subscription hears a new pool ticket. */
async function serves(ws: WsConnection, role: string) {
  const me = await ws.run<{ me: { role: string } }>(ME);
  expect(me.errors).toBeUndefined();
  expect(me.data?.me.role).toBe(role);
  const events = collect<PoolEvent>(ws.client, POOL_EVENTS);
  await settle(t);
  const c = await createTicket(t, manager.token, (await makeType(p(), { modes: ['GRAB'] })).id);
  await events.until((xs) => xs.some((x) => x.queueEvents.ticketId === c.gid));
  expect(events.errors).toEqual([]);
  return events;
}

async function login(app: Pick<TestApp, 'gql'>, email: string): Promise<string> {
  const r = await app.gql<{ login: { token: string } }>(`mutation ($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { ... on LoginPayload { token } } }`, {
    e: email,
    p: TEST_PASSWORD,
  });
  return r.data!.login.token;
}

async function apiToken(userId: string, scopes = ['TICKETS_READ']): Promise<{ id: string; token: string }> {
  const r = await t.gql<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    `mutation ($u: ID!, $s: [ApiScope!]!) { createApiToken(input: { name: "集成", userId: $u, scopes: $s }) { ... on CreateApiTokenPayload { token apiToken { id } } } }`,
    { u: globalId('User', userId), s: scopes },
    admin.token,
  );
  return { id: r.data!.createApiToken.apiToken.id, token: r.data!.createApiToken.token };
}

const updateUser = (userId: string, fields: string) =>
  t.gql<{ updateUser: { __typename: string } }>(`mutation ($id: ID!) { updateUser(input: { id: $id, ${fields} }) { __typename } }`, { id: globalId('User', userId) }, admin.token);

// ─────────────────────── each new operation: the credential as it is now ───────────────────────
// The change is written to the database directly, so no announcement closes the socket
// first: the operation itself must find out.

describe('every operation on an open socket is authorized with the credential as it is now', () => {
  it('a deactivated agent can no longer read a ticket and its internal note on the socket they had open (4401)', async () => {
    const agent = await actor(p(), 'AGENT');
    const type = await makeType(p(), { modes: ['GRAB'] });
    const c = await createTicket(t, manager.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: c.gid }, agent.token);
    await mutate(t, 'addComment', { ticketId: c.gid, body: '内部备注: 客户是竞争对手', visibility: 'INTERNAL' }, agent.token);
    const ws = await openWs(url, agent.token);
    const before = await ws.run<{ ticket: { timeline: { edges: { node: { comment: { body: string } | null } }[] } } }>(TICKET, { id: c.gid });
    expect(before.errors).toBeUndefined();
    expect(before.data!.ticket.timeline.edges.map((e) => e.node.comment?.body)).toContain('内部备注: 客户是竞争对手');

    await p().user.update({ where: { id: agent.user.id }, data: { active: false } });
    const after = await ws.run(TICKET, { id: c.gid });
    expect(after.data).toBeUndefined();
    expect(codeOf(after)).toEqual({ code: 'UNAUTHENTICATED', reason: 'INACTIVE_USER' });
    expect(await closeOf(ws)).toEqual({ code: 4401, reason: 'Unauthorized: the user is deactivated' });
  });

  it('a manager demoted to agent can no longer list every open ticket on their open socket (4403); reconnecting gives the new role', async () => {
    const demoted = await actor(p(), 'MANAGER');
    const ws = await openWs(url, demoted.token);
    await createTicket(t, manager.token, (await makeType(p())).id);
    const before = await ws.run<{ openTickets: { edges: unknown[] } }>(OPEN_TICKETS);
    expect(before.errors).toBeUndefined();
    expect(before.data!.openTickets.edges.length).toBeGreaterThan(0);

    await p().user.update({ where: { id: demoted.user.id }, data: { role: 'AGENT' } });
    const after = await ws.run(OPEN_TICKETS);
    expect(after.data).toBeUndefined();
    expect(codeOf(after)).toEqual({ code: 'FORBIDDEN' });
    expect((await closeOf(ws)).code).toBe(4403);

    // The session itself is still good: a new socket is the agent they are now.
    const again = await openWs(url, demoted.token);
    expect((await again.run<{ me: { role: string } }>(ME)).data?.me.role).toBe('AGENT');
    expect(codeOf(await again.run(OPEN_TICKETS))).toEqual({ code: 'FORBIDDEN' });
    await again.client.dispose();
  });

  it('a revoked session, a revoked API token and an expired session: the next subscribe is refused, the socket closed with 4401', async () => {
    const agents = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT'), actor(p(), 'AGENT')]);
    const token = await apiToken(agents[1]!.user.id);
    const cases = [
      { token: agents[0]!.token, reason: 'REVOKED', end: () => p().session.updateMany({ where: { userId: agents[0]!.user.id }, data: { revokedAt: new Date() } }) },
      { token: token.token, reason: 'REVOKED', end: () => p().apiToken.update({ where: { id: rawId(token.id) }, data: { revokedAt: new Date() } }) },
      { token: agents[2]!.token, reason: 'EXPIRED', end: () => p().session.updateMany({ where: { userId: agents[2]!.user.id }, data: { expiresAt: new Date(Date.now() - 1000) } }) },
    ];
    for (const k of cases) {
      const ws = await openWs(url, k.token);
      expect((await ws.run<{ me: { id: string } }>(ME)).data?.me.id).toBeDefined();
      await k.end();
      // A subscription this time: subscriptions are operations like any other.
      const s = collect(ws.client, POOL_EVENTS);
      await until(() => s.errors.length > 0);
      expect(JSON.stringify(s.errors)).toContain(`"reason":"${k.reason}"`);
      expect((await closeOf(ws)).code).toBe(4401);
    }
  });

  it('a socket opened without a credential keeps working anonymously and is refused what needs one', async () => {
    const ws = await openWs(url);
    const r = await ws.run(ME);
    expect(codeOf(r)).toEqual({ code: 'UNAUTHENTICATED' });
    // Given the time a close would take, it stays open.
    await new Promise((r) => setTimeout(r, 300));
    expect(ws.isClosed()).toBe(false);
    await ws.client.dispose();
  });
});

// ─────────────────────── announced changes close the sockets at once ───────────────────────

describe('logout, revocation, deactivation and role change close the sockets that relied on them', () => {
  it('logout: the socket of that session closes with 4401 and its subscription ends; the user\'s other session stays open', async () => {
    const user = await makeUser(p(), 'AGENT');
    const [phone, laptop] = [await login(t, user.email), await login(t, user.email)];
    const [ws, other] = await Promise.all([openWs(url, phone), openWs(url, laptop)]);
    const events = await serves(ws, 'AGENT');

    expect((await t.gql<{ logout: boolean }>('mutation { logout }', {}, phone)).data?.logout).toBe(true);
    // Nothing is sent on the socket: the logout alone closes it.
    expect(await closeOf(ws)).toEqual({ code: 4401, reason: 'Unauthorized: the session or token has been revoked' });
    await events.until(() => events.errors.length > 0);
    await expect(openWs(url, phone)).rejects.toThrow(/4403/);
    // The laptop's session was not logged out.
    expect((await other.run<{ me: { role: string } }>(ME)).data?.me.role).toBe('AGENT');
    expect(other.isClosed()).toBe(false);
    await other.client.dispose();
  });

  it('revoking an API token closes the integration\'s socket with 4401', async () => {
    const integration = await makeUser(p(), 'AGENT');
    const token = await apiToken(integration.id);
    const ws = await openWs(url, token.token);
    await serves(ws, 'AGENT');
    const r = await t.gql<{ revokeApiToken: { __typename: string } }>(
      `mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { __typename } }`,
      { id: token.id },
      admin.token,
    );
    expect(r.data?.revokeApiToken.__typename).toBe('RevokeApiTokenPayload');
    expect((await closeOf(ws)).code).toBe(4401);
    await expect(openWs(url, token.token)).rejects.toThrow(/4403/);
  });

  it('deactivating a user closes their sockets, sessions and API tokens alike, with 4401', async () => {
    const agent = await actor(p(), 'AGENT');
    const token = await apiToken(agent.user.id);
    const [bySession, byToken] = await Promise.all([openWs(url, agent.token), openWs(url, token.token)]);
    await serves(bySession, 'AGENT');
    await serves(byToken, 'AGENT');
    expect((await updateUser(agent.user.id, 'active: false')).data?.updateUser.__typename).toBe('UserPayload');
    expect(await closeOf(bySession)).toEqual({ code: 4401, reason: 'Unauthorized: the session or token has been revoked' });
    // The token itself was not revoked; its user is inactive.
    expect(await closeOf(byToken)).toEqual({ code: 4401, reason: 'Unauthorized: the user is deactivated' });
  });

  it('a role change closes the user\'s sockets with 4403; sockets of other users stay', async () => {
    const demoted = await actor(p(), 'MANAGER');
    const bystander = await actor(p(), 'MANAGER');
    const [ws, theirs] = await Promise.all([openWs(url, demoted.token), openWs(url, bystander.token)]);
    const events = await serves(ws, 'MANAGER');
    expect((await updateUser(demoted.user.id, 'role: AGENT')).data?.updateUser.__typename).toBe('UserPayload');
    expect(await closeOf(ws)).toEqual({ code: 4403, reason: 'Forbidden: the role changed; reconnect' });
    await events.until(() => events.errors.length > 0);
    // A change that touches no credential or right (the name) closes nothing.
    expect((await updateUser(bystander.user.id, 'name: "改名"')).data?.updateUser.__typename).toBe('UserPayload');
    await new Promise((r) => setTimeout(r, 300));
    expect(theirs.isClosed()).toBe(false);
    expect((await theirs.run<{ me: { role: string } }>(ME)).data?.me.role).toBe('MANAGER');
    await theirs.client.dispose();
  });

  it('a password reset by an admin closes the user\'s sockets with 4401', async () => {
    const agent = await actor(p(), 'AGENT');
    const ws = await openWs(url, agent.token);
    await serves(ws, 'AGENT');
    expect((await updateUser(agent.user.id, 'password: "a new secret 123"')).data?.updateUser.__typename).toBe('UserPayload');
    expect((await closeOf(ws)).code).toBe(4401);
  });
});

// ─────────────────────────────── session expiry (the test clock) ───────────────────────────────

describe('session expiry', () => {
  let clocked: TestApp;
  let base: string;
  const clock = new FakeClock();
  const HOUR = 3600_000;
  beforeAll(async () => {
    clocked = await startTestApp({ clock });
    base = await clocked.listen();
  });
  afterAll(() => clocked.close());
  /** The expiry check runs every second: two runs have certainly happened after this. */
  const twoChecks = () => new Promise((r) => setTimeout(r, 2200));

  it('a socket closes with 4401 when its session expires; use over HTTP slides the expiry and keeps it open', async () => {
    const user = await makeUser(clocked.db.prisma, 'AGENT');
    const token = await login(clocked, user.email); // SESSION_TTL_HOURS: 24, by the test clock
    const ws = await openWs(base, token);
    expect((await ws.run<{ me: { role: string } }>(ME)).data?.me.role).toBe('AGENT');

    // Used over HTTP at hour 23: the session now lasts until hour 47.
    clock.advance(23 * HOUR);
    expect((await clocked.gql<{ me: { role: string } }>(ME, {}, token)).data?.me.role).toBe('AGENT');
    clock.advance(2 * HOUR); // past the expiry the socket knew
    await twoChecks();
    expect(ws.isClosed()).toBe(false);
    expect((await ws.run<{ me: { role: string } }>(ME)).data?.me.role).toBe('AGENT');

    // Idle (the socket's own use at hour 25 slid it to hour 49); then it runs out.
    clock.advance(24 * HOUR + 60_000);
    expect(await closeOf(ws)).toEqual({ code: 4401, reason: 'Unauthorized: the session or token has expired' });
    expect((await clocked.gql(ME, {}, token)).errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'EXPIRED' });
  });

  it('an API token closes at its expiresAt', async () => {
    const integration = await makeUser(clocked.db.prisma, 'AGENT');
    const adminUser = await actor(clocked.db.prisma, 'ADMIN');
    const r = await clocked.gql<{ createApiToken: { token: string } }>(
      `mutation ($u: ID!, $at: DateTime!) { createApiToken(input: { name: "限时", userId: $u, scopes: [TICKETS_READ], expiresAt: $at }) { ... on CreateApiTokenPayload { token } } }`,
      { u: globalId('User', integration.id), at: new Date(clock.now().getTime() + HOUR).toISOString() },
      await login(clocked, adminUser.user.email),
    );
    const ws = await openWs(base, r.data!.createApiToken.token);
    expect((await ws.run<{ me: { role: string } }>(ME)).data?.me.role).toBe('AGENT');
    await twoChecks();
    expect(ws.isClosed()).toBe(false);
    clock.advance(HOUR);
    expect((await closeOf(ws)).code).toBe(4401);
  });
});

// ───────────────────────────── two instances, one Redis bus ─────────────────────────────

describe('two instances sharing a database and a Redis bus', () => {
  const channel = `gongdan-test:${randomBytes(5).toString('hex')}`;
  const apps: App[] = [];
  let a: string;
  let b: string;
  beforeAll(async () => {
    for (const name of ['a', 'b']) {
      const bus = createRedisBus({ url: TEST_REDIS_URL, channel, connectionName: `${channel}-${name}` });
      await bus.ready;
      // Both on the test app's database (one connection pool, as on the embedded database).
      const app = buildApp({ config: TEST_CONFIG, db: t.db, logger: pino({ level: 'silent' }), bus, runJobs: false });
      apps.push(app);
    }
    const started = await Promise.all(apps.map((app) => app.start()));
    [a, b] = [started[0]!.url, started[1]!.url];
  });
  // Stopping an app closes its bus.
  afterAll(() => Promise.all(apps.map((app) => app.stop())));

  it('a logout on instance A closes the socket held on instance B; a demotion on A closes B\'s with 4403', async () => {
    const user = await makeUser(p(), 'AGENT');
    const demoted = await actor(p(), 'MANAGER');
    const session = await login(t, user.email);
    const [ws, managerWs] = await Promise.all([openWs(b, session), openWs(b, demoted.token)]);
    expect((await ws.run<{ me: { role: string } }>(ME)).data?.me.role).toBe('AGENT');
    expect((await managerWs.run<{ openTickets: { edges: unknown[] } }>(OPEN_TICKETS)).errors).toBeUndefined();

    const logout = await fetch(`${a}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
      body: JSON.stringify({ query: 'mutation { logout }' }),
    });
    expect(await logout.json()).toEqual({ data: { logout: true } });
    expect((await closeOf(ws)).code).toBe(4401);

    const demote = await fetch(`${a}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ query: `mutation ($id: ID!) { updateUser(input: { id: $id, role: AGENT }) { __typename } }`, variables: { id: globalId('User', demoted.user.id) } }),
    });
    expect(await demote.json()).toEqual({ data: { updateUser: { __typename: 'UserPayload' } } });
    expect((await closeOf(managerWs)).code).toBe(4403);
  });
});
