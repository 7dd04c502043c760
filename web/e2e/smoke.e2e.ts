// The board loads in a real browser on the real server: login, shell, live indicator.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, login, newContext, screenshot, startServer, type E2EServer } from './harness.ts';

let server: E2EServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('logs in, shows the shell in Chinese and goes live', async () => {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/login`);
  await expect.poll(() => page.locator('.login').textContent()).toContain('演示账号');
  await screenshot(page, 'login');
  await login(page, server.url, 'agent1@gongdan.dev');
  await expect.poll(() => page.getByTestId('user-menu').textContent()).toContain('客服');
  await ctx.close();
});
