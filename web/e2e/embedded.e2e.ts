// What a new user gets from `pnpm install && pnpm start`: the embedded PGlite, migrated
// and seeded on first start, serving every role's home view in a real browser with no
// GraphQL error and no console error. (The other browser tests run on PostgreSQL; this
// one is why a query that only PGlite refuses cannot ship again.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, login, newContext, runShotsDir, screenshot, startEmbeddedServer, type E2EServer } from './harness.ts';

let server: E2EServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startEmbeddedServer(), launchBrowser()]);
  expect(server.log()).toContain('embedded PGlite');
  expect(server.log()).toContain('demo data seeded');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Everything that went wrong on the page: console errors, uncaught errors, GraphQL errors over HTTP and websocket. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()} (${m.location().url})`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', async (res) => {
    if (!res.url().endsWith('/graphql') || res.request().method() !== 'POST') return;
    const body = (await res.json().catch(() => null)) as { errors?: { message: string; extensions?: { code?: string } }[] } | null;
    for (const e of body?.errors ?? []) problems.push(`graphql (${res.status()}): ${e.extensions?.code ?? ''} ${e.message}`);
  });
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const msg = JSON.parse(String(payload)) as { type: string; payload?: unknown };
      if (msg.type === 'error') problems.push(`graphql-ws error: ${JSON.stringify(msg.payload)}`);
      const errors = (msg.payload as { errors?: { message: string }[] } | undefined)?.errors;
      if (msg.type === 'next' && errors?.length) problems.push(`graphql-ws next with errors: ${errors.map((e) => e.message).join('; ')}`);
    }),
  );
  return problems;
}

const HOMES = [
  // Who, and the column of their home view that the demo data fills.
  { email: 'agent2@gongdan.dev', role: 'agent', column: 'POOL' },
  { email: 'manager1@gongdan.dev', role: 'manager', column: 'OPEN' },
  { email: 'staff1@gongdan.dev', role: 'staff', column: 'MY_TICKETS' },
] as const;

for (const home of HOMES) {
  it(`the ${home.role} board shows its cards, live, without an error`, async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = watchProblems(page);
    await login(page, server.url, home.email);
    await page.locator('[data-test=board][data-loaded=true]').waitFor();
    await page.locator('[data-test=connection-indicator][data-state=live]').waitFor();
    const cards = page.locator(`[data-test=column-${home.column}] [data-test^="card-"]`);
    await expect.poll(() => cards.count()).toBeGreaterThan(0);
    // The count in the column header is the server's total for that queue.
    expect(Number(await page.locator(`[data-test=column-${home.column}] [data-test=column-count]`).textContent())).toBeGreaterThan(0);
    await screenshot(page, `embedded-${home.role}`, runShotsDir);
    expect(problems).toEqual([]);
    await ctx.close();
  });
}

it('the customer portal lists the customer’s tickets without an error', async () => {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  const problems = watchProblems(page);
  await login(page, server.url, 'customer1@gongdan.dev');
  await page.waitForURL((u) => u.pathname.startsWith('/portal'));
  await expect.poll(() => page.getByTestId('portal-ticket-row').count()).toBeGreaterThan(0);
  await page.getByTestId('portal-ticket-row').first().click();
  await page.waitForURL((u) => u.pathname.startsWith('/portal/tickets/'));
  await page.locator('[data-test=portal-ticket-title]').waitFor();
  await page.locator('[data-test=portal-feed] > *').first().waitFor();
  await screenshot(page, 'embedded-customer', runShotsDir);
  expect(problems).toEqual([]);
  await ctx.close();
});
