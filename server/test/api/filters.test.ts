// Every filter the list queries offer, through the API. The query forms behind them are
// where the two databases could differ — array operators on text[] and enum[] columns
// (has, hasSome), case-insensitive search (ILIKE), ranges of timestamps — so this file
// runs on PostgreSQL and, in the server-pglite project, on the embedded database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId, makeUser, uid } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { makeType } from '../support/tickets.ts';

let t: TestApp;
let manager: { token: string };
let agent: { token: string };
const tag = uid();
let numbers: { tagged: number; both: number; plain: number };
let ids: { org: string; type: string; grabType: string; managerType: string };
let since: Date;

beforeAll(async () => {
  t = await startTestApp();
  const p = t.db.prisma;
  manager = await actor(p, 'MANAGER');
  agent = await actor(p, 'AGENT');
  const creator = await makeUser(p, 'AGENT');
  const grabType = await makeType(p, { modes: ['GRAB', 'MANAGER'] });
  const managerType = await makeType(p, { modes: ['MANAGER'] });
  const org = await p.organization.create({ data: { name: `Acme 华东-${tag}` } });
  const ticket = (title: string, tags: string[], data: Record<string, unknown> = {}) =>
    p.ticket.create({ data: { title, tags, typeId: grabType.id, priority: 'NORMAL', channel: 'WEB', creatorId: creator.id, ...data } });
  const old = await ticket(`很久以前 ${tag}`, [], { createdAt: new Date('2020-01-01T00:00:00Z') });
  since = new Date(old.createdAt.getTime() + 1000);
  const tagged = await ticket(`Printer JAM 打印机卡纸 ${tag}`, [`vip-${tag}`]);
  const both = await ticket(`发票 ${tag}`, [`vip-${tag}`, `退款-${tag}`], { organizationId: org.id, priority: 'URGENT' });
  const plain = await ticket(`普通 ${tag}`, []);
  await p.ticket.create({ data: { title: `只许派单 ${tag}`, typeId: managerType.id, priority: 'LOW', channel: 'WEB', creatorId: creator.id } });
  numbers = { tagged: tagged.number, both: both.number, plain: plain.number };
  ids = { org: globalId('Organization', org.id), type: globalId('TicketType', grabType.id), grabType: grabType.id, managerType: managerType.id };
});
afterAll(() => t.close());

async function ticketNumbers(filter: Record<string, unknown>, token = manager.token): Promise<number[]> {
  const r = await t.gql<{ tickets: { edges: { node: { number: string } }[] } }>(
    'query ($f: TicketFilter) { tickets(first: 200, filter: $f, orderBy: OLDEST) { edges { node { number } } } }',
    { f: filter },
    token,
  );
  expect(r.errors).toBeUndefined();
  return r.data!.tickets.edges.map((e) => Number(e.node.number.replace(/\D/g, '')));
}

describe('ticket filters', () => {
  it('tags: tickets with any of the tags (hasSome on text[])', async () => {
    expect(await ticketNumbers({ tags: [`vip-${tag}`] })).toEqual([numbers.tagged, numbers.both]);
    expect(await ticketNumbers({ tags: [`退款-${tag}`, 'none'] })).toEqual([numbers.both]);
    expect(await ticketNumbers({ tags: ['none'] })).toEqual([]);
  });

  it('search: the title, whatever the case, in Chinese too; or the number', async () => {
    expect(await ticketNumbers({ search: `printer jam` })).toContain(numbers.tagged);
    expect(await ticketNumbers({ search: `PRINTER jam 打印机卡纸 ${tag}` })).toEqual([numbers.tagged]);
    expect(await ticketNumbers({ search: `卡纸 ${tag}` })).toEqual([numbers.tagged]);
    expect(await ticketNumbers({ search: `T-${String(numbers.plain).padStart(6, '0')}` })).toEqual([numbers.plain]);
  });

  it('priority, organisation, type and creation time', async () => {
    expect(await ticketNumbers({ priorities: ['URGENT'], search: tag })).toEqual([numbers.both]);
    expect(await ticketNumbers({ organizationId: ids.org })).toEqual([numbers.both]);
    const byType = await ticketNumbers({ typeIds: [ids.type], createdAfter: since.toISOString() });
    expect(byType).toEqual([numbers.tagged, numbers.both, numbers.plain]);
    expect(await ticketNumbers({ search: tag, createdBefore: since.toISOString() })).toHaveLength(1);
  });

  it('the pool of an agent: the types that allow grabbing (has on an enum[] column)', async () => {
    const r = await t.gql<{ pool: { edges: { node: { title: string } }[] } }>(
      'query ($f: TicketFilter) { pool(first: 200, filter: $f) { edges { node { title } } } }',
      { f: { search: tag } },
      agent.token,
    );
    expect(r.errors).toBeUndefined();
    const titles = r.data!.pool.edges.map((e) => e.node.title);
    expect(titles).toHaveLength(4);
    expect(titles).not.toContain(`只许派单 ${tag}`);
  });
});

describe('directory filters', () => {
  it('users by skill (has on text[]), by name or email whatever the case, by role and active flag', async () => {
    const p = t.db.prisma;
    const skilled = await makeUser(p, 'AGENT', { name: `Zhang Wei ${tag}`, skills: [`网络-${tag}`, 'billing'] });
    const inactive = await makeUser(p, 'STAFF', { name: `Li Na ${tag}`, active: false });
    const q = async (filter: Record<string, unknown>) => {
      const r = await t.gql<{ users: { edges: { node: { id: string } }[] } }>(
        'query ($f: UserFilter) { users(first: 100, filter: $f) { edges { node { id } } } }',
        { f: filter },
        manager.token,
      );
      expect(r.errors).toBeUndefined();
      return r.data!.users.edges.map((e) => e.node.id);
    };
    expect(await q({ skill: `网络-${tag}` })).toEqual([globalId('User', skilled.id)]);
    expect(await q({ search: `ZHANG wei ${tag}` })).toEqual([globalId('User', skilled.id)]);
    expect(await q({ search: skilled.email.toUpperCase() })).toEqual([globalId('User', skilled.id)]);
    expect(await q({ search: tag, roles: ['STAFF'] })).toEqual([globalId('User', inactive.id)]);
    expect(await q({ search: tag, active: false })).toEqual([globalId('User', inactive.id)]);
  });

  it('organisations and contacts by name, whatever the case', async () => {
    const r = await t.gql<{ organizations: { edges: { node: { name: string } }[] }; contacts: { edges: { node: { name: string } }[] } }>(
      'query ($s: String!) { organizations(search: $s) { edges { node { name } } } contacts(search: $s) { edges { node { name } } } }',
      { s: `acme 华东-${tag}` },
      manager.token,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.organizations.edges.map((e) => e.node.name)).toEqual([`Acme 华东-${tag}`]);
    expect(r.data!.contacts.edges).toEqual([]);
  });
});
