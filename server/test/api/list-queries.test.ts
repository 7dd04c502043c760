// No N+1: a board list costs a small constant number of SQL statements, counted from
// what Prisma actually sends, whether the page holds 50 tickets or 200.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actor, makeUser, uid } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { makeType } from '../support/tickets.ts';

let t: TestApp;
let manager: { token: string };
let agent: { token: string };
beforeAll(async () => {
  t = await startTestApp();
  const p = t.db.prisma;
  manager = await actor(p, 'MANAGER');
  agent = await actor(p, 'AGENT');
  const type = await makeType(p);
  const creator = await makeUser(p, 'AGENT');
  const assignees = await Promise.all(Array.from({ length: 5 }, () => makeUser(p, 'AGENT')));
  const orgs = await Promise.all(Array.from({ length: 5 }, () => p.organization.create({ data: { name: `公司-${uid()}` } })));
  for (let i = 0; i < 200; i++) {
    const tk = await p.ticket.create({
      data: {
        title: `问题 ${i}`,
        typeId: type.id,
        priority: (['URGENT', 'HIGH', 'NORMAL', 'LOW'] as const)[i % 4]!,
        status: i % 3 === 0 ? 'NEW' : 'PROCESSING',
        channel: 'WEB',
        creatorId: creator.id,
        assigneeId: i % 3 === 0 ? null : assignees[i % 5]!.id,
        organizationId: orgs[i % 5]!.id,
      },
    });
    await p.comment.createMany({
      data: [
        { ticketId: tk.id, authorId: creator.id, body: `first ${i}`, visibility: 'PUBLIC', createdAt: new Date(Date.now() - 60_000) },
        { ticketId: tk.id, authorId: creator.id, body: `last ${i}`, visibility: 'INTERNAL' },
      ],
    });
  }
}, 120_000);
afterAll(() => t.close());

const LIST = /* GraphQL */ `
  query ($first: Int!) {
    tickets(first: $first, orderBy: PRIORITY) {
      edges { node { id number title priority status type { name } assignee { id name } organization { name } lastComment { body author { name } } } }
    }
  }
`;

async function statements(query: string, variables: Record<string, unknown>, token: string) {
  t.queries.length = 0;
  const r = await t.gql<Record<string, { edges: unknown[] }>>(query, variables, token);
  expect(r.errors).toBeUndefined();
  return { count: t.queries.length, rows: Object.values(r.data!)[0]!.edges.length, sql: t.queries.map((q) => q.query) };
}

it('50 and 200 tickets with type, assignee, organisation and last comment cost the same few statements', async () => {
  // Warm up the session touch (written at most once a minute) so it is not counted.
  await statements(LIST, { first: 1 }, manager.token);
  const fifty = await statements(LIST, { first: 50 }, manager.token);
  const all = await statements(LIST, { first: 200 }, manager.token);
  expect(fifty.rows).toBe(50);
  expect(all.rows).toBe(200);
  expect(fifty.count).toBeLessThanOrEqual(6);
  expect(all.count).toBe(fifty.count);
});

it('the same holds for an agent (visibility by eligible types) and for the pool with its seq', async () => {
  await statements(LIST, { first: 1 }, agent.token);
  const fifty = await statements(LIST, { first: 50 }, agent.token);
  const all = await statements(LIST, { first: 200 }, agent.token);
  expect(fifty.count).toBeLessThanOrEqual(6);
  expect(all.count).toBe(fifty.count);

  const POOL = `query ($first: Int!) { pool(first: $first) { seq totalCount edges { node { number title type { name } organization { name } lastComment { body } viewerRelations actions { command allowed } } } } }`;
  const p50 = await statements(POOL, { first: 50 }, agent.token);
  const p200 = await statements(POOL, { first: 200 }, agent.token);
  expect(p50.rows).toBe(50);
  expect(p200.rows).toBe(67);
  expect(p50.count).toBeLessThanOrEqual(6);
  expect(p200.count).toBe(p50.count);
});
