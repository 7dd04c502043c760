// `pnpm bench`: gongdan against raw baselines, each scenario next to its baseline in the
// same run. Prints one table, writes bench/results/<date>.json and appends a row to
// bench/RESULTS.md. It reports; it never fails on a figure.
//
//   pnpm bench                      everything (about 6 minutes on 2 cores)
//   pnpm bench --only fanout,grab   some scenarios: grab, fanout, throughput, board, memory, multi
//   pnpm bench --quick              small sizes, to check the harness (results not recorded)
//
// Needs PostgreSQL (BENCH_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres)
// and, for the two-instance scenario, Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379).
// Creates and drops a database of its own. Server processes are real children of this
// one; clients run here; everything shares the machine's cores.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { boardList, type BoardResult } from './board.ts';
import { createBenchDatabase, globalId, makeGrabType, makePeople, type BenchDatabase } from './db.ts';
import { gongdanFanout, rawFanout, type FanoutResult } from './fanout.ts';
import { graphqlRace, rawConnectionBudget, rawRace, type RaceResult } from './grab.ts';
import { REDIS_URL, redisUnavailable } from './multi.ts';
import { startRawServer, startServer, type ServerProcess } from './processes.ts';
import { median, ratio } from './stats.ts';
import { mutationThroughput } from './throughput.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a, i) => a.startsWith('--only') && (a.includes('=') || args[i + 1]));
const only = onlyArg ? new Set((onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1]!).split(',')) : null;
const wants = (s: string) => !only || only.has(s);

const SIZES = quick ? { fanout: [100, 300], events: 5, grabAgents: 40, grabTickets: 10, rounds: 1, seconds: 2, board: 10 } : { fanout: [1000, 5000], events: 20, grabAgents: 200, grabTickets: 50, rounds: 3, seconds: 8, board: 30 };
const GRAB_POOL = process.env.BENCH_GRAB_POOL ?? '20';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const started = Date.now();
const loadAtStart = os.loadavg();
const log = (m: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${m}`);

interface Results {
  grab?: { graphql: RaceResult[]; raw: RaceResult[]; rawConnections: number; poolSize: number };
  fanout?: { raw: FanoutResult[]; shared: FanoutResult[]; naive: FanoutResult[] };
  throughput?: Awaited<ReturnType<typeof mutationThroughput>>;
  board?: BoardResult[];
  memory?: { gongdan?: FanoutResult['memoryPerSubscriber']; naive?: FanoutResult['memoryPerSubscriber']; raw?: FanoutResult['memoryPerSubscriber']; subscribers: number };
  multi?: { skipped: string } | { grab: { graphql: RaceResult[]; raw: RaceResult[] }; fanout: FanoutResult[] };
  /** Scenarios that failed, with why (the others still ran). */
  errors?: Record<string, string>;
}

async function main() {
  const results: Results = {};
  const servers: ServerProcess[] = [];
  let bdb: BenchDatabase | undefined;
  const cleanup = async () => {
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await bdb?.drop().catch((e: unknown) => console.error('dropping the bench database failed:', e));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    log('creating and migrating the bench database');
    bdb = await createBenchDatabase();
    const tag = randomBytes(3).toString('hex');
    const maxFanout = Math.max(...SIZES.fanout);
    const [manager] = await makePeople(bdb.db, 'MANAGER', 1, tag);
    const agents = await makePeople(bdb.db, 'AGENT', Math.max(maxFanout, SIZES.grabAgents), tag);
    const typeId = await makeGrabType(bdb.db, tag);
    const typeGid = globalId('TicketType', typeId);
    log(`seeded ${agents.length} agents with sessions`);

    const db = bdb;
    const errors: Record<string, string> = {};
    // A scenario that fails (a server that will not start, a database connection cut from
    // outside) is reported, and the others still run.
    const phase = async (name: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (e) {
        errors[name] = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
        log(`${name} failed: ${errors[name]}`);
      } finally {
        await Promise.all(servers.splice(0).map((s) => s.stop().catch(() => undefined)));
      }
    };
    results.errors = errors;

    if (wants('board'))
      await phase('board', async () => {
        log('board list (in-process app, statements counted)');
        results.board = await boardList(db, [50, 200], SIZES.board);
      });

    const start = async (name: string, env: Record<string, string>) => {
      const s = await startServer(name, db.url, env);
      servers.push(s);
      return s;
    };
    const stop = async (s: ServerProcess) => {
      await s.stop();
      servers.splice(servers.indexOf(s), 1);
    };

    if (wants('grab') || wants('throughput')) await phase('grab/throughput', async () => {
      const server = await start('gongdan', { DB_POOL_SIZE: GRAB_POOL });
      if (wants('grab')) {
        const grabAgents = agents.slice(0, SIZES.grabAgents);
        const rawConnections = await rawConnectionBudget(SIZES.grabAgents);
        log(`grab race: ${grabAgents.length} agents x ${SIZES.grabTickets} tickets, GraphQL (pool ${GRAB_POOL}) vs raw SQL (${rawConnections} connections)`);
        const graphql: RaceResult[] = [];
        const raw: RaceResult[] = [];
        for (let r = 0; r < SIZES.rounds; r++) {
          raw.push(await rawRace(db, grabAgents, typeId, manager!.id, rawConnections, SIZES.grabTickets));
          graphql.push(await graphqlRace(db, [server], grabAgents, typeId, manager!.id, SIZES.grabTickets));
        }
        results.grab = { graphql, raw, rawConnections, poolSize: Number(GRAB_POOL) };
      }
      if (wants('throughput')) {
        log(`mutation throughput: autocannon, 50 connections, ${SIZES.seconds} s each`);
        results.throughput = await mutationThroughput(db, server, manager!.token, typeGid, { seconds: SIZES.seconds, connections: 50 });
      }
      await stop(server);
    });

    if (wants('fanout') || wants('memory')) await phase('fanout', async () => {
      const raw = await startRawServer();
      servers.push(raw);
      const shared = await start('gongdan-shared', { SUBSCRIPTION_SHARING: 'true' });
      const naive = await start('gongdan-naive', { SUBSCRIPTION_SHARING: 'false' });
      const fan: NonNullable<Results['fanout']> = { raw: [], shared: [], naive: [] };
      for (const n of SIZES.fanout) {
        const last = n === maxFanout;
        log(`fan-out ${n} subscribers x ${SIZES.events} events: shared execution`);
        const s = await gongdanFanout({ label: 'shared', servers: [shared], subscribers: agents.slice(0, n), manager: manager!, typeGid, events: SIZES.events, memory: last });
        fan.shared.push(s);
        log(`fan-out ${n}: raw ws (${s.frameBytes}-byte frames)`);
        fan.raw.push(await rawFanout({ server: raw, subscribers: n, events: SIZES.events, frameBytes: s.frameBytes, memory: last }));
        if (wants('fanout')) {
          log(`fan-out ${n}: naive (per-subscriber execution)`);
          fan.naive.push(await gongdanFanout({ label: 'naive', servers: [naive], subscribers: agents.slice(0, n), manager: manager!, typeGid, events: SIZES.events, memory: last }));
        }
      }
      results.fanout = fan;
      results.memory = { gongdan: fan.shared.at(-1)?.memoryPerSubscriber, naive: fan.naive.at(-1)?.memoryPerSubscriber, raw: fan.raw.at(-1)?.memoryPerSubscriber, subscribers: maxFanout };
      for (const s of [raw, shared, naive]) await stop(s);
    });

    if (wants('multi')) await phase('multi', async () => {
      const why = await redisUnavailable();
      if (why) {
        log(`two instances with Redis: skipped (${why})`);
        results.multi = { skipped: why };
      } else {
        const env = { REDIS_URL, REDIS_CHANNEL: `gongdan-bench:${tag}`, DB_POOL_SIZE: GRAB_POOL };
        const pair = [await start('gongdan-a', env), await start('gongdan-b', env)];
        const grabAgents = agents.slice(0, SIZES.grabAgents);
        const rawConnections = await rawConnectionBudget(SIZES.grabAgents);
        log(`two instances with Redis: grab race split over both`);
        const graphql: RaceResult[] = [];
        const raw: RaceResult[] = [];
        for (let r = 0; r < SIZES.rounds; r++) {
          raw.push(await rawRace(db, grabAgents, typeId, manager!.id, rawConnections, SIZES.grabTickets));
          graphql.push(await graphqlRace(db, pair, grabAgents, typeId, manager!.id, SIZES.grabTickets));
        }
        const fanout: FanoutResult[] = [];
        for (const n of SIZES.fanout) {
          log(`two instances with Redis: fan-out ${n} subscribers split over both, events from the first`);
          fanout.push(await gongdanFanout({ label: 'redis', servers: pair, subscribers: agents.slice(0, n), manager: manager!, typeGid, events: SIZES.events }));
        }
        results.multi = { grab: { graphql, raw }, fanout };
        for (const s of pair) await stop(s);
      }
    });
  } finally {
    await cleanup();
  }
  report(results);
}

// ───────────────────────────────────────── report ─────────────────────────────────────────

type Row = [scenario: string, measure: string, gongdan: string, baseline: string, ratio: string, target: string, verdict: string];

const verdict = (ok: boolean | null) => (ok === null ? '' : ok ? 'met' : 'MISSED');

function rows(r: Results): Row[] {
  const out: Row[] = [];
  if (r.grab) {
    const g = median(r.grab.graphql.map((x) => x.settleMs));
    const w = median(r.grab.raw.map((x) => x.settleMs));
    const wins = (xs: RaceResult[]) => xs.map((x) => x.winners).join('/');
    const failed = r.grab.graphql.reduce((n, x) => n + x.failures, 0);
    out.push(['1 grab race', `winners (must be ${SIZES.grabTickets})`, wins(r.grab.graphql), wins(r.grab.raw), '', `${SIZES.grabTickets}`, verdict([...r.grab.graphql, ...r.grab.raw].every((x) => x.winners === SIZES.grabTickets)) + (failed ? ` (${failed} requests failed)` : '')]);
    const conns = [...new Set(r.grab.raw.map((x) => x.connections))].join('/');
    out.push(['1 grab race', `settle ms (median of ${r.grab.graphql.length}; raw on ${conns} conns)`, `${g}`, `${w}`, `${ratio(g, w)}x`, '<= 1.5x', verdict(g / w <= 1.5)]);
    out.push(['1 grab race', 'server CPU ms per grab request', `${median(r.grab.graphql.map((x) => x.serverCpuMsPerRequest ?? NaN))}`, '', '', '', '']);
  }
  if (r.fanout) {
    r.fanout.shared.forEach((s, i) => {
      const raw = r.fanout!.raw[i]!;
      const naive = r.fanout!.naive[i];
      const n = `${s.subscribers}`;
      out.push([`2 fan-out ${n}`, 'delivered (must be all)', `${s.delivered}/${s.expected}`, `${raw.delivered}/${raw.expected}`, '', 'all', verdict(s.delivered === s.expected && (!naive || naive.delivered === naive.expected))]);
      out.push([`2 fan-out ${n}`, 'shared: p50 / p99 / max ms', `${s.p50} / ${s.p99} / ${s.max}`, `${raw.p50} / ${raw.p99} / ${raw.max}`, `p99 ${ratio(s.p99, raw.p99)}x`, 'p99 <= 1.5x', verdict(s.p99 / raw.p99 <= 1.5)]);
      out.push([`2 fan-out ${n}`, 'server CPU µs per delivery: shared / naive', `${s.serverCpuPerDeliveryUs} / ${naive?.serverCpuPerDeliveryUs ?? '–'}`, `${raw.serverCpuPerDeliveryUs}`, `${ratio(s.serverCpuPerDeliveryUs, raw.serverCpuPerDeliveryUs)}x`, '(load-independent)', '']);
      if (naive) out.push([`2 fan-out ${n}`, 'naive: p50 / p99 / max ms', `${naive.p50} / ${naive.p99} / ${naive.max}`, `${raw.p50} / ${raw.p99} / ${raw.max}`, `p99 ${ratio(naive.p99, raw.p99)}x`, '(reference)', naive.delivered === naive.expected ? '' : `delivered ${naive.delivered}/${naive.expected}`]);
    });
  }
  if (r.throughput) {
    const t = r.throughput;
    out.push(['3 mutations', 'req/s (createTicket vs { __typename })', `${t.create.rps}`, `${t.typename.rps}`, `${ratio(t.create.rps, t.typename.rps)}x`, '>= 0.35x', verdict(t.create.rps / t.typename.rps >= 0.35)]);
    // Requests still in flight when autocannon stops also make tickets: at least one per 2xx.
    out.push(['3 mutations', 'server CPU ms per request', `${t.create.serverCpuMsPerRequest}`, `${t.typename.serverCpuMsPerRequest}`, `${ratio(t.create.serverCpuMsPerRequest, t.typename.serverCpuMsPerRequest)}x`, '', '']);
    out.push(['3 mutations', 'p50 / p99 ms', `${t.create.p50} / ${t.create.p99}`, `${t.typename.p50} / ${t.typename.p99}`, '', '', t.made >= t.create.requests - t.create.non2xx && t.create.errors === 0 ? '' : `made ${t.made} tickets for ${t.create.requests} requests`]);
  }
  if (r.board) {
    for (const b of r.board) out.push(['4 board list', `${b.size} tickets: statements / p50 ms`, `${b.statements.join(',')} / ${b.p50Ms}`, '', '', '<= 6, constant', verdict(b.rows === b.size && Math.max(...b.statements) <= 6 && r.board.every((x) => x.statements.join() === b.statements.join()))]);
  }
  if (r.memory?.gongdan) {
    const m = r.memory;
    out.push(['5 memory', `KiB per idle subscriber at ${m.subscribers}: RSS / heap+ext`, `${m.gongdan!.rssKiB} / ${m.gongdan!.heapKiB}`, m.raw ? `${m.raw.rssKiB} / ${m.raw.heapKiB}` : '', '', '<= 50 KiB', verdict(m.gongdan!.rssKiB <= 50)]);
    if (m.naive) out.push(['5 memory', '(naive server) RSS / heap+ext', `${m.naive.rssKiB} / ${m.naive.heapKiB}`, '', '', '', '']);
  }
  if (r.multi) {
    if ('skipped' in r.multi) out.push(['6 two instances', 'skipped', r.multi.skipped, '', '', '', '']);
    else {
      const g = median(r.multi.grab.graphql.map((x) => x.settleMs));
      const w = median(r.multi.grab.raw.map((x) => x.settleMs));
      const failed = r.multi.grab.graphql.reduce((n, x) => n + x.failures, 0);
      out.push(['6 two instances', 'grab winners', r.multi.grab.graphql.map((x) => x.winners).join('/'), r.multi.grab.raw.map((x) => x.winners).join('/'), '', `${SIZES.grabTickets}`, verdict(r.multi.grab.graphql.every((x) => x.winners === SIZES.grabTickets)) + (failed ? ` (${failed} requests failed)` : '')]);
      out.push(['6 two instances', 'grab settle ms', `${g}`, `${w}`, `${ratio(g, w)}x`, '<= 1.5x', verdict(g / w <= 1.5)]);
      r.multi.fanout.forEach((f, i) => {
        const raw = r.fanout?.raw[i];
        out.push([`6 two instances`, `fan-out ${f.subscribers}: delivered, p50 / p99 / max ms`, `${f.delivered}/${f.expected}, ${f.p50} / ${f.p99} / ${f.max}`, raw ? `${raw.p50} / ${raw.p99} / ${raw.max}` : '', raw ? `p99 ${ratio(f.p99, raw.p99)}x` : '', 'p99 <= 1.5x', raw ? verdict(f.p99 / raw.p99 <= 1.5 && f.delivered === f.expected) : '']);
      });
    }
  }
  for (const [name, why] of Object.entries(r.errors ?? {})) out.push([name, 'FAILED', why.slice(0, 80), '', '', '', '']);
  return out;
}

function table(header: Row, body: Row[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: Row) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() ? '+dirty' : '';
    return sha + dirty;
  } catch {
    return 'unknown';
  }
}

function report(r: Results) {
  const body = rows(r);
  const when = new Date();
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`\ngongdan benchmark ${when.toISOString()} (${commit()}) on ${machine}`);
  const load = `load average ${loadAtStart.map((x) => x.toFixed(1)).join(' ')} at start, ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at end`;
  console.log(`Clients, servers and PostgreSQL share the same cores (${load}): figures are lower bounds; compare the ratios.\n`);
  console.log(table(['scenario', 'measure', 'gongdan', 'baseline', 'ratio', 'target', 'verdict'], body));
  console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`);
  if (quick || only) {
    console.log('\n--quick / --only: not recorded in bench/results or bench/RESULTS.md');
    return;
  }
  const resultsDir = `${benchDir}results`;
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}/${when.toISOString().slice(0, 16).replace(':', '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ date: when.toISOString(), commit: commit(), machine, load, seconds: Math.round((Date.now() - started) / 1000), results: r, table: body }, null, 2)}\n`);
  console.log(`\nwrote ${file.slice(benchDir.length - 'bench/'.length)}`);
  appendSummary(r, when);
}

/** One row per run at the end of bench/RESULTS.md (its last section is the run table). */
function appendSummary(r: Results, when: Date) {
  const path = `${benchDir}RESULTS.md`;
  const cell = (x: unknown) => (x === undefined || x === null || Number.isNaN(x) ? '–' : String(x));
  const grab = r.grab ? `${median(r.grab.graphql.map((x) => x.settleMs))} ms (${ratio(median(r.grab.graphql.map((x) => x.settleMs)), median(r.grab.raw.map((x) => x.settleMs)))}x)` : undefined;
  const fan = (i: number, kind: 'shared' | 'naive') => {
    const f = r.fanout?.[kind][i];
    const raw = r.fanout?.raw[i];
    return f && raw ? `${f.p99} ms (${ratio(f.p99, raw.p99)}x)` : undefined;
  };
  const mut = r.throughput ? `${r.throughput.create.rps}/${r.throughput.typename.rps} (${ratio(r.throughput.create.rps, r.throughput.typename.rps)}x)` : undefined;
  const board = r.board ? r.board.map((b) => `${b.statements.join(',')} st, ${b.p50Ms} ms`).join('; ') : undefined;
  const mem = r.memory?.gongdan ? `${r.memory.gongdan.rssKiB}` : undefined;
  let multi: string | undefined;
  if (r.multi && 'skipped' in r.multi) multi = 'skipped';
  else if (r.multi) {
    const g = median(r.multi.grab.graphql.map((x) => x.settleMs));
    const fanP99 = r.multi.fanout.map((f, i) => `${f.p99} ms (${r.fanout?.raw[i] ? ratio(f.p99, r.fanout.raw[i]!.p99) : '?'}x)`).join(', ');
    multi = `grab ${g} ms (${ratio(g, median(r.multi.grab.raw.map((x) => x.settleMs)))}x); p99 ${fanP99}`;
  }
  if (!existsSync(path)) writeFileSync(path, '# Benchmark results\n\n## Runs\n\n');
  const row = [when.toISOString().slice(0, 16).replace('T', ' '), commit(), grab, fan(0, 'shared'), fan(0, 'naive'), fan(1, 'shared'), fan(1, 'naive'), mut, board, mem, multi].map(cell).join(' | ');
  appendFileSync(path, `| ${row} |\n`);
  console.log(`appended a row to bench/RESULTS.md`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
