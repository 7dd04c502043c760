// The customer portal in a real browser on the real server: a customer files a ticket
// and it lands live on an agent's board; the agent resolves, the customer sees it live,
// says "not solved" once, the agent resolves again, and the customer rates.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { api, apiLogin, launchBrowser, login, newContext, screenshot, startServer, type E2EServer } from './harness.ts';

let server: E2EServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Picks an option of an Element Plus select inside the element with this test id. */
async function choose(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).locator('.el-select__wrapper').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
}

/** Files a ticket through the portal form and returns its number (from the ticket page). */
async function fileOrderTicket(page: Page, title: string): Promise<{ number: string; id: string }> {
  await page.getByTestId('portal-nav-new').click();
  await page.getByTestId('portal-type').filter({ hasText: '订单问题' }).click();
  await page.getByTestId('portal-title').fill(title);
  await page.getByTestId('portal-description').fill('下单三天了还没有发货，麻烦帮忙查一下物流。');
  await page.getByTestId('portal-field-order_no').locator('input').fill('DD20261121000123');
  await choose(page, 'portal-field-issue_category', '订单查询');
  await page.getByTestId('portal-submit').click();
  await page.waitForURL(/\/portal\/tickets\//);
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  const number = (await page.getByTestId('portal-ticket-number').textContent())!.trim();
  return { number, id };
}

// The board is built alongside; it marks the pool column and its cards. Accept either
// naming (column-POOL / card-<number>, or queue-POOL / ticket-card with the number).
function poolCard(page: Page, number: string) {
  return page
    .locator('[data-test="column-POOL"], [data-test="queue-POOL"]')
    .locator(`[data-test="card-${number}"], [data-test="ticket-card"]:has-text("${number}")`);
}

it('a ticket filed in the portal appears live in an agent’s pool', async () => {
  const agentCtx = await newContext(browser);
  const agent = await agentCtx.newPage();
  await login(agent, server.url, 'agent1@gongdan.dev');
  await agent.locator('[data-test="column-POOL"], [data-test="queue-POOL"]').first().waitFor();

  const customerCtx = await newContext(browser);
  const customer = await customerCtx.newPage();
  await login(customer, server.url, 'customer1@gongdan.dev');
  await customer.waitForURL(/\/portal/);
  await expect.poll(() => customer.getByTestId('portal-user').textContent()).toContain('钱志远');

  const { number } = await fileOrderTicket(customer, '订单迟迟未发货');
  await expect.poll(() => customer.getByTestId('portal-status').textContent()).toContain('待受理');

  // No reload on the agent's side: the card arrives over the websocket.
  await poolCard(agent, number).waitFor({ timeout: 15_000 });

  // The ticket is in the customer's list too.
  await customer.getByTestId('portal-nav-tickets').click();
  await expect.poll(() => customer.getByTestId('portal-ticket-list').textContent()).toContain(number);
  await agentCtx.close();
  await customerCtx.close();
});

it('resolution shows live; "not solved" reopens; resolved again; the customer rates once', async () => {
  const customerCtx = await newContext(browser);
  const page = await customerCtx.newPage();
  await login(page, server.url, 'customer3@gongdan.dev');
  const { number, id } = await fileOrderTicket(page, '退款一直没有到账');
  const agentToken = await apiLogin(server.url, 'agent2@gongdan.dev');

  const grab = await api<{ grabTicket: { __typename: string } }>(
    server.url,
    'mutation ($id: ID!) { grabTicket(input: { ticketId: $id }) { __typename } }',
    { id },
    agentToken,
  );
  expect(grab.grabTicket.__typename).toBe('TicketPayload');
  await expect.poll(() => page.getByTestId('portal-status').textContent(), { timeout: 10_000 }).toContain('处理中');

  await api(server.url, 'mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "您好，已收到，正在核实退款进度。", visibility: PUBLIC }) { __typename } }', { id }, agentToken);
  await api(server.url, 'mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "内部：联系财务组", visibility: INTERNAL }) { __typename } }', { id }, agentToken);
  await expect.poll(() => page.getByTestId('portal-feed').textContent(), { timeout: 10_000 }).toContain('正在核实退款进度');
  // Internal notes never reach the portal.
  expect(await page.getByTestId('portal-feed').textContent()).not.toContain('联系财务组');

  const resolve = (resolution: string) =>
    api<{ resolveTicket: { __typename: string } }>(
      server.url,
      'mutation ($id: ID!, $r: String!) { resolveTicket(input: { ticketId: $id, resolution: $r }) { __typename } }',
      { id, r: resolution },
      agentToken,
    );

  expect((await resolve('退款已原路退回，预计 1-3 个工作日到账。')).resolveTicket.__typename).toBe('TicketPayload');
  // Live: the resolution appears without reloading.
  await page.getByTestId('portal-resolution').waitFor({ timeout: 10_000 });
  expect(await page.getByTestId('portal-resolution-text').textContent()).toContain('原路退回');

  // "Not solved" with a reason.
  await page.getByTestId('portal-reopen').click();
  await page.getByTestId('portal-reopen-submit').click();
  await expect.poll(() => page.getByTestId('portal-reopen-dialog').textContent()).toContain('请填写未解决的原因');
  await page.getByTestId('portal-reopen-reason').fill('已经过了 5 个工作日，银行卡里还是没有收到退款。');
  await page.getByTestId('portal-reopen-submit').click();
  await expect.poll(() => page.getByTestId('portal-status').getAttribute('data-status')).toBe('PROCESSING');
  expect(await page.getByTestId('portal-resolution').count()).toBe(0);
  await expect.poll(() => page.getByTestId('portal-feed').textContent()).toContain('银行卡里还是没有收到退款');

  // The agent sees the reopen and resolves again.
  const seen = await api<{ ticket: { status: string } }>(server.url, 'query ($id: ID!) { ticket(id: $id) { status } }', { id }, agentToken);
  expect(seen.ticket.status).toBe('PROCESSING');
  expect((await resolve('已联系银行加急处理，退款已于今日到账，流水号 RF20261125008。')).resolveTicket.__typename).toBe('TicketPayload');
  await expect.poll(() => page.getByTestId('portal-resolution-text').textContent(), { timeout: 10_000 }).toContain('RF20261125008');
  await page.getByTestId('portal-rate').waitFor();
  await page.mouse.move(0, 0);
  await expect.poll(() => page.locator('.el-message').count(), { timeout: 10_000 }).toBe(0); // toasts gone
  await screenshot(page, 'portal');

  // Rate 4 of 5, once.
  await page.getByTestId('portal-rate-stars').locator('.el-rate__item').nth(3).click();
  await page.getByTestId('portal-rate-comment').fill('第二次处理很及时，谢谢！');
  await page.getByTestId('portal-rate-submit').click();
  await page.getByTestId('portal-rating').waitFor();
  expect(await page.getByTestId('portal-rate').count()).toBe(0);
  expect(await page.getByTestId('portal-rating').textContent()).toContain('第二次处理很及时');

  // Confirm: the ticket closes.
  await page.getByTestId('portal-confirm').click();
  await page.locator('.el-message-box__btns .el-button--primary').click();
  await expect.poll(() => page.getByTestId('portal-status').getAttribute('data-status')).toBe('CLOSED');

  const final = await api<{ ticket: { status: string; rating: { score: number } | null; number: string } }>(
    server.url,
    'query ($id: ID!) { ticket(id: $id) { number status rating { score } } }',
    { id },
    agentToken,
  );
  expect(final.ticket).toEqual({ number, status: 'CLOSED', rating: { score: 4 } });
  await customerCtx.close();
});
