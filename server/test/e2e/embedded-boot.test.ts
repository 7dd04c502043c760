// The default path a new user takes: `pnpm start` with no DATABASE_URL boots the real
// server on an embedded PGlite, migrates, seeds the demo company, serves GraphQL and
// the health endpoints, and shuts down cleanly on SIGTERM.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ServerProcess } from '../support/server-process.ts';

let server: ServerProcess;
let dataDir: string;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gongdan-boot-'));
  server = new ServerProcess('embedded', { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  base = await server.started();
}, 120_000);

afterAll(async () => {
  if (server.alive) server.proc.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

async function gql(query: string, token?: string) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { data: Record<string, unknown>; errors?: unknown[] };
}

it('migrates, seeds the demo company and answers login → me → settings', async () => {
  expect(server.output).toContain('migrations applied');
  expect(server.output).toContain('demo data seeded');
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });

  const login = await gql(
    'mutation { login(input: { email: "admin@gongdan.dev", password: "gongdan123" }) { __typename ... on LoginPayload { token } } }',
  );
  const token = (login.data.login as { token: string }).token;
  expect(token).toMatch(/^gds_/);
  const r = await gql('{ me { role } ticketTypes { name } teams { name kind } users(first: 100) { edges { node { email } } } }', token);
  expect(r.errors).toBeUndefined();
  expect((r.data.me as { role: string }).role).toBe('ADMIN');
  expect((r.data.ticketTypes as { name: string }[]).map((x) => x.name).sort()).toEqual(
    ['产品咨询', '技术支持', '投诉建议', '订单问题', '账户问题'].sort(),
  );
  expect(r.data.teams).toEqual(expect.arrayContaining([{ name: '技术支持组', kind: 'ASSIST' }, { name: '财务组', kind: 'ASSIST' }]));
  const emails = (r.data.users as { edges: { node: { email: string } }[] }).edges.map((e) => e.node.email);
  expect(emails).toEqual(expect.arrayContaining(['agent1@gongdan.dev', 'agent8@gongdan.dev', 'manager2@gongdan.dev', 'staff3@gongdan.dev', 'customer1@gongdan.dev']));

  // GraphiQL for people with a browser.
  const page = await (await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } })).text();
  expect(page).toContain('gongdan GraphQL');
  // Self-contained: no script or stylesheet from a CDN.
  expect(page).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
}, 60_000);

it('shuts down gracefully on SIGTERM', async () => {
  server.proc.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(server.output).toContain('shutting down');
}, 30_000);
