// The ticket workspace and ticket creation in real browsers on the real server:
// handover (the target accepts live, the requester becomes a read-only sharer), an
// assist to a team through its manager, the reply box, and the dynamic create form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, apiLogin, launchBrowser, login, newContext, screenshot, startServer, type E2EServer } from './harness.ts';

let server: E2EServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let customer: string;
let orderType: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  customer = await apiLogin(server.url, 'customer6@gongdan.dev');
  const r = await api<{ ticketTypes: { id: string; name: string }[] }>(server.url, '{ ticketTypes { id name } }', {}, customer);
  orderType = r.ticketTypes.find((t) => t.name === '订单问题')!.id;
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function page(email: string): Promise<Page> {
  const ctx = await newContext(browser);
  contexts.push(ctx);
  const p = await ctx.newPage();
  await login(p, server.url, email);
  return p;
}
async function live(p: Page) {
  await p.locator('[data-test=connection-indicator][data-state=live]').waitFor();
}
async function openBoard(p: Page) {
  await p.locator('[data-test=board][data-loaded=true]').waitFor();
  await live(p);
}
async function openTicket(p: Page, id: string) {
  await p.goto(`${server.url}/tickets/${encodeURIComponent(id)}`);
  await p.locator('[data-test=ticket-header][data-status]').waitFor();
  await live(p);
}
const card = (p: Page, queue: string, number: string) => p.locator(`[data-test=column-${queue}] [data-test="card-${number}"]`);
const action = (p: Page, command: string) => p.locator(`[data-test=action-${command}]`);
/** Element Plus puts data-test on the <textarea> itself, or on a wrapper of it. */
const textarea = (id: string) => `textarea[data-test=${id}], [data-test=${id}] textarea`;
/** Picks an option of the Element Plus select that is open now. */
async function pick(p: Page, select: string, option: string) {
  const root = p.getByTestId(select);
  const inner = root.locator('.el-select__wrapper');
  await ((await inner.count()) ? inner.first() : root).click();
  await p.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
}

/** A new 订单问题 ticket from the customer, grabbed by `agentEmail` through the API. */
async function ticketWorkedBy(agentEmail: string, title: string): Promise<{ id: string; number: string }> {
  const r = await api<{ createTicket: { ticket: { id: string; number: string } } }>(
    server.url,
    `mutation ($input: CreateTicketInput!) { createTicket(input: $input) { ... on CreateTicketPayload { ticket { id number } } } }`,
    {
      input: {
        typeId: orderType,
        title,
        description: '上周下单的餐椅收到时一把椅腿开裂，申请退货退款，照片已拍好。',
        replyMethod: 'EMAIL',
        fieldValues: [
          { key: 'order_no', value: 'SO-7503318' },
          { key: 'issue_category', value: 'refund' },
          { key: 'amount', value: 1299 },
        ],
      },
    },
    customer,
  );
  const tk = r.createTicket.ticket;
  const agent = await apiLogin(server.url, agentEmail);
  const g = await api<{ grabTicket: { __typename: string } }>(server.url, `mutation ($id: ID!) { grabTicket(input: { ticketId: $id }) { __typename } }`, { id: tk.id }, agent);
  expect(g.grabTicket.__typename).toBe('TicketPayload');
  return tk;
}

describe('ticket workspace', () => {
  it('handover: the target sees the request live and accepts; the requester stays on as a read-only sharer', async () => {
    const tk = await ticketWorkedBy('agent2@gongdan.dev', '移交测试：餐椅椅腿开裂申请退货');
    const [requester, target] = await Promise.all([page('agent2@gongdan.dev'), page('agent3@gongdan.dev')]);
    await openBoard(target);
    await openTicket(requester, tk.id);

    // 移交: the picker lists eligible agents only (订单问题: every agent), never yourself.
    await action(requester, 'REQUEST_HANDOVER').locator('button').click();
    await requester.getByTestId('dialog-agent').click();
    const options = requester.locator('.el-select-dropdown__item:visible');
    await expect.poll(() => options.count()).toBe(7);
    expect((await options.allTextContents()).join('|')).not.toMatch(/李俊|黄志强|周建国/);
    await options.filter({ hasText: '张敏' }).click();
    await requester.locator(textarea('dialog-text')).fill('明天起休假三天，请张敏接手跟进退货。');
    await requester.getByTestId('dialog-submit').click();
    await requester.getByTestId('banner-handover-pending').waitFor();

    // The target's board shows the request live and takes it over.
    const request = card(target, 'MY_OFFERS', tk.number);
    await request.waitFor();
    await expect.poll(() => request.getByTestId('handover-request').textContent()).toContain('李俊 请求移交');
    await request.getByTestId('accept-handover').click();
    await card(target, 'MY_TICKETS', tk.number).waitFor();

    // The requester's open workspace follows live: shared, read-only, actions disabled with the reason.
    await requester.getByTestId('banner-shared').waitFor();
    await expect.poll(() => requester.getByTestId('assignee').textContent()).toContain('张敏');
    await expect.poll(() => requester.getByTestId('sharers').textContent()).toContain('李俊');
    await expect.poll(() => action(requester, 'RESOLVE').getAttribute('data-allowed')).toBe('false');
    expect(await action(requester, 'RESOLVE').locator('button').isDisabled()).toBe(true);
    expect(await action(requester, 'REQUEST_HANDOVER').locator('button').isDisabled()).toBe(true);
    await action(requester, 'RESOLVE').hover();
    await expect.poll(() => requester.locator('.el-popper:visible').last().textContent()).toContain('仅受理人可以办结');
    await requester.locator('[data-event-kind=HANDED_OVER]').waitFor();
    // A sharer only views: the reply box is closed to them, public reply and internal note alike.
    await expect.poll(() => requester.locator(textarea('compose-body')).isDisabled()).toBe(true);
    expect(await requester.getByTestId('compose-send').isDisabled()).toBe(true);

    // Its board no longer lists it under 待我处理.
    await requester.goto(server.url);
    await openBoard(requester);
    await expect.poll(() => card(requester, 'MY_TICKETS', tk.number).count()).toBe(0);
  });

  it('assist to a team: its manager assigns it from the assist pool, the handler completes it, the requester sees the answer live', async () => {
    const tk = await ticketWorkedBy('agent2@gongdan.dev', '退款申请：餐椅椅腿开裂，需财务审核退款');
    const [agent, finance] = await Promise.all([page('agent2@gongdan.dev'), page('staff2@gongdan.dev')]);
    await openBoard(finance);
    await openTicket(agent, tk.id);

    // A public reply and an internal note with an @mention and an attachment (metadata only).
    await agent.locator(textarea('compose-body')).fill('谢女士您好，已收到退货申请，我们会在今天内安排上门取件。');
    await agent.getByTestId('compose-send').click();
    await agent.getByTestId('timeline-public').filter({ hasText: '上门取件' }).waitFor();
    await agent.getByTestId('compose-internal').click();
    await agent.locator(textarea('compose-body')).fill('@林晓燕 客户已提供开裂照片，金额 1299 元，麻烦优先审核退款。');
    await agent.getByTestId('compose-attach').locator('input[type=file]').setInputFiles({ name: '椅腿开裂照片.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(245_760, 1) });
    await agent.locator('.compose .el-tag', { hasText: '椅腿开裂照片.jpg' }).waitFor();
    await agent.getByTestId('compose-send').click();
    const note = agent.getByTestId('timeline-internal').filter({ hasText: '优先审核退款' });
    await note.waitFor();
    await expect.poll(() => note.textContent()).toContain('@林晓燕');
    await expect.poll(() => note.getByTestId('attachment').textContent()).toContain('椅腿开裂照片.jpg');

    // 转办 to 财务组 (its manager dispatches).
    await action(agent, 'REQUEST_ASSIST').locator('button').click();
    await pick(agent, 'dialog-team', '财务组');
    await agent.locator(textarea('dialog-text')).fill('请财务审核退款 1299 元，订单 SO-7503318。');
    await agent.getByTestId('dialog-submit').click();
    await agent.locator('[data-event-kind=ASSIST_REQUESTED]').waitFor();

    // 财务组's manager sees it in the assist pool, live, and gives it to herself.
    const pooled = card(finance, 'ASSIST_POOL', tk.number);
    await pooled.waitFor();
    await pooled.getByTestId('dispatch-assist').click();
    await pick(finance, 'assist-member', '林晓燕');
    await finance.getByTestId('assist-dispatch-submit').click();
    const mine = card(finance, 'MY_TICKETS', tk.number);
    await mine.waitFor();
    await expect.poll(() => mine.getByTestId('assist-badge').count()).toBe(1);
    await expect.poll(() => card(finance, 'ASSIST_POOL', tk.number).count()).toBe(0);

    // She opens it and completes the assist with her answer.
    await mine.click();
    await finance.locator('[data-test=ticket-header][data-status]').waitFor();
    await finance.getByTestId('banner-assist').waitFor();
    await action(finance, 'COMPLETE_ASSIST').locator('button').click();
    await finance.locator(textarea('dialog-text')).fill('退款 1299 元已审核通过，预计 1–3 个工作日原路退回。');
    await finance.getByTestId('dialog-submit').click();
    await finance.locator('[data-event-kind=ASSIST_COMPLETED]').waitFor();

    // The requester's workspace shows the answer live, without a reload.
    const done = agent.locator('[data-event-kind=ASSIST_COMPLETED]');
    await done.waitFor();
    await expect.poll(() => done.textContent()).toContain('已审核通过');
    await expect.poll(() => agent.getByTestId('assists-card').textContent()).toContain('已完成');

    // For the docs: the requester's workspace at a calm moment (a fresh load, no toasts).
    await agent.reload();
    await agent.locator('[data-test=ticket-header][data-status]').waitFor();
    await agent.locator('[data-event-kind=ASSIST_COMPLETED]').waitFor();
    await live(agent);
    await expect.poll(() => agent.locator('.el-loading-mask:visible').count()).toBe(0);
    await screenshot(agent, 'workspace');
  });

  it('a command on a ticket that changed meanwhile is refused with "changed meanwhile — reloaded"', async () => {
    const tk = await ticketWorkedBy('agent5@gongdan.dev', '并发测试：同时修改同一工单');
    const agent = await page('agent5@gongdan.dev');
    await openTicket(agent, tk.id);
    const version = Number(await agent.getByTestId('ticket-header').getAttribute('data-version'));

    // Hold the workspace's reloads, so it keeps the version it has while someone else writes.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await agent.route('**/graphql', async (route) => {
      if (route.request().postData()?.includes('"operationName":"WorkspaceTicket"')) await gate;
      await route.continue();
    });
    const manager = await apiLogin(server.url, 'manager1@gongdan.dev');
    await api(server.url, `mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "主管备注：客户是老客户，注意语气。", visibility: INTERNAL }) { __typename } }`, { id: tk.id }, manager);
    await agent.getByTestId('timeline-internal').filter({ hasText: '主管备注' }).waitFor();

    // The status change carries the old version: refused, and the workspace reloads.
    await action(agent, 'SET_STATUS').locator('button').click();
    await agent.getByTestId('status-WAITING_CUSTOMER').click();
    await agent.waitForTimeout(300);
    release();
    await expect.poll(() => agent.locator('.el-message').allTextContents()).toContainEqual(expect.stringContaining('已被他人修改，已重新加载'));
    await expect.poll(async () => Number(await agent.getByTestId('ticket-header').getAttribute('data-version'))).toBeGreaterThan(version);
    expect(await agent.getByTestId('ticket-header').getAttribute('data-status')).toBe('PROCESSING');
    await agent.unroute('**/graphql');

    // With the fresh version the same command goes through.
    await action(agent, 'SET_STATUS').locator('button').click();
    await agent.getByTestId('status-WAITING_CUSTOMER').click();
    await expect.poll(() => agent.getByTestId('ticket-header').getAttribute('data-status')).toBe('WAITING_CUSTOMER');
  });

  it('creates a ticket from the type\'s field template, with server field errors shown on the fields', async () => {
    const p = await page('agent2@gongdan.dev');
    await p.goto(`${server.url}/tickets/new`);
    await p.getByTestId('type-订单问题').click();
    await p.getByTestId('create-title').fill('客户来电：发票抬头需要更换');
    // An order number the template refuses (spaces, #), and a required field left empty.
    await p.getByTestId('field-order_no').locator('input').fill('DD 2026 #77');
    await p.getByTestId('create-submit').click();
    const formItem = (key: string) => p.locator('.el-form-item', { has: p.getByTestId(`field-${key}`) });
    await expect.poll(() => formItem('order_no').locator('.el-form-item__error').textContent()).toContain('只能包含字母');
    await expect.poll(() => formItem('issue_category').locator('.el-form-item__error').textContent()).toContain('此项必填');

    await p.getByTestId('field-order_no').locator('input').fill('DD20261121000777');
    await pick(p, 'field-issue_category', '发票开具');
    await p.getByTestId('field-amount').locator('input').fill('860');
    await pick(p, 'create-organization', '广州美家家居用品有限公司');
    await pick(p, 'create-contact', '谢婷');
    await p.getByTestId('create-submit').click();

    await p.waitForURL(/\/tickets\/(?!new)/);
    await p.locator('[data-test=ticket-header][data-status=NEW]').waitFor();
    await expect.poll(() => p.getByTestId('ticket-title').textContent()).toBe('客户来电：发票抬头需要更换');
    await expect.poll(() => p.getByTestId('field-value-order_no').textContent()).toBe('DD20261121000777');
    await expect.poll(() => p.getByTestId('field-value-issue_category').textContent()).toBe('发票开具');
    // In the pool now, so the creator (an eligible agent) may grab it from here.
    expect(await action(p, 'GRAB').getAttribute('data-allowed')).toBe('true');
  });
});
