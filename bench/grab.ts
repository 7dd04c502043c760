// Grab race: 200 agents, 50 pool tickets, four agents per ticket, all requests in
// flight at once — through GraphQL over HTTP, and as the raw SQL it comes down to
// (one conditional UPDATE per agent on its own connection), on the same database.
import pg from 'pg';
import { admin, globalId, makePoolTickets, type BenchDatabase, type Person } from './db.ts';
import { gql, keepAliveAgent } from './http.ts';
import type { ServerProcess } from './processes.ts';
import { nowMs, round } from './stats.ts';

export interface RaceResult {
  winners: number;
  losses: number;
  failures: number;
  settleMs: number;
}

const GRAB = `mutation ($id: ID!) { grabTicket(input: { ticketId: $id }) { __typename } }`;

/** One race through GraphQL; agents are spread round-robin over `servers`. */
export async function graphqlRace(bdb: BenchDatabase, servers: ServerProcess[], agents: Person[], typeId: string, creatorId: string, tickets = 50): Promise<RaceResult> {
  const ids = await makePoolTickets(bdb.db, typeId, creatorId, tickets, 'grab');
  const httpAgents = servers.map(() => keepAliveAgent(agents.length));
  try {
    // Open every connection first (and warm each server's caches).
    await Promise.all(agents.map((a, i) => gql(servers[i % servers.length]!.url, '{ __typename }', {}, { agent: httpAgents[i % servers.length] })));
    const start = nowMs();
    let last = start;
    const outcomes = await Promise.all(
      agents.map(async (a, i) => {
        const r = await gql<{ grabTicket: { __typename: string } }>(
          servers[i % servers.length]!.url,
          GRAB,
          { id: globalId('Ticket', ids[i % ids.length]!) },
          { token: a.token, agent: httpAgents[i % servers.length] },
        );
        last = Math.max(last, nowMs());
        return r.data?.grabTicket.__typename ?? `error: ${r.errors?.[0]?.message}`;
      }),
    );
    // The database agrees: one assignee per ticket.
    const assigned = await bdb.db.prisma.ticket.count({ where: { id: { in: ids }, assigneeId: { not: null } } });
    const winners = outcomes.filter((o) => o === 'TicketPayload').length;
    if (assigned !== winners) throw new Error(`responses say ${winners} winners, the database ${assigned}`);
    return {
      winners,
      losses: outcomes.filter((o) => o === 'TicketAlreadyTaken').length,
      failures: outcomes.filter((o) => o !== 'TicketPayload' && o !== 'TicketAlreadyTaken').length,
      settleMs: round(last - start),
    };
  } finally {
    for (const a of httpAgents) a.destroy();
  }
}

/** How many connections the raw race may open without starving the server. */
export async function rawConnectionBudget(wanted: number): Promise<number> {
  const [row] = await admin<{ max: number; used: number; reserved: number }>(
    `SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved, (SELECT count(*)::int FROM pg_stat_activity) AS used`,
  );
  return Math.max(1, Math.min(wanted, row!.max - row!.reserved - row!.used - 10));
}

/** The same race as raw SQL: `agents.length` conditional UPDATEs over `connections` connections. */
export async function rawRace(bdb: BenchDatabase, agents: Person[], typeId: string, creatorId: string, connections: number, tickets = 50): Promise<RaceResult> {
  const ids = await makePoolTickets(bdb.db, typeId, creatorId, tickets, 'raw');
  const failures: unknown[] = [];
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: bdb.url });
      // A connection ended by the server must fail the race, not the process.
      c.on('error', (e) => failures.push(e));
      await c.connect();
      await c.query('SELECT 1');
      return c;
    }),
  );
  try {
    const sql = `UPDATE "Ticket" SET status = 'PROCESSING', "assigneeId" = $2, "acceptedAt" = now(), version = version + 1
                 WHERE id = $1 AND status = 'NEW' AND "assigneeId" IS NULL`;
    const start = nowMs();
    let last = start;
    // Agent i uses connection i % connections; with fewer connections than agents a
    // connection sends its agents' statements one after another.
    const counts = await Promise.all(
      clients.map(async (c, k) => {
        let won = 0;
        for (let i = k; i < agents.length; i += connections) {
          won += (await c.query(sql, [ids[i % ids.length], agents[i]!.id])).rowCount ?? 0;
          last = Math.max(last, nowMs());
        }
        return won;
      }),
    );
    if (failures.length) throw failures[0];
    const winners = counts.reduce((x, y) => x + y, 0);
    return { winners, losses: agents.length - winners, failures: 0, settleMs: round(last - start) };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
