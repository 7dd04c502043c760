// Settings in a real browser on the real server: a manager adds a field to a ticket
// type's template (server field errors land on the right row; a concurrent change is
// reloaded) and the field appears in the portal's create form; an admin creates an
// API token, sees it once, and revokes it.
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

async function choose(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).locator('.el-select__wrapper').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
}

const TYPE_FIELDS = `query { ticketTypes { id name version fields { key label } } }`;
type TypesResult = { ticketTypes: { id: string; name: string; version: number; fields: { key: string; label: string }[] }[] };

it('a manager adds a field to a type’s template and customers see it in the portal', async () => {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await login(page, server.url, 'manager1@gongdan.dev');
  await page.goto(`${server.url}/settings/types`);
  await page.getByTestId('type-item').filter({ hasText: '产品咨询' }).click();
  await page.getByTestId('template-editor').waitFor();
  await expect.poll(() => page.getByTestId('field-row').count()).toBe(3);

  // A select field without option labels: the server's error lands on that row.
  await page.getByTestId('field-add').click();
  const drawer = page.getByTestId('field-drawer');
  await drawer.getByTestId('field-label').fill('期望联系时间');
  await drawer.getByTestId('field-key').fill('contact_time');
  await choose(page, 'field-kind', '单选');
  await drawer.getByTestId('field-drawer-done').click();
  await page.getByTestId('template-save').click();
  await expect.poll(() => page.locator('.row-error').textContent()).toContain('必填');
  await drawer.waitFor(); // reopened on the row with the problem
  expect(await drawer.getByTestId('option-error').textContent()).toContain('必填');

  // Fix it: two labelled options, required, and move it up to second place.
  await drawer.getByTestId('option-label').first().fill('工作日白天');
  await drawer.getByTestId('option-add').click();
  await drawer.getByTestId('option-label').nth(1).fill('晚上或周末');
  await drawer.getByTestId('field-drawer-required').click();
  await drawer.getByTestId('field-drawer-done').click();
  await page.locator('[data-test="field-row"][data-key="contact_time"]').waitFor();
  await page.getByTestId('field-up').nth(3).click();
  await page.getByTestId('field-up').nth(2).click();
  await expect.poll(async () => page.getByTestId('field-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')))).toEqual([
    'product',
    'contact_time',
    'interests',
    'budget',
  ]);

  await page.getByTestId('template-save').click();
  await expect.poll(() => page.getByTestId('template-dirty').count()).toBe(0);
  await expect.poll(() => page.locator('.row-error').count()).toBe(0);
  await page.mouse.move(0, 0);
  await expect.poll(() => page.locator('.el-message').count(), { timeout: 10_000 }).toBe(0); // toasts gone
  await screenshot(page, 'settings');

  const manager = await apiLogin(server.url, 'manager1@gongdan.dev');
  const after = (await api<TypesResult>(server.url, TYPE_FIELDS, {}, manager)).ticketTypes.find((x) => x.name === '产品咨询')!;
  expect(after.fields.map((f) => f.key)).toEqual(['product', 'contact_time', 'interests', 'budget']);

  // Someone else changes the template meanwhile: saving reloads instead of overwriting.
  await page.getByTestId('field-remove').nth(3).click(); // budget
  await api(
    server.url,
    'mutation ($id: ID!) { updateTicketType(input: { id: $id, description: "由另一位管理员修改" }) { __typename } }',
    { id: after.id },
    manager,
  );
  await page.getByTestId('template-save').click();
  await expect.poll(() => page.locator('.el-message--warning').textContent()).toContain('已重新加载');
  await expect.poll(() => page.getByTestId('field-row').count()).toBe(4);
  await expect.poll(() => page.locator('.detail .desc').textContent()).toContain('由另一位管理员修改');

  // The customer's create form shows the new field, required, with its options.
  const customerCtx = await newContext(browser);
  const customer = await customerCtx.newPage();
  await login(customer, server.url, 'customer4@gongdan.dev');
  await customer.goto(`${server.url}/portal/new`);
  await customer.getByTestId('portal-type').filter({ hasText: '产品咨询' }).click();
  const field = customer.getByTestId('portal-field-contact_time');
  await field.waitFor();
  expect(await customer.locator('.el-form-item.is-required', { has: field }).textContent()).toContain('期望联系时间');
  await field.locator('.el-select__wrapper').click();
  await expect.poll(() => customer.locator('.el-select-dropdown__item:visible').allTextContents()).toEqual(['工作日白天', '晚上或周末']);
  await ctx.close();
  await customerCtx.close();
});

it('an admin creates an API token, sees it once with a copy button, and revokes it', async () => {
  const ctx = await newContext(browser);
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await ctx.newPage();
  await login(page, server.url, 'admin@gongdan.dev');
  await page.goto(`${server.url}/settings/tokens`);
  await page.getByTestId('token-create').click();
  await page.getByTestId('token-name').fill('CRM 同步');
  await choose(page, 'token-user', '郑海涛');
  await page.getByTestId('token-submit').click();
  const value = page.getByTestId('token-value');
  await value.waitFor();
  const token = await value.inputValue();
  expect(token.length).toBeGreaterThan(20);
  await page.getByTestId('token-copy').click();
  await expect.poll(() => page.locator('.el-message--success').textContent()).toContain('已复制');

  // The token works, as the chosen user.
  const me = await api<{ me: { name: string } }>(server.url, '{ me { name } }', {}, token);
  expect(me.me.name).toBe('郑海涛');

  await page.getByTestId('token-done').click();
  await expect.poll(() => page.getByTestId('tokens-table').textContent()).toContain('CRM 同步');
  expect(await page.getByTestId('tokens-table').textContent()).not.toContain(token);
  await page.getByTestId('token-revoke').first().click();
  await page.locator('.el-message-box__btns .el-button--danger, .el-message-box__btns .el-button--primary').last().click();
  await expect.poll(() => page.getByTestId('tokens-table').textContent()).not.toContain('CRM 同步');
  await expect(api(server.url, '{ me { name } }', {}, token)).rejects.toThrow(/UNAUTHENTICATED|REVOKED/);
  await ctx.close();
});
