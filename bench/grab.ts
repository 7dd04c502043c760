// Grab race: 200 agents, 50 pool tickets, four agents per ticket, all requests in
// flight at once — through GraphQL over HTTP, and as the raw SQL it comes down to
// (one conditional UPDATE per agent on its own connection), on the same database.
import pg from 'pg';
import { admin, globalId, makePoolTickets, type BenchDatabase, type Person } from './db.ts';
import { gql, keepAliveAgent } from './http.ts';
import type { ServerProcess } from './processes.ts';
import { nowMs, round } from './stats.ts';

export interface RaceResult {
  /** Tickets with an assignee afterwards (the database's word). */
  winners: number;
  /** Connections the raw race actually used. */
  connections?: number;
  losses: number;
  failures: number;
  settleMs: number;
  /** Server CPU time per grab request (GraphQL race; all instances), ms. */
  serverCpuMsPerRequest?: number;
}

const GRAB = `mutation ($id: ID!) { grabTicket(input: { ticketId: $id }) { __typename } }`;

/** One race through GraphQL; agents are spread round-robin over `servers`. */
export async function graphqlRace(bdb: BenchDatabase, servers: ServerProcess[], agents: Person[], typeId: string, creatorId: string, tickets = 50): Promise<RaceResult> {
  const ids = await makePoolTickets(bdb.db, typeId, creatorId, tickets, 'grab');
  const httpAgents = servers.map(() => keepAliveAgent(agents.length));
  try {
    // Open every connection first (and warm each server's caches).
    await Promise.all(agents.map((a, i) => gql(servers[i % servers.length]!.url, '{ __typename }', {}, { agent: httpAgents[i % servers.length] })));
    const cpu0 = await cpuMs(servers);
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
    // Winners are what the database holds (a request can fail after its grab committed,
    // e.g. when the machine's PostgreSQL runs out of connections; that shows as a failure).
    const cpu = (await cpuMs(servers)) - cpu0;
    const winners = await bdb.db.prisma.ticket.count({ where: { id: { in: ids }, assigneeId: { not: null } } });
    return {
      serverCpuMsPerRequest: round(cpu / agents.length, 2),
      winners,
      losses: outcomes.filter((o) => o === 'TicketAlreadyTaken').length,
      failures: outcomes.filter((o) => o !== 'TicketPayload' && o !== 'TicketAlreadyTaken').length,
      settleMs: round(last - start),
    };
  } finally {
    for (const a of httpAgents) a.destroy();
  }
}

/** CPU ms the server processes used so far, summed. */
export async function cpuMs(servers: ServerProcess[]): Promise<number> {
  const all = await Promise.all(servers.map((s) => s.memory(false)));
  return all.reduce((sum, m) => sum + (m.cpu.user + m.cpu.system) / 1000, 0);
}

/** How many connections the raw race may open without starving the server. */
export async function rawConnectionBudget(wanted: number): Promise<number> {
  const [row] = await admin<{ max: number; used: number; reserved: number }>(
    `SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved, (SELECT count(*)::int FROM pg_stat_activity) AS used`,
  );
  // A margin for the servers' pools and for whoever else uses this PostgreSQL meanwhile.
  return Math.max(10, Math.min(wanted, row!.max - row!.reserved - row!.used - 30));
}

/** The same race as raw SQL: `agents.length` conditional UPDATEs over `connections` connections. */
export async function rawRace(bdb: BenchDatabase, agents: Person[], typeId: string, creatorId: string, connections: number, tickets = 50): Promise<RaceResult> {
  const ids = await makePoolTickets(bdb.db, typeId, creatorId, tickets, 'raw');
  const failures: unknown[] = [];
  const clients: pg.Client[] = [];
  for (const c of await Promise.allSettled(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: bdb.url });
      // A connection ended by the server must fail the race, not the process.
      c.on('error', (e) => failures.push(e));
      await c.connect();
      await c.query('SELECT 1');
      return c;
    }),
  )) {
    if (c.status === 'fulfilled') clients.push(c.value);
  }
  // Others share this PostgreSQL: race on the connections we got.
  if (clients.length === 0) throw new Error('no connection for the raw race');
  connections = clients.length;
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
    return { winners, losses: agents.length - winners, failures: 0, settleMs: round(last - start), connections };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
