// Passwords in a real browser on the real server: the user menu's 修改密码 (the policy
// answers on the new-password field, a good password is taken, the next login needs
// it), and an admin seeing a locked account in the users tab and unlocking it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { api, launchBrowser, login, newContext, screenshot, startServer, type E2EServer } from './harness.ts';

let server: E2EServer;
let browser: Browser;
beforeAll(async () => {
  // Two free failures, the third locks: a lock is reached in three attempts.
  [server, browser] = await Promise.all([startServer({ LOGIN_FREE_FAILURES: '2', LOGIN_LOCK_FAILURES: '3' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('an agent changes their password from the user menu and logs in with the new one', async () => {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await login(page, server.url, 'agent2@gongdan.dev');
  await page.getByTestId('user-menu').click();
  await page.getByTestId('change-password').click();
  const dialog = page.getByTestId('password-dialog');
  await dialog.waitFor();

  // A common password is refused on its field.
  await dialog.getByTestId('password-current').fill('gongdan123');
  await dialog.getByTestId('password-new').fill('password1234');
  await dialog.getByTestId('password-confirm').fill('password1234');
  await dialog.getByTestId('password-save').click();
  await expect.poll(() => dialog.locator('.el-form-item__error').textContent()).toContain('过于常见或容易被猜到');
  await screenshot(page, 'password');

  await dialog.getByTestId('password-new').fill('青山-kettle-rain-42');
  await dialog.getByTestId('password-confirm').fill('青山-kettle-rain-42');
  await dialog.getByTestId('password-save').click();
  await expect.poll(() => page.locator('.el-message--success').textContent()).toContain('密码已修改');
  await dialog.waitFor({ state: 'hidden' });

  await page.getByTestId('user-menu').click();
  await page.getByTestId('logout').click();
  await page.waitForURL((u) => u.pathname.startsWith('/login'));

  // The old password no longer works; the new one does.
  await page.getByTestId('login-email').fill('agent2@gongdan.dev');
  await page.getByTestId('login-password').fill('gongdan123');
  await page.getByTestId('login-submit').click();
  // (Earlier messages may still be on screen: look for this one.)
  await page.locator('.el-message--error', { hasText: '邮箱或密码错误' }).first().waitFor();
  expect(new URL(page.url()).pathname).toBe('/login');
  await login(page, server.url, 'agent2@gongdan.dev', '青山-kettle-rain-42');
  await expect.poll(() => page.getByTestId('user-menu').textContent()).toContain('客服');
  await ctx.close();
});

const LOGIN = 'mutation ($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { __typename ... on LoginThrottled { retryAfterSeconds } } }';
type LoginResult = { login: { __typename: string; retryAfterSeconds?: number } };

it('an admin sees a locked account in the users tab and unlocks it', async () => {
  const fail = () => api<LoginResult>(server.url, LOGIN, { e: 'agent3@gongdan.dev', p: 'not-the-password' });
  expect((await fail()).login.__typename).toBe('InvalidCredentials');
  expect((await fail()).login.__typename).toBe('InvalidCredentials');
  const throttled = await fail();
  expect(throttled.login).toEqual({ __typename: 'LoginThrottled', retryAfterSeconds: 2 });
  await new Promise((r) => setTimeout(r, 2100));
  expect((await fail()).login.__typename).toBe('InvalidCredentials');
  expect((await api<LoginResult>(server.url, LOGIN, { e: 'agent3@gongdan.dev', p: 'gongdan123' })).login.retryAfterSeconds).toBeGreaterThan(800);

  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await login(page, server.url, 'admin@gongdan.dev');
  await page.goto(`${server.url}/settings/users`);
  await page.getByTestId('user-search').fill('agent3@');
  const row = page.locator('[data-test="users-table"] .el-table__row', { hasText: 'agent3@gongdan.dev' });
  await expect.poll(() => row.getByTestId('user-locked').textContent()).toContain('已锁定');
  await screenshot(page, 'users-locked');
  await row.getByTestId('user-unlock').click();
  await expect.poll(() => page.locator('.el-message--success').textContent()).toContain('已解锁');
  await expect.poll(() => row.getByTestId('user-locked').count()).toBe(0);
  expect((await api<LoginResult>(server.url, LOGIN, { e: 'agent3@gongdan.dev', p: 'gongdan123' })).login.__typename).toBe('LoginPayload');
  await ctx.close();
});
