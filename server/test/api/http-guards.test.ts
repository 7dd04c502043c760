// What the HTTP layer lets through before any resolver runs: CORS (an allow-list of
// origins, same origin only by default), yoga's CSRF prevention, and /metrics behind a
// token in production. On a real port, the way browsers and scrapers reach it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const FOREIGN = 'https://evil.example';
const CRM = 'https://crm.example.com';
const body = JSON.stringify({ query: '{ me { id } }' });

describe('CORS', () => {
  let t: TestApp;
  let open: TestApp;
  let token: string;
  beforeAll(async () => {
    [t, open] = await Promise.all([startTestApp(), startTestApp({ config: { CORS_ORIGINS: [CRM] } })]);
    await Promise.all([t.listen(), open.listen()]);
    token = (await actor(t.db.prisma, 'AGENT')).token;
  });
  afterAll(() => Promise.all([t?.close(), open?.close()]));

  const post = (base: string, origin: string, auth?: string) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin, ...(auth && { authorization: `Bearer ${auth}` }) }, body });
  const preflight = (base: string, origin: string) =>
    fetch(`${base}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

  it('by default a foreign origin gets no allow-origin header, neither on the preflight nor on the answer', async () => {
    const pre = await preflight(t.url!, FOREIGN);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const res = await post(t.url!, FOREIGN, token);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('the board on its own origin needs no CORS and keeps working', async () => {
    const res = await post(t.url!, t.url!, token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data?: { me?: { id: string } } }).data?.me?.id).toBeTruthy();
  });

  it('a configured origin is allowed (and only that one)', async () => {
    const pre = await preflight(open.url!, CRM);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(CRM);
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const res = await post(open.url!, CRM);
    expect(res.headers.get('access-control-allow-origin')).toBe(CRM);
    expect(res.headers.get('vary')?.toLowerCase()).toContain('origin');
    // Bearer tokens, no cookies: credentials are never allowed.
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await post(open.url!, FOREIGN)).headers.get('access-control-allow-origin')).toBeNull();
    expect((await post(open.url!, `${CRM}.evil.example`)).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CSRF prevention', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.listen();
    token = (await actor(t.db.prisma, 'AGENT')).token;
  });
  afterAll(() => t?.close());

  it('refuses a request a browser would send without a preflight (simple content type, or GET) unless it carries the header', async () => {
    const logout = JSON.stringify({ query: 'mutation { logout }' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${token}` }, body: logout });
      expect(res.status, type).toBe(403);
      expect(await res.text()).toContain('CSRF');
    }
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(get.status).toBe(403);
    // Nothing ran: the session still works.
    const me = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    expect(((await me.json()) as { data?: { me?: unknown } }).data?.me).toBeTruthy();
  });

  it('lets JSON requests through (a browser preflights them) and anything with the header', async () => {
    const withHeader = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
      headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': '1' },
    });
    expect(withHeader.status).toBe(200);
    expect(((await withHeader.json()) as { data?: { me?: unknown } }).data?.me).toBeTruthy();
  });
});

describe('/metrics', () => {
  const scrape = (base: string, auth?: string) => fetch(`${base}/metrics`, { headers: auth ? { authorization: auth } : {} });

  it('in production without METRICS_TOKEN it is refused (403) and says why', async () => {
    const t = await startTestApp({ config: { NODE_ENV: 'production' } });
    try {
      const res = await scrape(await t.listen());
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('METRICS_TOKEN');
      expect((await scrape(t.url!, 'Bearer anything')).status).toBe(403);
    } finally {
      await t.close();
    }
  });

  it('in production with METRICS_TOKEN it needs the bearer (401 without), and serves with it', async () => {
    const t = await startTestApp({ config: { NODE_ENV: 'production', METRICS_TOKEN: 'a-long-enough-metrics-token' } });
    try {
      const base = await t.listen();
      expect((await scrape(base)).status).toBe(401);
      const ok = await scrape(base, 'Bearer a-long-enough-metrics-token');
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('gongdan_http_requests_total');
    } finally {
      await t.close();
    }
  });

  it('outside production it is open unless a token is set', async () => {
    const t = await startTestApp({ config: { NODE_ENV: 'development' } });
    try {
      expect((await scrape(await t.listen())).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
