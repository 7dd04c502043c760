// The default path a new user takes: `pnpm start` with no DATABASE_URL boots the real
// server on an embedded PGlite, migrates, seeds the demo company, serves GraphQL and
// the health endpoints to every role, and shuts down cleanly on SIGTERM. Then the same
// data folder again: after a clean restart, and after a kill -9 in the middle of writes.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/infra/db/client.ts';
import { ServerProcess } from '../support/server-process.ts';

let server: ServerProcess;
let dataDir: string;
let base: string;

async function boot(dir = dataDir): Promise<void> {
  server = new ServerProcess('embedded', { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'info' });
  base = await server.started(120_000);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gongdan-boot-'));
  await boot();
}, 150_000);

afterAll(async () => {
  if (server.alive) server.proc.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  data: Record<string, unknown>;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function gql(query: string, token?: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

async function login(email: string): Promise<string> {
  const r = await gql('mutation ($e: String!) { login(input: { email: $e, password: "gongdan123" }) { ... on LoginPayload { token } } }', undefined, { e: email });
  const token = (r.data.login as { token?: string }).token;
  if (!token) throw new Error(`login failed for ${email}: ${JSON.stringify(r)}`);
  return token;
}

it('migrates, seeds the demo company and answers login → me → settings', async () => {
  expect(server.output).toContain('creating the embedded database');
  expect(server.output).toContain('migrations applied');
  expect(server.output).toContain('demo data seeded');
  expect(server.output).toContain('embedded database created');
  expect(existsSync(`${dataDir}.creating`)).toBe(false);
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });

  const token = await login('admin@gongdan.dev');
  expect(token).toMatch(/^gds_/);
  const r = await gql('{ me { role } ticketTypes { name } teams { name kind } users(first: 100) { edges { node { email } } } }', token);
  expect(r.errors).toBeUndefined();
  expect((r.data.me as { role: string }).role).toBe('ADMIN');
  expect((r.data.ticketTypes as { name: string }[]).map((x) => x.name).sort()).toEqual(
    ['产品咨询', '技术支持', '投诉建议', '订单问题', '账户问题'].sort(),
  );
  expect(r.data.teams).toEqual(expect.arrayContaining([{ name: '技术支持组', kind: 'ASSIST' }, { name: '财务组', kind: 'ASSIST' }]));
  const emails = (r.data.users as { edges: { node: { email: string } }[] }).edges.map((e) => e.node.email);
  expect(emails).toEqual(expect.arrayContaining(['agent1@gongdan.dev', 'agent8@gongdan.dev', 'manager2@gongdan.dev', 'staff3@gongdan.dev', 'customer1@gongdan.dev']));

  // GraphiQL for people with a browser.
  const page = await (await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } })).text();
  expect(page).toContain('gongdan GraphQL');
  // Self-contained: no script or stylesheet from a CDN.
  expect(page).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
}, 60_000);

// What each home view asks for, on the database exactly as the first start left it (the
// migrations ran on the open instance; the pool query once failed only here).
const CARD = 'totalCount seq edges { node { number status type { name } assignee { name } viewerRelations actions { command allowed reason } } }';
const HOME_QUERIES = {
  agent: `{ pool { ${CARD} } myOffers { ${CARD} } myTickets { ${CARD} } assistPool { ${CARD} } }`,
  manager: `{ pool { ${CARD} } openTickets { ${CARD} } assistPool { ${CARD} } myTickets { ${CARD} } }`,
  staff: `{ myTickets { ${CARD} } assistPool { ${CARD} } myOffers { ${CARD} } }`,
  customer: '{ tickets(first: 50) { totalCount edges { node { number status type { name } actions { command allowed } } } } }',
};
type Queue = { totalCount: number };

let ticketsBeforeRestart = 0;
let positionBeforeRestart = '';
let sessionBeforeRestart = '';

it('answers every role’s home queries on the freshly migrated database', async () => {
  const [agent, manager, staff, customer] = await Promise.all(
    ['agent2@gongdan.dev', 'manager1@gongdan.dev', 'staff1@gongdan.dev', 'customer1@gongdan.dev'].map(login),
  );
  const answers = {
    agent: await gql(HOME_QUERIES.agent, agent),
    manager: await gql(HOME_QUERIES.manager, manager),
    staff: await gql(HOME_QUERIES.staff, staff),
    customer: await gql(HOME_QUERIES.customer, customer),
  };
  for (const [role, r] of Object.entries(answers)) expect({ role, errors: r.errors }).toEqual({ role, errors: undefined });
  // The demo data fills each one's home view.
  expect((answers.agent.data.pool as Queue).totalCount).toBeGreaterThan(0);
  expect((answers.agent.data.myTickets as Queue).totalCount).toBeGreaterThan(0);
  expect((answers.manager.data.openTickets as Queue).totalCount).toBeGreaterThan(0);
  expect((answers.staff.data.myTickets as Queue).totalCount).toBeGreaterThan(0);
  expect((answers.customer.data.tickets as Queue).totalCount).toBeGreaterThan(0);

  ticketsBeforeRestart = ((await gql('{ tickets { totalCount } }', manager)).data.tickets as Queue).totalCount;
  positionBeforeRestart = (await gql('{ eventStreamPosition }', manager)).data.eventStreamPosition as string;
  sessionBeforeRestart = manager!;
}, 60_000);

it('shuts down gracefully on SIGTERM', async () => {
  server.proc.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(server.output).toContain('shutting down');
}, 30_000);

it('starts again on the same data folder: nothing to migrate, no second seed, data and sessions kept', async () => {
  await boot();
  expect(server.output).toContain('schema up to date');
  expect(server.output).not.toContain('demo data seeded');
  // A session from before the restart still works: it is a row, not process memory.
  const r = await gql('{ tickets { totalCount } eventStreamPosition me { email } }', sessionBeforeRestart);
  expect(r.errors).toBeUndefined();
  expect(r.data).toEqual({ tickets: { totalCount: ticketsBeforeRestart }, eventStreamPosition: positionBeforeRestart, me: { email: 'manager1@gongdan.dev' } });
  // And the agent's pool, on a database opened (not migrated) by this process.
  const agent = await gql(HOME_QUERIES.agent, await login('agent2@gongdan.dev'));
  expect(agent.errors).toBeUndefined();
}, 150_000);

it('recovers from a kill -9 in the middle of writes: every acknowledged write kept, nothing half written', async () => {
  const manager = await login('manager1@gongdan.dev');
  const types = (await gql('{ ticketTypes { id name } }', manager)).data.ticketTypes as { id: string; name: string }[];
  const typeId = types.find((t) => t.name === '产品咨询')!.id;
  const acknowledged: string[] = [];
  let killed = false;
  let failure: unknown = null;
  // 产品咨询 is dispatched automatically: each create is also a routing decision and an assignment.
  const input = (w: number, i: number) => ({
    typeId,
    title: `断电测试 ${w}-${i}`,
    description: '写入中途强制结束进程',
    idempotencyKey: `kill-${w}-${i}`,
    fieldValues: [{ key: 'product', value: 'standard' }],
  });
  const writer = async (w: number) => {
    for (let i = 0; !killed; i++) {
      try {
        const created = await gql(
          `mutation ($input: CreateTicketInput!) { createTicket(input: $input) { __typename ... on CreateTicketPayload { ticket { id } } ... on Error { message } } }`,
          manager,
          { input: input(w, i) },
        );
        const ticket = (created.data.createTicket as { ticket?: { id: string } }).ticket;
        if (!ticket) throw new Error(JSON.stringify(created));
        acknowledged.push(ticket.id);
        await gql(`mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename } }`, manager, {
          input: { ticketId: ticket.id, body: `内部备注 ${w}-${i}`, visibility: 'INTERNAL' },
        });
      } catch (e) {
        if (!killed) failure ??= e;
        return;
      }
    }
  };
  const writers = Promise.all([0, 1, 2, 3].map(writer));
  while (acknowledged.length < 12 && !failure) await new Promise((r) => setTimeout(r, 20));
  if (failure) throw failure;
  killed = true;
  server.proc.kill('SIGKILL');
  await server.exited;
  await writers;

  await boot();
  expect(server.output).toContain('schema up to date');
  expect(server.output).not.toContain('demo data seeded');
  const token = await login('manager1@gongdan.dev');
  for (const id of acknowledged) {
    const r = await gql('query ($id: ID!) { ticket(id: $id) { title timeline { edges { node { kind } } } } }', token, { id });
    expect(r.errors).toBeUndefined();
    const kinds = (r.data.ticket as { timeline: { edges: { node: { kind: string } }[] } }).timeline.edges.map((e) => e.node.kind);
    expect(kinds[0]).toBe('CREATED');
  }
  // It takes writes again.
  const after = await gql(
    `mutation ($input: CreateTicketInput!) { createTicket(input: $input) { __typename } }`,
    token,
    { input: { ...input(9, 0), title: '重启之后' } },
  );
  expect(after.data.createTicket).toEqual({ __typename: 'CreateTicketPayload' });
  await server.stop();

  // Nothing half written: every ticket has its CREATED event, every comment its COMMENTED
  // event (they are written in one transaction), and the event stream has no hole (seq
  // 1…n, the counter at n).
  const db = await openDatabase({ dataDir });
  try {
    const [check] = await db.prisma.$queryRawUnsafe<{ orphans: number; unrecorded: number; events: number; maxSeq: number; cursor: number }[]>(`
      SELECT (SELECT count(*)::int FROM "Ticket" t WHERE NOT EXISTS (SELECT 1 FROM "TimelineEvent" e WHERE e."ticketId" = t.id AND e.kind = 'CREATED')) AS orphans,
             (SELECT count(*)::int FROM "Comment" c WHERE NOT EXISTS (SELECT 1 FROM "TimelineEvent" e WHERE e.kind = 'COMMENTED' AND e.data->>'commentId' = c.id::text)) AS unrecorded,
             (SELECT count(*)::int FROM "TimelineEvent") AS events,
             (SELECT max(seq)::int FROM "TimelineEvent") AS "maxSeq",
             (SELECT seq::int FROM "EventCursor" WHERE id = 1) AS cursor`);
    expect(check).toEqual({ orphans: 0, unrecorded: 0, events: check!.cursor, maxSeq: check!.cursor, cursor: check!.cursor });
  } finally {
    await db.close();
  }
}, 240_000);

it('a first start stopped half way through the demo data leaves nothing: the next start makes all of it', async () => {
  const fresh = await mkdtemp(path.join(tmpdir(), 'gongdan-boot-interrupted-'));
  try {
    const first = new ServerProcess('embedded-interrupted', { PORT: '0', HOST: '127.0.0.1', DATA_DIR: fresh, LOG_LEVEL: 'info' });
    // The people are in; the demo tickets (about ten seconds of lifecycle commands) are not yet.
    while (!first.output.includes('demo data seeded:')) {
      if (!first.alive) throw new Error(first.output);
      await new Promise((r) => setTimeout(r, 10));
    }
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(first.output).not.toContain('demo tickets seeded');
    expect(existsSync(path.join(fresh, 'PG_VERSION'))).toBe(false);

    await boot(fresh);
    expect(server.output).toContain('embedded database created');
    const manager = await login('manager1@gongdan.dev');
    const r = await gql('{ tickets { totalCount } users(first: 100) { edges { cursor } } }', manager);
    expect(r.errors).toBeUndefined();
    expect((r.data.tickets as Queue).totalCount).toBe(41);
    expect((r.data.users as { edges: unknown[] }).edges).toHaveLength(24);
    await server.stop();
  } finally {
    await rm(fresh, { recursive: true, force: true });
    await rm(`${fresh}.creating`, { recursive: true, force: true });
  }
}, 240_000);
