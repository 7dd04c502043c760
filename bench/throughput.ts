// Mutation throughput: createTicket requests per second against `{ __typename }` on the
// same server, with autocannon (in this process, sharing the cores with the server).
import autocannon from 'autocannon';
import type { BenchDatabase } from './db.ts';
import type { ServerProcess } from './processes.ts';
import { cpuMs } from './grab.ts';
import { round } from './stats.ts';

export interface LoadResult {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Server CPU time per request, ms. */
  serverCpuMsPerRequest: number;
}

async function load(label: string, server: ServerProcess, body: string, token: string | null, seconds: number, connections: number): Promise<LoadResult> {
  const url = server.url;
  const cpu0 = await cpuMs([server]);
  const r = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body,
  });
  const cpu = (await cpuMs([server])) - cpu0;
  return {
    label,
    serverCpuMsPerRequest: round(cpu / Math.max(1, r.requests.total), 2),
    rps: round(r.requests.average, 0),
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

export async function mutationThroughput(bdb: BenchDatabase, server: ServerProcess, token: string, typeGid: string, opts: { seconds: number; connections: number }) {
  const typename = await load('{ __typename }', server, JSON.stringify({ query: '{ __typename }' }), null, opts.seconds, opts.connections);
  const before = await bdb.db.prisma.ticket.count();
  const create = await load(
    'createTicket',
    server,
    JSON.stringify({
      query: 'mutation ($input: CreateTicketInput!) { createTicket(input: $input) { __typename ... on CreateTicketPayload { ticket { id number } } } }',
      variables: { input: { typeId: typeGid, title: '吞吐量测试', replyMethod: 'IM' } },
    }),
    token,
    opts.seconds,
    opts.connections,
  );
  // Every 2xx must have made a ticket (a GraphQL error would also answer 200).
  const made = (await bdb.db.prisma.ticket.count()) - before;
  return { typename, create, made };
}
