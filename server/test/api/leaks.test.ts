// Data that must not leak past the visibility rules: a notification's ticket, the people
// @mentioned on a comment, and what a customer may put on a ticket they file (the reply
// address, the channel and priority, an attachment's storage key).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId, uid } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { collect, settle, wsClient } from '../support/ws.ts';
import { createTicket, makeType, mutate, rawId, uidOf } from '../support/tickets.ts';

let t: TestApp;
const p = () => t.db.prisma;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
// Each test starts once the server has ended the previous one's subscriptions (see settle).
afterEach(() => settle(t));

/** A ticket worked by an agent of its type, with an internal note and an internal-only field. */
async function workedTicket() {
  const agent = await actor(p(), 'AGENT');
  const colleague = await actor(p(), 'AGENT'); // also serves the type: may see its tickets
  const outsider = await actor(p(), 'STAFF'); // internal, not involved: may not
  const customer = await actor(p(), 'CUSTOMER');
  await p().contact.create({ data: { name: '客户', userId: customer.user.id } });
  const type = await makeType(p(), {
    modes: ['GRAB'],
    agentIds: [agent.user.id, colleague.user.id],
    fields: [{ key: 'cost', kind: 'TEXT', customerVisible: false }],
  });
  const c = await createTicket(t, agent.token, type.id, { fieldValues: [{ key: 'cost', value: '内部成本 300 元' }] });
  expect((await mutate(t, 'grabTicket', { ticketId: c.gid }, agent.token)).__typename).toBe('TicketPayload');
  return { agent, colleague, outsider, customer, type, c };
}

const NOTIFICATIONS = /* GraphQL */ `
  query { notifications(first: 20) { edges { node { kind ticket { id title fieldValues { key value } comments { edges { node { body visibility } } } } } } } }
`;
type Notifications = {
  notifications: { edges: { node: { kind: string; ticket: { id: string; comments: { edges: { node: { body: string } }[] } } | null } }[] };
};

describe('a mention notifies; it does not grant access', () => {
  it('a mentioned colleague who may not see the ticket keeps the notification, but its ticket is null, as ticket(id) is', async () => {
    const { agent, colleague, outsider, c } = await workedTicket();
    const note = await mutate(
      t,
      'addComment',
      { ticketId: c.gid, body: '内部: 客户是老客户, 可以退款', visibility: 'INTERNAL', mentionUserIds: [uidOf(outsider.user.id), uidOf(colleague.user.id)] },
      agent.token,
    );
    expect(note.__typename).toBe('AddCommentPayload');

    const seen = await t.gql<Notifications>(NOTIFICATIONS, {}, outsider.token);
    expect(seen.errors).toBeUndefined();
    const mentions = seen.data!.notifications.edges.filter((e) => e.node.kind === 'MENTION');
    expect(mentions).toHaveLength(1);
    expect(mentions[0]!.node.ticket).toBeNull();
    const direct = await t.gql<{ ticket: unknown }>(`query ($id: ID!) { ticket(id: $id) { id } }`, { id: c.gid }, outsider.token);
    expect(direct.data?.ticket).toBeNull();

    // The same rule, not a blanket null: a colleague who may see the ticket gets it.
    const theirs = await t.gql<Notifications>(NOTIFICATIONS, {}, colleague.token);
    const theirMention = theirs.data!.notifications.edges.find((e) => e.node.kind === 'MENTION');
    expect(theirMention?.node.ticket?.id).toBe(c.gid);
    expect(theirMention?.node.ticket?.comments.edges.map((e) => e.node.body)).toEqual(['内部: 客户是老客户, 可以退款']);
  });

  it('the live notification of the mention carries no ticket either', async () => {
    const url = await t.listen();
    const { agent, outsider, c } = await workedTicket();
    const client = wsClient(url, outsider.token);
    type N = { myNotifications: { kind: string; ticket: { id: string; title: string } | null } };
    const got = collect<N>(client, `subscription { myNotifications { kind ticket { id title } } }`);
    await settle(t);
    await mutate(t, 'addComment', { ticketId: c.gid, body: '内部: 请看', visibility: 'INTERNAL', mentionUserIds: [uidOf(outsider.user.id)] }, agent.token);
    const items = await got.until((xs) => xs.length >= 1);
    expect(got.errors).toEqual([]);
    expect(items[0]!.myNotifications).toEqual({ kind: 'MENTION', ticket: null });
    got.close();
    await client.dispose();
  });

  it('access that is granted (an assist) shows the ticket on the same notification', async () => {
    const { agent, outsider, c } = await workedTicket();
    await mutate(t, 'addComment', { ticketId: c.gid, body: '内部: 请看', visibility: 'INTERNAL', mentionUserIds: [uidOf(outsider.user.id)] }, agent.token);
    const before = await t.gql<Notifications>(NOTIFICATIONS, {}, outsider.token);
    expect(before.data!.notifications.edges.map((e) => e.node.ticket)).toEqual([null]);
    expect((await mutate(t, 'requestAssist', { ticketId: c.gid, toUserId: uidOf(outsider.user.id), note: '请协助' }, agent.token)).__typename).toBe('AssistPayload');
    const after = await t.gql<Notifications>(NOTIFICATIONS, {}, outsider.token);
    expect(after.data!.notifications.edges.map((e) => [e.node.kind, e.node.ticket?.id]).sort()).toEqual([
      ['ASSIST_REQUEST', c.gid],
      ['MENTION', c.gid],
    ]);
  });
});

describe('mentions are internal', () => {
  it('customers do not see who was mentioned on a public reply; internal people do', async () => {
    const { agent, colleague, customer, type } = await workedTicket();
    const mine = await createTicket(t, customer.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: mine.gid }, agent.token);
    await mutate(t, 'addComment', { ticketId: mine.gid, body: '您好, 已转同事核实', visibility: 'PUBLIC', mentionUserIds: [uidOf(colleague.user.id)] }, agent.token);
    const q = `query ($id: ID!) { ticket(id: $id) { comments { edges { node { body mentions { id name } } } } } }`;
    type V = { ticket: { comments: { edges: { node: { body: string; mentions: { id: string }[] } }[] } } };
    const asCustomer = await t.gql<V>(q, { id: mine.gid }, customer.token);
    expect(asCustomer.errors).toBeUndefined();
    expect(asCustomer.data!.ticket.comments.edges.map((e) => e.node)).toEqual([{ body: '您好, 已转同事核实', mentions: [] }]);
    const asAgent = await t.gql<V>(q, { id: mine.gid }, agent.token);
    expect(asAgent.data!.ticket.comments.edges[0]!.node.mentions.map((m) => m.id)).toEqual([uidOf(colleague.user.id)]);
  });

  it('a customer cannot mention anyone (and so notify internal people): NotAllowed, nothing written', async () => {
    const { agent, customer, type } = await workedTicket();
    const mine = await createTicket(t, customer.token, type.id);
    await mutate(t, 'grabTicket', { ticketId: mine.gid }, agent.token);
    const before = { comments: await p().comment.count({ where: { ticketId: mine.id } }), notes: await p().notification.count({ where: { userId: agent.user.id } }) };
    const r = await mutate(t, 'addComment', { ticketId: mine.gid, body: '@客服 快点', mentionUserIds: [uidOf(agent.user.id)] }, customer.token);
    expect(r).toMatchObject({ __typename: 'NotAllowed', code: 'NOT_ALLOWED' });
    expect({ comments: await p().comment.count({ where: { ticketId: mine.id } }), notes: await p().notification.count({ where: { userId: agent.user.id } }) }).toEqual(before);
    // Without mentions the same comment goes through.
    expect((await mutate(t, 'addComment', { ticketId: mine.gid, body: '快点' }, customer.token)).__typename).toBe('AddCommentPayload');
  });
});

describe('what a customer chooses when filing a ticket', () => {
  async function customerWithContact() {
    const customer = await actor(p(), 'CUSTOMER');
    const contact = await p().contact.create({ data: { name: '李雷', userId: customer.user.id, email: `Lilei-${uid()}@Example.com`, phone: '138 0013 8000' } });
    const type = await makeType(p(), { modes: ['GRAB'] });
    return { customer, contact, type };
  }
  const CREATE = /* GraphQL */ `
    mutation ($input: CreateTicketInput!) {
      createTicket(input: $input) { __typename ... on CreateTicketPayload { ticket { id channel priority replyMethod replyAddress } } ... on ValidationFailed { fieldErrors { field message } } }
    }
  `;
  type Created = { createTicket: { __typename: string; ticket?: { id: string; channel: string; priority: string; replyMethod: string; replyAddress: string | null }; fieldErrors?: { field: string }[] } };

  it.each([
    ['someone else\'s email', { replyMethod: 'EMAIL', replyAddress: 'ceo@rival.example' }, ['replyAddress']],
    ['someone else\'s phone', { replyMethod: 'SMS', replyAddress: '13900000000' }, ['replyAddress']],
    ['an address for in-app replies', { replyMethod: 'IM', replyAddress: 'agent-id' }, ['replyAddress']],
    ['an internal channel', { channel: 'PHONE' }, ['channel']],
    ['the API channel', { channel: 'API' }, ['channel']],
    ['a priority the portal does not offer', { priority: 'LOW' }, ['priority']],
    ['all of it', { channel: 'EMAIL', priority: 'LOW', replyMethod: 'EMAIL', replyAddress: 'x@rival.example' }, ['channel', 'priority', 'replyAddress']],
  ])('%s → ValidationFailed naming the field, nothing written', async (_what, input, expected) => {
    const { customer, type } = await customerWithContact();
    const title = `客户提单 ${uid()}`;
    const r = await t.gql<Created>(CREATE, { input: { typeId: globalId('TicketType', type.id), title, ...input } }, customer.token);
    expect(r.errors).toBeUndefined();
    expect(r.data?.createTicket.__typename).toBe('ValidationFailed');
    expect(r.data?.createTicket.fieldErrors?.map((e) => e.field).sort()).toEqual(expected);
    expect(await p().ticket.count({ where: { title } })).toBe(0);
    expect(await p().timelineEvent.count({ where: { ticket: { title } } })).toBe(0);
  });

  it('their own addresses (as typed), the portal channel and the portal\'s priorities are fine', async () => {
    const { customer, contact, type } = await customerWithContact();
    const gid = globalId('TicketType', type.id);
    const byEmail = await t.gql<Created>(CREATE, { input: { typeId: gid, title: '邮件', replyMethod: 'EMAIL', replyAddress: contact.email!.toUpperCase(), priority: 'URGENT', channel: 'PORTAL' } }, customer.token);
    expect(byEmail.data?.createTicket.ticket).toMatchObject({ channel: 'PORTAL', priority: 'URGENT', replyMethod: 'EMAIL', replyAddress: contact.email!.toUpperCase() });
    const bySms = await t.gql<Created>(CREATE, { input: { typeId: gid, title: '短信', replyMethod: 'SMS', replyAddress: '13800138000' } }, customer.token);
    expect(bySms.data?.createTicket.ticket).toMatchObject({ channel: 'PORTAL', priority: 'NORMAL', replyMethod: 'SMS' });
    // Their login email counts as theirs too; no address means the contact's.
    const byLogin = await t.gql<Created>(CREATE, { input: { typeId: gid, title: '登录邮箱', replyMethod: 'EMAIL', replyAddress: customer.user.email } }, customer.token);
    expect(byLogin.data?.createTicket.__typename).toBe('CreateTicketPayload');
    const byDefault = await t.gql<Created>(CREATE, { input: { typeId: gid, title: '默认', replyMethod: 'SMS' } }, customer.token);
    expect(byDefault.data?.createTicket.ticket?.replyAddress).toBe('138 0013 8000');
  });

  it('internal people still file for customers on any channel, priority and address', async () => {
    const agent = await actor(p(), 'AGENT');
    const { contact, type } = await customerWithContact();
    const r = await t.gql<Created>(
      CREATE,
      { input: { typeId: globalId('TicketType', type.id), title: '来电', contactId: globalId('Contact', contact.id), channel: 'PHONE', priority: 'LOW', replyMethod: 'EMAIL', replyAddress: 'assistant@example.com' } },
      agent.token,
    );
    expect(r.data?.createTicket.ticket).toMatchObject({ channel: 'PHONE', priority: 'LOW', replyAddress: 'assistant@example.com' });
  });
});

describe('attachments', () => {
  const ADD = /* GraphQL */ `
    mutation ($input: AddAttachmentInput!) { addAttachment(input: $input) { __typename ... on AddAttachmentPayload { attachment { id fileName storageKey } } } }
  `;
  it('the server assigns the storage key; a client cannot choose one', async () => {
    const { agent, c } = await workedTicket();
    const chosen = await t.gql(ADD, { input: { ticketId: c.gid, fileName: 'a.txt', contentType: 'text/plain', size: 3, storageKey: `tickets/${uid()}/someone-elses.pdf` } }, agent.token);
    expect(chosen.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await p().attachment.count({ where: { ticketId: c.id } })).toBe(0);

    type A = { addAttachment: { attachment: { id: string; storageKey: string } } };
    const [one, two] = await Promise.all(
      ['a.txt', 'a.txt'].map((fileName) => t.gql<A>(ADD, { input: { ticketId: c.gid, fileName, contentType: 'text/plain', size: 3 } }, agent.token)),
    );
    const keys = [one!, two!].map((r) => r.data!.addAttachment.attachment.storageKey);
    expect(new Set(keys).size).toBe(2);
    for (const k of keys) {
      expect(k).not.toContain('a.txt');
      expect(k.startsWith(`attachments/${c.id}/`)).toBe(true);
    }
    const rows = await p().attachment.findMany({ where: { ticketId: c.id }, select: { id: true, storageKey: true } });
    expect(rows.map((x) => x.storageKey).sort()).toEqual([...keys].sort());
    expect(rows.map((x) => x.id).sort()).toEqual([one!, two!].map((r) => rawId(r.data!.addAttachment.attachment.id)).sort());
  });
});
