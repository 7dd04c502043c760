// Fan-out: N graphql-ws subscribers watching the pool; a manager creates tickets, each
// CREATED event reaches every subscriber. Latency is commit → receipt: the payload's `at`
// (the event's transaction time, a few ms before its commit, so this errs against
// gongdan) to the moment the client has the frame. The baseline is a raw `ws` broadcast
// of a frame of the same size, timed from just before the send loop.
import type { Person } from './db.ts';
import { gql } from './http.ts';
import type { Memory, RawServer, ServerProcess } from './processes.ts';
import { round, sleep, summary } from './stats.ts';
import { Swarm } from './swarm.ts';

export const BOARD_SUBSCRIPTION = /* GraphQL */ `subscription Board {
  queueEvents(queues: [POOL]) { seq prevSeq reason ticketId committedAt changes { queue kind } ticket { id number title status priority createdAt } }
}`;

export interface FanoutResult {
  label: string;
  subscribers: number;
  events: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
  frameBytes: number;
  /** Per idle subscriber (connection + subscription), from a GC'd process before and after connecting. */
  memoryPerSubscriber?: { heapKiB: number; rssKiB: number };
  /** Server CPU time (user + system) per delivered payload during the measured events, µs. */
  serverCpuPerDeliveryUs: number;
  connectSeconds: number;
}

const readGongdan = (payload: unknown) => {
  // Latency counts from the commit, as the raw baseline counts from its send.
  const e = (payload as { data?: { queueEvents?: { ticketId: string; committedAt: string } } }).data?.queueEvents;
  return e ? { key: e.ticketId, at: Date.parse(e.committedAt) } : null;
};
const readRaw = (payload: unknown) => {
  const e = (payload as { data?: { raw?: { seq: number; sentAt: number } } }).data?.raw;
  return e ? { key: String(e.seq), at: e.sentAt } : null;
};

async function createTicket(url: string, token: string, typeId: string, i: number): Promise<string> {
  const r = await gql<{ createTicket: { ticket?: { id: string } } }>(
    url,
    `mutation ($input: CreateTicketInput!) { createTicket(input: $input) { ... on CreateTicketPayload { ticket { id } } ... on Error { message } } }`,
    { input: { typeId, title: `fan-out ${i}`, replyMethod: 'IM' } },
    { token },
  );
  const id = r.data?.createTicket.ticket?.id;
  if (!id) throw new Error(`createTicket failed: ${JSON.stringify(r)}`);
  return id;
}

/** CPU µs used so far by the processes, summed (the probe includes a few µs of its own). */
async function cpuOf(servers: ServerProcess[]): Promise<number> {
  const all = await Promise.all(servers.map((s) => s.memory(false)));
  return all.reduce((sum, m) => sum + m.cpu.user + m.cpu.system, 0);
}

const perSubscriber = (before: Memory, after: Memory, n: number) => ({
  heapKiB: round((after.heapUsed + after.external - before.heapUsed - before.external) / n / 1024),
  rssKiB: round((after.rss - before.rss) / n / 1024),
});

/**
 * `subscribers` clients spread evenly over `servers`; events are created through the
 * first server. With `memory`, the first server's memory per idle subscriber is taken.
 */
export async function gongdanFanout(opts: {
  label: string;
  servers: ServerProcess[];
  subscribers: Person[];
  manager: Person;
  typeGid: string;
  events: number;
  memory?: boolean;
}): Promise<FanoutResult> {
  const { servers, subscribers } = opts;
  const before = opts.memory ? await servers[0]!.memory(true) : null;
  const swarms = servers.map(
    (s, k) =>
      new Swarm({
        url: s.url,
        graphql: { tokens: subscribers.filter((_, i) => i % servers.length === k).map((p) => p.token), query: BOARD_SUBSCRIPTION },
        read: readGongdan,
      }),
  );
  const started = performance.now();
  await Promise.all(swarms.map((sw, k) => sw.connect(subscribers.filter((_, i) => i % servers.length === k).length)));
  const connectSeconds = (performance.now() - started) / 1000;
  const n = subscribers.length;
  const count = async (key: string, ms: number) => {
    const per = await Promise.all(swarms.map((sw, k) => sw.waitFor(key, subscribers.filter((_, i) => i % servers.length === k).length, ms)));
    return per.reduce((a, b) => a + b, 0);
  };
  try {
    // Warm-up: every subscription is live once all have received one event.
    const deadline = Date.now() + 60_000;
    for (let w = 0; ; w++) {
      const key = await createTicket(servers[0]!.url, opts.manager.token, opts.typeGid, -1 - w);
      if ((await count(key, 15_000)) === n || Date.now() > deadline) break;
    }
    let memoryPerSubscriber: FanoutResult['memoryPerSubscriber'];
    if (before) {
      await sleep(500);
      memoryPerSubscriber = perSubscriber(before, await servers[0]!.memory(true), n);
    }
    const latencies: number[] = [];
    let delivered = 0;
    const cpu0 = await cpuOf(servers);
    for (let e = 0; e < opts.events; e++) {
      const key = await createTicket(servers[0]!.url, opts.manager.token, opts.typeGid, e);
      delivered += await count(key, 30_000);
      for (const sw of swarms) latencies.push(...(sw.byKey.get(key) ?? []));
      await sleep(100);
    }
    const cpu = (await cpuOf(servers)) - cpu0;
    const s = summary(latencies);
    const errors = swarms.flatMap((sw) => sw.errors);
    if (errors.length) console.warn(`  ${opts.label}: ${errors.length} client errors, e.g. ${errors[0]}`);
    return {
      label: opts.label,
      subscribers: n,
      events: opts.events,
      delivered,
      expected: n * opts.events,
      p50: round(s.p50),
      p99: round(s.p99),
      max: round(s.max),
      frameBytes: swarms[0]!.frameBytes,
      memoryPerSubscriber,
      serverCpuPerDeliveryUs: round(cpu / Math.max(1, delivered)),
      connectSeconds: round(connectSeconds),
    };
  } finally {
    await Promise.all(swarms.map((sw) => sw.close()));
  }
}

/** The baseline: `n` raw ws clients, `events` broadcasts of a `frameBytes` frame. */
export async function rawFanout(opts: { server: RawServer; subscribers: number; events: number; frameBytes: number; memory?: boolean }): Promise<FanoutResult> {
  const before = opts.memory ? await opts.server.memory(true) : null;
  const swarm = new Swarm({ url: opts.server.url, read: readRaw });
  const started = performance.now();
  await swarm.connect(opts.subscribers);
  const connectSeconds = (performance.now() - started) / 1000;
  try {
    await sleep(200);
    let memoryPerSubscriber: FanoutResult['memoryPerSubscriber'];
    if (before) memoryPerSubscriber = perSubscriber(before, await opts.server.memory(true), opts.subscribers);
    // Warm-up broadcast, then the measured ones.
    await opts.server.broadcast(0, opts.frameBytes);
    await swarm.waitFor('0', opts.subscribers, 15_000);
    const latencies: number[] = [];
    let delivered = 0;
    const cpu0 = await cpuOf([opts.server]);
    for (let e = 1; e <= opts.events; e++) {
      await opts.server.broadcast(e, opts.frameBytes);
      delivered += await swarm.waitFor(String(e), opts.subscribers, 30_000);
      latencies.push(...(swarm.byKey.get(String(e)) ?? []));
      await sleep(100);
    }
    const cpu = (await cpuOf([opts.server])) - cpu0;
    const s = summary(latencies);
    return {
      label: 'raw ws',
      subscribers: opts.subscribers,
      events: opts.events,
      delivered,
      expected: opts.subscribers * opts.events,
      p50: round(s.p50),
      p99: round(s.p99),
      max: round(s.max),
      frameBytes: swarm.frameBytes,
      memoryPerSubscriber,
      serverCpuPerDeliveryUs: round(cpu / Math.max(1, delivered)),
      connectSeconds: round(connectSeconds),
    };
  } finally {
    await swarm.close();
  }
}
