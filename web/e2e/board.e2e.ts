// The agent board in real browsers on the real server: live queues without reloads, the
// grab race between two agents, a manager's dispatch with the eligible-agent picker, and
// a manager reassigning a ticket in progress or sending one back to the pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, apiLogin, launchBrowser, login, newContext, screenshot, startServer, type E2EServer } from './harness.ts';

let server: E2EServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let customer: string;
let types: Record<string, string>;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  customer = await apiLogin(server.url, 'customer6@gongdan.dev');
  const r = await api<{ ticketTypes: { id: string; name: string }[] }>(server.url, '{ ticketTypes { id name } }', {}, customer);
  types = Object.fromEntries(r.ticketTypes.map((t) => [t.name, t.id]));
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

/** A logged-in board, live (websocket connected) and loaded. */
async function board(email: string): Promise<Page> {
  const ctx = await newContext(browser);
  contexts.push(ctx);
  const page = await ctx.newPage();
  await login(page, server.url, email);
  await page.locator('[data-test=board][data-loaded=true]').waitFor();
  await page.locator('[data-test=connection-indicator][data-state=live]').waitFor();
  // Marks the document: if it is still there at the end, nothing reloaded the page.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  return page;
}
const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);
const card = (page: Page, queue: string, number: string) => page.locator(`[data-test=column-${queue}] [data-test="card-${number}"]`);

async function createTicket(type: string, title: string, fieldValues: { key: string; value: unknown }[]): Promise<{ id: string; number: string }> {
  const r = await api<{ createTicket: { __typename: string; ticket?: { id: string; number: string } } }>(
    server.url,
    `mutation ($input: CreateTicketInput!) { createTicket(input: $input) { __typename ... on CreateTicketPayload { ticket { id number } } } }`,
    { input: { typeId: types[type], title, fieldValues, replyMethod: 'IM' } },
    customer,
  );
  if (!r.createTicket.ticket) throw new Error(`createTicket: ${r.createTicket.__typename}`);
  return r.createTicket.ticket;
}
const orderFields = (no: string) => [
  { key: 'order_no', value: no },
  { key: 'issue_category', value: 'order_query' },
];

describe('agent board', () => {
  it('two agents grab the same ticket at once: exactly one wins, the other is told who took it, the card leaves both pools live', async () => {
    const [a, b] = await Promise.all([board('agent2@gongdan.dev'), board('agent3@gongdan.dev')]);
    const grabs = { a: 0, b: 0 };
    a.on('request', (r) => r.postData()?.includes('"BoardGrab"') && grabs.a++);
    b.on('request', (r) => r.postData()?.includes('"BoardGrab"') && grabs.b++);

    // A new ticket appears in both pools live (no polling, no reload).
    const tk = await createTicket('订单问题', '抢单测试：订单状态一直显示待发货', orderFields('DD20261121009001'));
    await Promise.all([card(a, 'POOL', tk.number).waitFor(), card(b, 'POOL', tk.number).waitFor()]);

    await Promise.all([card(a, 'POOL', tk.number).getByTestId('grab').click(), card(b, 'POOL', tk.number).getByTestId('grab').click()]);

    // Exactly one of them has it now.
    const assignee = async () =>
      (await api<{ ticket: { assignee: { name: string } | null } }>(server.url, 'query ($id: ID!) { ticket(id: $id) { assignee { name } } }', { id: tk.id }, customer)).ticket.assignee
        ?.name ?? null;
    await expect.poll(assignee).not.toBeNull();
    const winnerName = (await assignee())!;
    const [winner, loser] = winnerName === '李俊' ? [a, b] : [b, a];
    expect(['李俊', '张敏']).toContain(winnerName);

    // The loser is told who took it; the card is gone from both pools, and only the winner has it.
    await expect.poll(() => loser.locator('.el-message.grab-taken').textContent()).toContain(winnerName);
    await card(winner, 'MY_TICKETS', tk.number).waitFor();
    await expect.poll(() => card(a, 'POOL', tk.number).count()).toBe(0);
    await expect.poll(() => card(b, 'POOL', tk.number).count()).toBe(0);
    await expect.poll(() => card(loser, 'MY_TICKETS', tk.number).count()).toBe(0);
    expect(grabs.a).toBe(1);
    expect(grabs.b).toBe(1);
    expect(await notReloaded(a)).toBe(true);
    expect(await notReloaded(b)).toBe(true);

    // A double click grabs once: the button is disabled while the grab is in flight.
    const next = await createTicket('订单问题', '抢单测试：双击只发一次', orderFields('DD20261121009002'));
    await card(a, 'POOL', next.number).waitFor();
    const before = grabs.a;
    await card(a, 'POOL', next.number).getByTestId('grab').dblclick();
    await card(a, 'MY_TICKETS', next.number).waitFor();
    await a.waitForTimeout(300);
    expect(grabs.a - before).toBe(1);
    await card(b, 'POOL', next.number).waitFor({ state: 'detached' });
  });

  it('a manager dispatches from the pool to an eligible agent, who sees the offer live with its countdown and accepts', async () => {
    const [manager, agent] = await Promise.all([board('manager1@gongdan.dev'), board('agent3@gongdan.dev')]);
    // 账户问题: dispatched by managers to 一线客服组 (agent1–5), accepted within 15 minutes.
    const tk = await createTicket('账户问题', '派单测试：子账号无法登录', [
      { key: 'account', value: 'meijia-ops-02' },
      { key: 'issue_category', value: 'login' },
    ]);
    await card(manager, 'POOL', tk.number).waitFor();
    await card(manager, 'OPEN', tk.number).waitFor();
    await card(manager, 'POOL', tk.number).getByTestId('dispatch').click();

    // The picker lists the type's eligible agents only, with load and presence.
    await manager.getByTestId('dispatch-agent').click();
    const options = manager.locator('.dispatch-agent-popper .el-select-dropdown__item');
    await expect.poll(() => options.count()).toBe(5);
    const texts = await options.allTextContents();
    expect(texts.join('|')).not.toContain('杨帆'); // agent6 is not in 一线客服组
    expect(texts.find((x) => x.includes('张敏'))).toMatch(/负载 \d+\/15/);
    await manager.locator('.dispatch-agent-popper .el-select-dropdown__item', { hasText: '张敏' }).click();
    await manager.getByTestId('dispatch-submit').click();

    // It leaves the pool; the agent gets the offer live, with a countdown, and accepts it.
    await card(manager, 'POOL', tk.number).waitFor({ state: 'detached' });
    const offer = card(agent, 'MY_OFFERS', tk.number);
    await offer.waitFor();
    await expect.poll(() => offer.getByTestId('offer-countdown').textContent()).toMatch(/1[45]:\d\d 后过期/);
    await offer.getByTestId('accept-offer').click();
    await card(agent, 'MY_TICKETS', tk.number).waitFor();
    await expect.poll(() => card(agent, 'MY_OFFERS', tk.number).count()).toBe(0);
    // The manager's 全部未结 follows: now in progress with 张敏.
    await expect.poll(() => card(manager, 'OPEN', tk.number).textContent()).toContain('张敏');
    expect(await notReloaded(manager)).toBe(true);

    // Filters and search narrow every column at once.
    await manager.getByTestId('board-search').fill(tk.number);
    await expect.poll(() => manager.locator('[data-test=column-OPEN] article').count()).toBe(1);
    await manager.getByTestId('board-search').fill('');

    // For the docs: the agent's board as it opens (a fresh load, no toasts).
    await agent.reload();
    await agent.locator('[data-test=board][data-loaded=true]').waitFor();
    await agent.locator('[data-test=connection-indicator][data-state=live]').waitFor();
    await expect.poll(() => agent.locator('.el-loading-mask:visible').count()).toBe(0);
    await screenshot(agent, 'board');
  });

  it('a manager reassigns a ticket in progress and sends another back to the pool, with a reason; the agents\' boards follow live', async () => {
    const [manager, holder, next] = await Promise.all([board('manager2@gongdan.dev'), board('agent7@gongdan.dev'), board('agent6@gongdan.dev')]);
    const holderToken = await apiLogin(server.url, 'agent7@gongdan.dev');
    const grab = (id: string) => api(server.url, 'mutation ($id: ID!) { grabTicket(input: { ticketId: $id }) { __typename } }', { id }, holderToken);
    const moved = await createTicket('订单问题', '改派测试：发票抬头开错需重开', orderFields('DD20261121009101'));
    const back = await createTicket('订单问题', '退回测试：其实是账户问题，类型选错了', orderFields('DD20261121009102'));
    await grab(moved.id);
    await grab(back.id);
    await Promise.all([card(holder, 'MY_TICKETS', moved.number).waitFor(), card(holder, 'MY_TICKETS', back.number).waitFor()]);

    // 改派 from 全部未结: the picker leaves out the current assignee, and a reason is required.
    const open = card(manager, 'OPEN', moved.number);
    await expect.poll(() => open.textContent()).toContain('赵磊');
    await open.getByTestId('reassign').click();
    const dialog = manager.getByTestId('reassign-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('dispatch-agent').click();
    const options = manager.locator('.dispatch-agent-popper:visible .el-select-dropdown__item');
    await expect.poll(() => options.count()).toBeGreaterThan(0);
    expect((await options.allTextContents()).join('|')).not.toContain('赵磊');
    await options.filter({ hasText: '杨帆' }).click();
    expect(await dialog.getByTestId('dispatch-submit').isDisabled()).toBe(true);
    await dialog.locator('textarea').fill('赵磊今天外出培训，发票重开交给杨帆跟进。');
    // The picture once the picker has faded out and the reason enabled the button.
    await expect.poll(() => manager.locator('.dispatch-agent-popper:visible').count()).toBe(0);
    await expect.poll(() => dialog.getByTestId('dispatch-submit').isEnabled()).toBe(true);
    await screenshot(manager, 'board-reassign');
    await dialog.getByTestId('dispatch-submit').click();

    // It leaves the holder's 待我处理 and shows up in the new assignee's, without a reload.
    await card(next, 'MY_TICKETS', moved.number).waitFor();
    await card(holder, 'MY_TICKETS', moved.number).waitFor({ state: 'detached' });
    await expect.poll(() => card(manager, 'OPEN', moved.number).textContent()).toContain('杨帆');

    // 退回待分配 with a reason: out of the holder's queue, into the pool of everyone who may grab it.
    await card(manager, 'OPEN', back.number).getByTestId('return-to-pool').click();
    const prompt = manager.locator('.return-to-pool-prompt');
    await prompt.locator('textarea').fill('客户反馈的是账户登录问题，退回重新分配。');
    await prompt.locator('.el-button--primary').click();
    await card(holder, 'MY_TICKETS', back.number).waitFor({ state: 'detached' });
    await card(next, 'POOL', back.number).waitFor();
    await card(manager, 'POOL', back.number).waitFor();

    // The timeline keeps both reasons.
    const timeline = await api<{ a: { timeline: { edges: { node: { kind: string; data: { reason?: string } } }[] } }; b: { timeline: { edges: { node: { kind: string; data: { reason?: string } } }[] } } }>(
      server.url,
      'query ($a: ID!, $b: ID!) { a: ticket(id: $a) { timeline { edges { node { kind data } } } } b: ticket(id: $b) { timeline { edges { node { kind data } } } } }',
      { a: moved.id, b: back.id },
      await apiLogin(server.url, 'manager2@gongdan.dev'),
    );
    expect(timeline.a.timeline.edges.find((e) => e.node.kind === 'REASSIGNED')?.node.data.reason).toContain('外出培训');
    expect(timeline.b.timeline.edges.find((e) => e.node.kind === 'RETURNED_TO_POOL')?.node.data.reason).toContain('账户登录问题');
    for (const p of [manager, holder, next]) expect(await notReloaded(p)).toBe(true);
  });
});
