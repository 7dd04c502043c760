// Server processes for the scenarios: the real entry point (server/src/main.ts) with an
// environment of the scenario's choosing, and the raw `ws` baseline. Both are real child
// processes; the benchmark's clients run in the parent. All of them share the machine's
// cores, so figures are lower bounds: compare ratios measured in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { sleep } from './stats.ts';

/** The servers run as in production, where /metrics needs its token. */
export const BENCH_METRICS_TOKEN = 'bench-metrics-token-not-a-secret';

const serverDir = fileURLToPath(new URL('../server', import.meta.url));
const mainTs = fileURLToPath(new URL('../server/src/main.ts', import.meta.url));
const probeTs = fileURLToPath(new URL('./probe.ts', import.meta.url));
const rawTs = fileURLToPath(new URL('./raw-ws-server.ts', import.meta.url));

export interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** CPU time the process used so far (µs): process.cpuUsage(). */
  cpu: { user: number; system: number };
}

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Memory of the process, after a full GC when `gc` is set. */
  memory(gc?: boolean): Promise<Memory>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function wire(name: string, child: ChildProcess) {
  const tail: string[] = [];
  const keep = (d: Buffer) => {
    tail.push(d.toString());
    if (tail.length > 40) tail.shift();
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[${name}] ${d.toString()}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let probes = 0;
  const pending = new Map<number, (m: Memory) => void>();
  child.on('message', (m: { type?: string; id?: number; memory?: Omit<Memory, 'cpu'>; cpu?: Memory['cpu'] }) => {
    if (m?.type === 'probe' && m.id !== undefined) pending.get(m.id)?.({ ...m.memory!, cpu: m.cpu! });
  });
  const memory = (gc = false) =>
    new Promise<Memory>((resolve, reject) => {
      const id = ++probes;
      const timer = setTimeout(() => reject(new Error(`${name}: no memory probe answer`)), 30_000);
      pending.set(id, (m) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(m);
      });
      child.send({ type: 'probe', id, gc });
    });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => false), sleep(8000).then(() => true)]);
    if (killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  return { tail, memory, stop };
}

/** Starts server/src/main.ts on its own port against `databaseUrl` and waits until it answers. */
export async function startServer(name: string, databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  // BENCH_NODE_ARGS: extra node flags for the gongdan servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, ['--expose-gc', ...extra, '--import', 'tsx', '--import', probeTs, mainTs], {
    cwd: serverDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MIGRATE_ON_BOOT: 'false',
      SEED_DEMO: 'never',
      GRAPHIQL: 'false',
      JOB_POLL_MS: '60000',
      SHUTDOWN_GRACE_MS: '2000',
      // The benchmark is one client hammering from one address with a few tokens.
      RATE_LIMIT_ENABLED: 'false',
      WEB_DIST: '/nonexistent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const w = wire(name, child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${w.tail.join('')}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await w.stop();
      throw new Error(`${name} did not start in 60 s:\n${w.tail.join('')}`);
    }
    await sleep(100);
  }
  return { name, url, child, memory: w.memory, stop: w.stop };
}

export interface RawServer extends ServerProcess {
  /** Broadcasts frame number `seq`, `bytes` long; resolves once every client was written to. */
  broadcast(seq: number, bytes: number): Promise<number>;
}

export async function startRawServer(): Promise<RawServer> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', probeTs, rawTs], {
    cwd: serverDir,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const w = wire('raw-ws', child);
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: { type?: string; port?: number }) => m?.type === 'listening' && resolve(m.port!));
    child.once('exit', (code) => reject(new Error(`raw ws server exited with ${code}:\n${w.tail.join('')}`)));
  });
  const sent = new Map<number, (clients: number) => void>();
  child.on('message', (m: { type?: string; seq?: number; clients?: number }) => {
    if (m?.type === 'sent') sent.get(m.seq!)?.(m.clients!);
  });
  return {
    name: 'raw-ws',
    url: `http://127.0.0.1:${port}`,
    child,
    memory: w.memory,
    stop: w.stop,
    broadcast: (seq, bytes) =>
      new Promise((resolve) => {
        sent.set(seq, (n) => {
          sent.delete(seq);
          resolve(n);
        });
        child.send({ type: 'broadcast', seq, bytes });
      }),
  };
}
