// Board list: a manager's ticket list of 50 and of 200 tickets with type, assignee,
// organisation and last comment. The app runs in this process (so every SQL statement
// Prisma sends can be counted per request) on a real port; requests go one at a time.
import { pino } from 'pino';
import { buildApp } from '../server/src/app.ts';
import { openDatabase } from '../server/src/infra/db/client.ts';
import { makePeople, type BenchDatabase } from './db.ts';
import { gql } from './http.ts';
import { freePort } from './processes.ts';
import { median, nowMs, round } from './stats.ts';

export const BOARD_QUERY = /* GraphQL */ `query Board($first: Int!) {
  tickets(first: $first, orderBy: PRIORITY) {
    edges { node { id number title priority status type { name } assignee { id name } organization { name } lastComment { body author { name } } } }
  }
}`;

export interface BoardResult {
  size: number;
  rows: number;
  statements: number[];
  p50Ms: number;
}

export async function boardList(bdb: BenchDatabase, sizes: number[], requests: number): Promise<BoardResult[]> {
  const p = bdb.db.prisma;
  // 200 tickets of their own type, assignees, organisations, a public and an internal comment each.
  const type = await p.ticketType.create({ data: { name: 'bench-board', assignmentModes: ['MANAGER'] } });
  const [manager] = await makePeople(bdb.db, 'MANAGER', 1, 'board');
  const staff = await makePeople(bdb.db, 'AGENT', 6, 'board');
  const orgs = await p.organization.createManyAndReturn({ data: Array.from({ length: 5 }, (_, i) => ({ name: `公司 ${i}` })), select: { id: true } });
  const tickets = await p.ticket.createManyAndReturn({
    data: Array.from({ length: 200 }, (_, i) => ({
      title: `问题 ${i}`,
      typeId: type.id,
      priority: (['URGENT', 'HIGH', 'NORMAL', 'LOW'] as const)[i % 4]!,
      status: i % 3 === 0 ? ('NEW' as const) : ('PROCESSING' as const),
      channel: 'WEB' as const,
      creatorId: staff[0]!.id,
      assigneeId: i % 3 === 0 ? null : staff[1 + (i % 5)]!.id,
      organizationId: orgs[i % 5]!.id,
    })),
    select: { id: true },
  });
  await p.comment.createMany({
    data: tickets.flatMap((t, i) => [
      { ticketId: t.id, authorId: staff[0]!.id, body: `first ${i}`, visibility: 'PUBLIC' as const, createdAt: new Date(Date.now() - 60_000) },
      { ticketId: t.id, authorId: staff[0]!.id, body: `last ${i}`, visibility: 'INTERNAL' as const },
    ]),
  });
  // Other scenarios' tickets may exist too: the list is every ticket a manager sees,
  // ordered, as a board shows it; pages of 50 and 200 are full either way.

  let statements = 0;
  const db = await openDatabase({ url: bdb.url, poolSize: 10, log: () => void statements++ });
  const port = await freePort();
  const app = buildApp({
    config: { PORT: port, HOST: '127.0.0.1', SESSION_TTL_HOURS: 24, WEB_DIST: '/nonexistent', GRAPHIQL: false, SHUTDOWN_GRACE_MS: 1000, JOB_POLL_MS: 60_000, RATE_LIMIT_ENABLED: false },
    db,
    logger: pino({ level: 'silent' }),
    runJobs: false,
  });
  const { url } = await app.start();
  try {
    const out: BoardResult[] = [];
    for (const size of sizes) {
      // Warm-up (and the session's last-seen touch, written at most once a minute).
      for (let i = 0; i < 3; i++) await gql(url, BOARD_QUERY, { first: size }, { token: manager!.token });
      const counts: number[] = [];
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < requests; i++) {
        statements = 0;
        const t0 = nowMs();
        const r = await gql<{ tickets: { edges: unknown[] } }>(url, BOARD_QUERY, { first: size }, { token: manager!.token });
        times.push(nowMs() - t0);
        counts.push(statements);
        if (r.errors) throw new Error(JSON.stringify(r.errors));
        rows = r.data!.tickets.edges.length;
      }
      out.push({ size, rows, statements: [...new Set(counts)].sort((a, b) => a - b), p50Ms: round(median(times)) });
    }
    return out;
  } finally {
    await app.stop();
    await db.close();
  }
}
