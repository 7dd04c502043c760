// End-to-end harness: the real server (built board included) on a PostgreSQL database
// of its own with the demo data — or on the embedded PGlite, exactly as `pnpm start`
// runs it — and Debian's Chromium driven by playwright-core.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ServerProcess } from '../../server/test/support/server-process.ts';
import { chromium, selectors, type Browser, type BrowserContext, type Page } from 'playwright-core';

// Components mark what tests touch with data-test="…".
selectors.setTestIdAttribute('data-test');

const root = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotsDir = path.join(root, 'docs/screenshots');
const ADMIN_URL = process.env.TEST_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export interface E2EServer {
  url: string;
  log: () => string;
  stop(): Promise<void>;
}

/** Boots `node --import tsx src/main.ts` against a fresh database with the demo company. */
export async function startServer(env: Record<string, string> = {}): Promise<E2EServer> {
  if (!existsSync(path.join(root, 'web/dist/index.html'))) throw new Error('web/dist is missing: run `pnpm --filter @gongdan/web build` first');
  const db = `gongdan_e2e_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE "${db}"`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  const databaseUrl = u.toString();
  const server = new ServerProcess('e2e', {
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'always',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    WEB_DIST: path.join(root, 'web/dist'),
    JOB_POLL_MS: '250',
    ...env,
  });
  const url = await server.started(120_000);
  return {
    url,
    log: () => server.output,
    async stop() {
      await server.stop();
      await admin(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    },
  };
}

/**
 * Boots the server the way `pnpm start` does: no DATABASE_URL, so the embedded PGlite in
 * a data folder of its own, migrated on the spot, with the demo data it seeds on first start.
 */
export async function startEmbeddedServer(env: Record<string, string> = {}): Promise<E2EServer> {
  if (!existsSync(path.join(root, 'web/dist/index.html'))) throw new Error('web/dist is missing: run `pnpm --filter @gongdan/web build` first');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gongdan-e2e-embedded-'));
  const server = new ServerProcess('e2e-embedded', {
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    WEB_DIST: path.join(root, 'web/dist'),
    ...env,
  });
  const url = await server.started(180_000);
  return {
    url,
    log: () => server.output,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    headless: true,
  });
}

/** A fresh browser context (its own localStorage: its own login) of a common laptop size. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
}

export async function login(page: Page, base: string, email: string, password = 'gongdan123'): Promise<void> {
  await page.goto(`${base}/login`);
  // Element Plus puts the attribute on the <input> itself.
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Screenshots that only record a run (not the README's): kept out of the repository. */
export const runShotsDir = path.join(root, 'test-results/screenshots');

export async function screenshot(page: Page, name: string, dir = screenshotsDir): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** GraphQL over HTTP, for arranging state the test is not about. */
export async function api<T = Record<string, unknown>>(base: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(JSON.stringify(body.errors ?? body));
  return body.data;
}

export async function apiLogin(base: string, email: string): Promise<string> {
  const r = await api<{ login: { token?: string } }>(
    base,
    'mutation ($e: String!) { login(input: { email: $e, password: "gongdan123" }) { ... on LoginPayload { token } } }',
    { e: email },
  );
  if (!r.login.token) throw new Error(`login failed for ${email}`);
  return r.login.token;
}
