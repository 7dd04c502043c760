import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/services/auth/tokens.ts';
import { TEST_PASSWORD, actor, globalId, makeUser } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const LOGIN = /* GraphQL */ `
  mutation ($email: String!, $password: String!) {
    login(input: { email: $email, password: $password }) {
      __typename
      ... on LoginPayload { token expiresAt user { email role } }
      ... on Error { code message }
    }
  }
`;
const ME = /* GraphQL */ `{ me { id name email role } }`;

type LoginData = { login: { __typename: string; token?: string; code?: string; user?: { email: string } } };

describe('login / me / logout', () => {
  it('logs in with the right password (email is case-insensitive), and me answers', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    const r = await t.gql<LoginData>(LOGIN, { email: user.email.toUpperCase(), password: TEST_PASSWORD });
    expect(r.data?.login.__typename).toBe('LoginPayload');
    const token = r.data!.login.token!;
    expect(token).toMatch(/^gds_/);
    // Only the hash is stored.
    const session = await t.db.prisma.session.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
    expect(session.userId).toBe(user.id);

    const me = await t.gql<{ me: { id: string; email: string; role: string } }>(ME, {}, token);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toMatchObject({ id: globalId('User', user.id), email: user.email, role: 'AGENT' });
  });

  it('wrong password, unknown email and deactivated users all get the same typed error', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    const inactive = await makeUser(t.db.prisma, 'AGENT', { active: false });
    for (const [email, password] of [
      [user.email, 'wrong password'],
      ['nobody@test.gongdan.dev', TEST_PASSWORD],
      [inactive.email, TEST_PASSWORD],
    ] as const) {
      const r = await t.gql<LoginData>(LOGIN, { email, password });
      expect(r.errors).toBeUndefined();
      expect(r.data?.login).toMatchObject({ __typename: 'InvalidCredentials', code: 'INVALID_CREDENTIALS' });
    }
    expect(await t.db.prisma.session.count({ where: { userId: { in: [user.id, inactive.id] } } })).toBe(0);
  });

  it('logout revokes the session: the token then fails with reason REVOKED', async () => {
    const user = await makeUser(t.db.prisma, 'CUSTOMER');
    const { data } = await t.gql<LoginData>(LOGIN, { email: user.email, password: TEST_PASSWORD });
    const token = data!.login.token!;
    const out = await t.gql<{ logout: boolean }>('mutation { logout }', {}, token);
    expect(out.data?.logout).toBe(true);
    const me = await t.gql(ME, {}, token);
    expect(me.data).toBeNull();
    expect(me.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'REVOKED' });
  });

  it('distinguishes no token, a malformed token and an expired session', async () => {
    const none = await t.gql(ME);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(none.errors?.[0]?.extensions?.reason).toBeUndefined();

    const bad = await t.gql(ME, {}, 'gds_not-a-real-token');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID' });

    const { user, token } = await actor(t.db.prisma, 'AGENT');
    await t.db.prisma.session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await t.gql(ME, {}, token);
    expect(expired.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'EXPIRED' });
  });

  it('a deactivated user\'s sessions stop working at once', async () => {
    const { token: managerToken } = await actor(t.db.prisma, 'MANAGER');
    const { user, token } = await actor(t.db.prisma, 'AGENT');
    const r = await t.gql<{ updateUser: { __typename: string } }>(
      `mutation ($id: ID!) { updateUser(input: { id: $id, active: false }) { __typename } }`,
      { id: globalId('User', user.id) },
      managerToken,
    );
    expect(r.data?.updateUser.__typename).toBe('UserPayload');
    const me = await t.gql(ME, {}, token);
    expect(me.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('API tokens', () => {
  const CREATE = /* GraphQL */ `
    mutation ($userId: ID!, $scopes: [ApiScope!]!, $expiresAt: DateTime) {
      createApiToken(input: { name: "CRM sync", userId: $userId, scopes: $scopes, expiresAt: $expiresAt }) {
        __typename
        ... on CreateApiTokenPayload { token apiToken { id prefix scopes lastUsedAt revokedAt } }
        ... on ValidationFailed { fieldErrors { field message } }
      }
    }
  `;
  type CreateData = {
    createApiToken: {
      __typename: string;
      token?: string;
      apiToken?: { id: string; prefix: string; scopes: string[] };
      fieldErrors?: { field: string }[];
    };
  };

  it('an admin creates a token shown once; it authenticates as its user, records last use, and can be revoked', async () => {
    const { token: adminToken } = await actor(t.db.prisma, 'ADMIN');
    const integration = await makeUser(t.db.prisma, 'AGENT', { name: 'CRM integration' });
    const r = await t.gql<CreateData>(CREATE, { userId: globalId('User', integration.id), scopes: ['TICKETS_READ', 'TICKETS_WRITE'] }, adminToken);
    expect(r.data?.createApiToken.__typename).toBe('CreateApiTokenPayload');
    const { token, apiToken } = r.data!.createApiToken;
    expect(token).toMatch(/^gdt_/);
    expect(token!.startsWith(apiToken!.prefix)).toBe(true);
    const row = await t.db.prisma.apiToken.findFirstOrThrow({ where: { userId: integration.id } });
    expect(row.tokenHash).toBe(hashToken(token!));
    expect(JSON.stringify(row)).not.toContain(token!.slice(10));

    const me = await t.gql<{ me: { name: string } }>(ME, {}, token);
    expect(me.data?.me.name).toBe('CRM integration');
    expect((await t.db.prisma.apiToken.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt).not.toBeNull();

    const revoke = await t.gql<{ revokeApiToken: { __typename: string } }>(
      `mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { __typename } }`,
      { id: apiToken!.id },
      adminToken,
    );
    expect(revoke.data?.revokeApiToken.__typename).toBe('RevokeApiTokenPayload');
    const after = await t.gql(ME, {}, token);
    expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'REVOKED' });
  });

  it('an expired token is refused with reason EXPIRED', async () => {
    const { token: adminToken } = await actor(t.db.prisma, 'ADMIN');
    const user = await makeUser(t.db.prisma, 'AGENT');
    const r = await t.gql<CreateData>(
      CREATE,
      { userId: globalId('User', user.id), scopes: ['TICKETS_READ'], expiresAt: new Date(Date.now() + 60_000).toISOString() },
      adminToken,
    );
    const token = r.data!.createApiToken.token!;
    await t.db.prisma.apiToken.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const me = await t.gql(ME, {}, token);
    expect(me.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'EXPIRED' });
  });

  it('a token is limited by its scopes even when its user is a manager', async () => {
    const { token: adminToken } = await actor(t.db.prisma, 'ADMIN');
    const manager = await makeUser(t.db.prisma, 'MANAGER');
    const r = await t.gql<CreateData>(CREATE, { userId: globalId('User', manager.id), scopes: ['TICKETS_READ'] }, adminToken);
    const token = r.data!.createApiToken.token!;
    const create = await t.gql(`mutation { createTeam(input: { name: "t-${Date.now()}", kind: ASSIST }) { __typename } }`, {}, token);
    expect(create.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await t.db.prisma.team.count({ where: { name: { startsWith: 't-' } } })).toBe(0);
  });

  it('only admins create tokens; bad input is a field-level error', async () => {
    const { token: managerToken } = await actor(t.db.prisma, 'MANAGER');
    const user = await makeUser(t.db.prisma, 'AGENT');
    const denied = await t.gql(CREATE, { userId: globalId('User', user.id), scopes: ['TICKETS_READ'] }, managerToken);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const { token: adminToken } = await actor(t.db.prisma, 'ADMIN');
    const empty = await t.gql<CreateData>(CREATE, { userId: globalId('User', user.id), scopes: [] }, adminToken);
    expect(empty.data?.createApiToken).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'scopes' }] });
    expect(await t.db.prisma.apiToken.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe('password policy', () => {
  const STRONG = 'blue-kettle-rain-42';
  type Failure = { __typename: string; fieldErrors?: { field: string; message: string }[]; ok?: boolean };
  const CREATE = /* GraphQL */ `
    mutation ($email: String!, $name: String!, $password: String!) {
      createUser(input: { email: $email, name: $name, role: AGENT, password: $password }) {
        __typename ... on ValidationFailed { fieldErrors { field message } }
      }
    }
  `;
  const UPDATE = /* GraphQL */ `
    mutation ($id: ID!, $password: String!) {
      updateUser(input: { id: $id, password: $password }) { __typename ... on ValidationFailed { fieldErrors { field message } } }
    }
  `;
  const CHANGE = /* GraphQL */ `
    mutation ($current: String!, $next: String!) {
      changePassword(input: { currentPassword: $current, newPassword: $next }) {
        __typename ... on ChangePasswordPayload { ok } ... on ValidationFailed { fieldErrors { field message } } ... on Error { code }
      }
    }
  `;
  /** The refused passwords for a user with this email and name, and the message for each. */
  const weak = (email: string, name: string) =>
    [
      ['Kq7#vLm2z', 'at least 10 characters'],
      [email.toUpperCase(), 'must not be the email address'],
      [`${name.replace(/\s+/g, '')}!2077`, 'must not contain the name'],
      ['password1234', 'is too common or too easy to guess'],
      ['qwertyuiop', 'is too common or too easy to guess'],
    ] as const;

  it('createUser: too short, the email, containing the name or common are refused on `password`; nothing is created', async () => {
    const { token } = await actor(t.db.prisma, 'ADMIN');
    const email = `liang-${Date.now()}@test.gongdan.dev`;
    const name = 'Liang Wenjie';
    for (const [password, message] of weak(email, name)) {
      const r = await t.gql<{ createUser: Failure }>(CREATE, { email, name, password }, token);
      expect(r.data?.createUser, password).toEqual({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'password', message }] });
    }
    expect(await t.db.prisma.user.count({ where: { email } })).toBe(0);
    const ok = await t.gql<{ createUser: Failure }>(CREATE, { email, name, password: STRONG }, token);
    expect(ok.data?.createUser.__typename).toBe('UserPayload');
    expect((await t.gql<LoginData>(LOGIN, { email, password: STRONG })).data?.login.__typename).toBe('LoginPayload');
  });

  it('updateUser: the same rules against the user, and not the password they have now; the password stays as it was', async () => {
    const { token } = await actor(t.db.prisma, 'ADMIN');
    const user = await makeUser(t.db.prisma, 'AGENT', { name: 'Zhou Mingxuan' });
    const cases = [...weak(user.email, user.name), [TEST_PASSWORD, 'must not be the previous password']] as const;
    for (const [password, message] of cases) {
      const r = await t.gql<{ updateUser: Failure }>(UPDATE, { id: globalId('User', user.id), password }, token);
      expect(r.data?.updateUser, password).toEqual({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'password', message }] });
    }
    const before = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(before.passwordHash).toBe(user.passwordHash);
    expect((await t.gql<LoginData>(LOGIN, { email: user.email, password: TEST_PASSWORD })).data?.login.__typename).toBe('LoginPayload');
    const ok = await t.gql<{ updateUser: Failure }>(UPDATE, { id: globalId('User', user.id), password: STRONG }, token);
    expect(ok.data?.updateUser.__typename).toBe('UserPayload');
  });

  it('changePassword: the same rules on `newPassword`, and not the current password; a strong one works', async () => {
    const { user, token } = await actor(t.db.prisma, 'AGENT', { name: 'Chen Yutong' });
    const cases = [...weak(user.email, user.name), [TEST_PASSWORD, 'must not be the previous password']] as const;
    for (const [next, message] of cases) {
      const r = await t.gql<{ changePassword: Failure }>(CHANGE, { current: TEST_PASSWORD, next }, token);
      expect(r.data?.changePassword, next).toEqual({ __typename: 'ValidationFailed', code: 'VALIDATION_FAILED', fieldErrors: [{ field: 'newPassword', message }] });
    }
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(user.passwordHash);
    const ok = await t.gql<{ changePassword: Failure }>(CHANGE, { current: TEST_PASSWORD, next: STRONG }, token);
    expect(ok.data?.changePassword).toEqual({ __typename: 'ChangePasswordPayload', ok: true });
    expect((await t.gql<LoginData>(LOGIN, { email: user.email, password: STRONG })).data?.login.__typename).toBe('LoginPayload');
  });

  it('changePassword is refused for API tokens; the password is unchanged', async () => {
    const { token: adminToken } = await actor(t.db.prisma, 'ADMIN');
    const user = await makeUser(t.db.prisma, 'AGENT');
    const created = await t.gql<{ createApiToken: { token: string } }>(
      `mutation ($userId: ID!) { createApiToken(input: { name: "sync", userId: $userId, scopes: [TICKETS_READ, TICKETS_WRITE, SETTINGS_READ, SETTINGS_WRITE] }) { ... on CreateApiTokenPayload { token } } }`,
      { userId: globalId('User', user.id) },
      adminToken,
    );
    const r = await t.gql<{ changePassword: Failure & { code?: string } }>(CHANGE, { current: TEST_PASSWORD, next: STRONG }, created.data!.createApiToken.token);
    expect(r.data?.changePassword).toEqual({ __typename: 'NotAllowed', code: 'NOT_ALLOWED' });
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(user.passwordHash);
  });
});
