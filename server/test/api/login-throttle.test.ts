// Login is limited per password guess: one login per operation, failed attempts counted
// per account and per client address in the rate-limiter store, a back-off that grows
// with consecutive failures up to a temporary lock, visible to admins and reset by a
// successful login or an admin. Waits are ended with the limiter's own controls (the
// stored wait deleted, as time passing would), so nothing sleeps.
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.ts';
import { memoryRateLimiters, redisRateLimiters, type RateLimiters } from '../../src/http/limits.ts';
import { accountKey } from '../../src/services/auth/login-throttle.ts';
import { TEST_REDIS_URL } from '../support/bus.ts';
import { TEST_PASSWORD, actor, globalId, makeUser, uid } from '../support/builders.ts';
import { TEST_CONFIG, startTestApp, type GqlResult, type TestApp } from '../support/test-app.ts';

/**
 * Small numbers so a test reaches each stage in a few attempts: 2 free, lock at the 5th.
 * All in-process requests share one address; its allowance is out of the way here.
 */
const POLICY = { LOGIN_FREE_FAILURES: 2, LOGIN_LOCK_FAILURES: 5, LOGIN_LOCK_MINUTES: 15, LOGIN_ADDRESS_FREE_FAILURES: 1000, LOGIN_ADDRESS_LOCK_FAILURES: 2000 } as const;

const LOGIN = /* GraphQL */ `
  mutation ($email: String!, $password: String!) {
    login(input: { email: $email, password: $password }) {
      __typename
      ... on LoginPayload { token }
      ... on LoginThrottled { retryAfterSeconds }
      ... on Error { code message }
    }
  }
`;
type LoginResult = { __typename: string; token?: string; retryAfterSeconds?: number; code?: string; message?: string };
const LOCK = /* GraphQL */ `query ($id: ID!) { user(id: $id) { loginLock { failures lockedUntil } } }`;
type LockData = { user: { loginLock: { failures: number; lockedUntil: string | null } | null } | null };

let t: TestApp;
let limiters: RateLimiters;
let admin: { user: { id: string }; token: string };
beforeAll(async () => {
  limiters = memoryRateLimiters({ perMinute: 10_000, anonymousPerMinute: 10_000 });
  t = await startTestApp({ config: POLICY, rateLimiters: limiters });
  admin = await actor(t.db.prisma, 'ADMIN');
});
afterAll(() => t.close());

async function login(target: { gql: TestApp['gql'] }, email: string, password: string): Promise<LoginResult> {
  const r = await target.gql<{ login: LoginResult }>(LOGIN, { email, password });
  expect(r.errors).toBeUndefined();
  return r.data!.login;
}
/** The wait the last failure imposed is over (what time passing does to the stored wait). */
const endWait = (email: string, l = limiters) => l.login.wait.delete(accountKey(email));
const lockOf = async (userId: string, token = admin.token, target: { gql: TestApp['gql'] } = t) =>
  (await target.gql<LockData>(LOCK, { id: globalId('User', userId) }, token)).data?.user?.loginLock;
const sessions = (userId: string) => t.db.prisma.session.count({ where: { userId } });

describe('one password guess per operation', () => {
  const aliased = (n: number) =>
    `mutation ($e: String!, $p: String!) { ${Array.from({ length: n }, (_, i) => `l${i}: login(input: { email: $e, password: $p }) { __typename }`).join(' ')} }`;

  it('30 aliased logins in one request are refused before anything runs: no password is checked, nothing is counted', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    for (const password of ['wrong password', TEST_PASSWORD]) {
      const res = await t.app.fetch('http://test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: aliased(30), variables: { e: user.email, p: password } }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as GqlResult;
      expect(body.data).toBeUndefined();
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.extensions).toEqual({ code: 'TOO_MANY_PASSWORD_ATTEMPTS', limit: 1, actual: 30 });
      expect(body.errors![0]!.message).toBe('The operation tries 30 passwords (login, changePassword): at most 1 per operation.');
    }
    expect(await sessions(user.id)).toBe(0);
    expect(await lockOf(user.id)).toBeNull();
    // The account is untouched: the free failures are all still there.
    for (let i = 0; i < POLICY.LOGIN_FREE_FAILURES; i++) expect((await login(t, user.email, 'wrong')).__typename).toBe('InvalidCredentials');
    await endWait(user.email);
    expect((await login(t, user.email, TEST_PASSWORD)).__typename).toBe('LoginPayload');
  });

  it('counts with fragments expanded, and changePassword is a guess too; one login (also in a fragment) passes', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    const two = await t.gql(
      `fragment A on Mutation { a: login(input: { email: $e, password: "x" }) { __typename } }
       fragment B on Mutation { b: login(input: { email: $e, password: "y" }) { __typename } }
       mutation ($e: String!) { ...A ...B }`,
      { e: user.email },
    );
    expect(two.errors?.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_PASSWORD_ATTEMPTS']);
    const { token } = await actor(t.db.prisma, 'AGENT');
    const change = await t.gql(
      `mutation { login(input: { email: "x@y.z", password: "x" }) { __typename }
                  changePassword(input: { currentPassword: "a", newPassword: "b" }) { __typename } }`,
      {},
      token,
    );
    expect(change.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_PASSWORD_ATTEMPTS', actual: 2 });
    const one = await t.gql<{ login: { __typename: string } }>(
      `fragment L on Mutation { login(input: { email: $e, password: $p }) { __typename } } mutation ($e: String!, $p: String!) { ...L }`,
      { e: user.email, p: TEST_PASSWORD },
    );
    expect(one.data?.login.__typename).toBe('LoginPayload');
  });
});

describe('back-off per account', () => {
  it('consecutive failures answer LoginThrottled with a growing retryAfterSeconds up to a lock; while throttled the password is not checked', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    for (let i = 0; i < POLICY.LOGIN_FREE_FAILURES; i++) expect(await login(t, user.email, 'wrong')).toMatchObject({ __typename: 'InvalidCredentials' });
    const waits: number[] = [];
    for (let failure: number = POLICY.LOGIN_FREE_FAILURES; ; failure++) {
      // The right password while throttled: refused without being checked.
      const throttled = await login(t, user.email, TEST_PASSWORD);
      expect(throttled).toMatchObject({ __typename: 'LoginThrottled', code: 'LOGIN_THROTTLED' });
      expect(throttled.message).toBe(`Too many failed logins. Retry in ${throttled.retryAfterSeconds} s.`);
      waits.push(throttled.retryAfterSeconds!);
      expect(await sessions(user.id)).toBe(0);
      if (failure === POLICY.LOGIN_LOCK_FAILURES) break;
      await endWait(user.email);
      expect((await login(t, user.email, 'wrong')).__typename).toBe('InvalidCredentials');
    }
    // 2 s after the 2nd failure, doubling; the 5th locks for 15 minutes.
    const expected = [2, 4, 8, POLICY.LOGIN_LOCK_MINUTES * 60];
    waits.forEach((w, i) => {
      expect(w).toBeLessThanOrEqual(expected[i]!);
      expect(w).toBeGreaterThan(expected[i]! - 2);
    });
    const lock = await lockOf(user.id);
    expect(lock?.failures).toBe(POLICY.LOGIN_LOCK_FAILURES);
    const until = new Date(lock!.lockedUntil!).getTime();
    expect(until).toBeGreaterThan(Date.now() + (POLICY.LOGIN_LOCK_MINUTES * 60 - 10) * 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + POLICY.LOGIN_LOCK_MINUTES * 60_000);
  });

  it('a successful login resets the count', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    for (let i = 0; i < POLICY.LOGIN_FREE_FAILURES; i++) await login(t, user.email, 'wrong');
    expect((await login(t, user.email, TEST_PASSWORD)).__typename).toBe('LoginThrottled');
    await endWait(user.email);
    expect((await login(t, user.email, TEST_PASSWORD)).__typename).toBe('LoginPayload');
    expect(await lockOf(user.id)).toBeNull();
    // Free again: one failure does not make the next attempt wait.
    expect((await login(t, user.email, 'wrong')).__typename).toBe('InvalidCredentials');
    expect((await login(t, user.email, TEST_PASSWORD)).__typename).toBe('LoginPayload');
  });

  it('an unknown email is throttled exactly like a known one (nothing tells whether the account exists)', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    const unknown = `nobody-${uid()}@test.gongdan.dev`;
    const run = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i < POLICY.LOGIN_FREE_FAILURES + 1; i++) {
        const r = await login(t, email, 'wrong');
        out.push(`${r.__typename}:${r.retryAfterSeconds ?? ''}:${r.message}`);
      }
      return out;
    };
    const [known, missing] = [await run(user.email), await run(unknown)];
    expect(missing).toEqual(known);
    expect(known.at(-1)).toMatch(/^LoginThrottled:2:/);
  });

  it('concurrent guesses on one account are counted one by one: only the free ones and one more are checked', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    const results = await Promise.all(Array.from({ length: 20 }, () => login(t, user.email, 'wrong')));
    const checked = results.filter((r) => r.__typename === 'InvalidCredentials').length;
    // The free ones, and at most one that was let through once they were used up.
    expect(checked).toBeGreaterThanOrEqual(POLICY.LOGIN_FREE_FAILURES);
    expect(checked).toBeLessThanOrEqual(POLICY.LOGIN_FREE_FAILURES + 1);
    expect(results.filter((r) => r.__typename === 'LoginThrottled')).toHaveLength(20 - checked);
    expect((await lockOf(user.id))?.failures).toBe(checked);
  });
});

describe('admins see and lift locks', () => {
  const UNLOCK = /* GraphQL */ `mutation ($id: ID!) { unlockUser(input: { id: $id }) { __typename ... on UserPayload { user { loginLock { failures } } } ... on Error { code } } }`;

  async function lockUp(email: string) {
    for (let i = 1; i <= POLICY.LOGIN_LOCK_FAILURES; i++) {
      await endWait(email);
      expect((await login(t, email, 'wrong')).__typename).toBe('InvalidCredentials');
    }
  }

  it('an admin sees the lock of a user and unlocks them; the user logs in at once', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    await lockUp(user.email);
    expect((await login(t, user.email, TEST_PASSWORD)).retryAfterSeconds).toBeGreaterThan(60);
    const list = await t.gql<{ users: { edges: { node: { id: string; loginLock: unknown } }[] } }>(
      `query ($s: String!) { users(filter: { search: $s }) { edges { node { id loginLock { failures lockedUntil } } } } }`,
      { s: user.email },
      admin.token,
    );
    expect(list.data?.users.edges).toEqual([{ node: { id: globalId('User', user.id), loginLock: { failures: POLICY.LOGIN_LOCK_FAILURES, lockedUntil: expect.any(String) } } }]);

    const r = await t.gql<{ unlockUser: { __typename: string; user?: { loginLock: unknown } } }>(UNLOCK, { id: globalId('User', user.id) }, admin.token);
    expect(r.data?.unlockUser).toEqual({ __typename: 'UserPayload', user: { loginLock: null } });
    expect((await login(t, user.email, TEST_PASSWORD)).__typename).toBe('LoginPayload');
  });

  it('only admins see locks and unlock; a missing user is NotFound', async () => {
    const user = await makeUser(t.db.prisma, 'AGENT');
    await lockUp(user.email);
    const manager = await actor(t.db.prisma, 'MANAGER');
    expect(await lockOf(user.id, manager.token)).toBeNull();
    const denied = await t.gql(UNLOCK, { id: globalId('User', user.id) }, manager.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await lockOf(user.id))?.failures).toBe(POLICY.LOGIN_LOCK_FAILURES);
    const missing = await t.gql<{ unlockUser: { __typename: string } }>(UNLOCK, { id: globalId('User', '01890000-0000-7000-8000-000000000000') }, admin.token);
    expect(missing.data?.unlockUser.__typename).toBe('NotFound');
  });
});

describe('back-off per client address', () => {
  it('a client failing on many accounts is throttled on every account; another address is not', async () => {
    const few = await startTestApp({ config: { LOGIN_ADDRESS_FREE_FAILURES: 3, LOGIN_ADDRESS_LOCK_FAILURES: 6 } });
    try {
      const victim = await makeUser(few.db.prisma, 'AGENT');
      // In-process requests all come from one address; each account fails only once.
      for (let i = 0; i < 3; i++) expect((await login(few, `stuffed-${uid()}@test.gongdan.dev`, 'guess')).__typename).toBe('InvalidCredentials');
      const throttled = await login(few, victim.email, TEST_PASSWORD);
      expect(throttled).toMatchObject({ __typename: 'LoginThrottled', retryAfterSeconds: 2 });
      expect(await few.db.prisma.session.count({ where: { userId: victim.id } })).toBe(0);

      // The same account from another address (over the network: 127.0.0.1).
      const base = await few.listen();
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: LOGIN, variables: { email: victim.email, password: TEST_PASSWORD } }),
      });
      expect(((await res.json()) as { data: { login: LoginResult } }).data.login.__typename).toBe('LoginPayload');
    } finally {
      await few.close();
    }
  });
});

describe('behind a reverse proxy', () => {
  const viaProxy = (base: string, forwardedFor: string, email: string, password: string) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query: LOGIN, variables: { email, password } }),
    }).then(async (r) => ((await r.json()) as { data: { login: LoginResult } }).data.login);

  it('with TRUSTED_PROXIES=1 the address is the one the proxy appended, not the proxy\'s; a client cannot choose its own', async () => {
    const proxied = await startTestApp({ config: { TRUSTED_PROXIES: 1, LOGIN_ADDRESS_FREE_FAILURES: 2, LOGIN_ADDRESS_LOCK_FAILURES: 4 } });
    try {
      const base = await proxied.listen();
      const victim = await makeUser(proxied.db.prisma, 'AGENT');
      // Client 203.0.113.7 (claiming to be 10.9.9.9 in front) fails on two accounts...
      for (let i = 0; i < 2; i++) expect((await viaProxy(base, '10.9.9.9, 203.0.113.7', `x-${uid()}@test.gongdan.dev`, 'guess')).__typename).toBe('InvalidCredentials');
      // ...and waits, whatever it puts in front; another client through the same proxy does not.
      expect((await viaProxy(base, '10.1.1.1, 203.0.113.7', victim.email, TEST_PASSWORD)).__typename).toBe('LoginThrottled');
      expect((await viaProxy(base, '198.51.100.2', victim.email, TEST_PASSWORD)).__typename).toBe('LoginPayload');
    } finally {
      await proxied.close();
    }
  });

  it('without it the header is ignored: the peer is the address', async () => {
    const direct = await startTestApp({ config: { LOGIN_ADDRESS_FREE_FAILURES: 2, LOGIN_ADDRESS_LOCK_FAILURES: 4 } });
    try {
      const base = await direct.listen();
      const victim = await makeUser(direct.db.prisma, 'AGENT');
      for (let i = 0; i < 2; i++) expect((await viaProxy(base, `203.0.113.${i}`, `x-${uid()}@test.gongdan.dev`, 'guess')).__typename).toBe('InvalidCredentials');
      expect((await viaProxy(base, '198.51.100.2', victim.email, TEST_PASSWORD)).__typename).toBe('LoginThrottled');
    } finally {
      await direct.close();
    }
  });
});

describe('with the Redis store', () => {
  const redis: Redis[] = [];
  let second: App | undefined;
  afterAll(async () => {
    await second?.stop();
    await Promise.all(redis.map((r) => r.quit()));
  });

  it('two app instances share the account counter', async () => {
    const keyPrefix = `gongdan-test-${uid()}`;
    const store = () => {
      const client = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false });
      redis.push(client);
      return redisRateLimiters({ client, keyPrefix, perMinute: 10_000, anonymousPerMinute: 10_000 });
    };
    const [a, b] = [store(), store()];
    await Promise.all(redis.map((r) => new Promise((ok) => r.once('ready', ok))));
    const first = await startTestApp({ config: POLICY, rateLimiters: a });
    try {
      second = buildApp({ config: { ...TEST_CONFIG, ...POLICY }, db: first.db, logger: pino({ level: 'silent' }), rateLimiters: b, runJobs: false });
      const other = {
        gql: async <T,>(query: string, variables?: Record<string, unknown>, token?: string) =>
          (await second!.fetch('http://test/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
            body: JSON.stringify({ query, variables }),
          }).then((r) => r.json())) as GqlResult<T>,
      };
      const user = await makeUser(first.db.prisma, 'AGENT');
      const boss = await actor(first.db.prisma, 'ADMIN');
      // The failures happen on one instance, one each...
      expect((await login(first, user.email, 'wrong')).__typename).toBe('InvalidCredentials');
      expect((await login(other, user.email, 'wrong')).__typename).toBe('InvalidCredentials');
      // ...and both see the account throttled, and its count.
      expect((await login(first, user.email, TEST_PASSWORD)).__typename).toBe('LoginThrottled');
      expect((await login(other, user.email, TEST_PASSWORD)).__typename).toBe('LoginThrottled');
      expect((await lockOf(user.id, boss.token, other))?.failures).toBe(2);
      // An unlock on one instance lifts it on the other.
      const r = await first.gql<{ unlockUser: { __typename: string } }>(`mutation ($id: ID!) { unlockUser(input: { id: $id }) { __typename } }`, { id: globalId('User', user.id) }, boss.token);
      expect(r.data?.unlockUser.__typename).toBe('UserPayload');
      expect((await login(other, user.email, TEST_PASSWORD)).__typename).toBe('LoginPayload');
      expect(await redis[0]!.keys(`${keyPrefix}*`)).not.toHaveLength(0);
    } finally {
      await second?.stop();
      second = undefined;
      await first.close();
    }
  });
});
