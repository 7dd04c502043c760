// Many websocket clients in this process, speaking just enough graphql-transport-ws
// (connection_init, subscribe, next) — or nothing at all, for the raw baseline. Each
// received frame is parsed (the same work for both) and its latency recorded under the
// key `read` returns: receipt time minus the time the frame carries.
import WebSocket from 'ws';
import { nowMs, sleep } from './stats.ts';

export interface Receipt {
  key: string;
  /** ms since the event's reference time (commit for gongdan, send for raw). */
  latency: number;
}

export interface SwarmOptions {
  url: string;
  /** graphql-ws: a bearer token per client and the subscription; raw when absent. */
  graphql?: { tokens: readonly string[]; query: string; variables?: Record<string, unknown> };
  /** Extracts (key, reference time in epoch ms) from a parsed `next` frame. */
  read(frame: unknown): { key: string; at: number } | null;
  /** How many clients connect at once (default 64). */
  concurrency?: number;
}

export class Swarm {
  readonly sockets: WebSocket[] = [];
  readonly byKey = new Map<string, number[]>();
  errors: string[] = [];
  /** Bytes of the last frame received (to size the raw baseline's frame like gongdan's). */
  frameBytes = 0;
  private waiters: { key: string; n: number; resolve: () => void }[] = [];

  constructor(private readonly opts: SwarmOptions) {}

  /** Opens `n` clients (subscribed, for graphql-ws), `concurrency` at a time. */
  async connect(n: number): Promise<void> {
    const ws = this.opts.url.replace(/^http/, 'ws') + '/graphql';
    let next = 0;
    const one = async (): Promise<void> => {
      while (next < n) {
        const i = next++;
        await this.open(ws, i);
      }
    };
    await Promise.all(Array.from({ length: this.opts.concurrency ?? 64 }, one));
  }

  private open(url: string, i: number): Promise<void> {
    const g = this.opts.graphql;
    return new Promise((resolve, reject) => {
      const socket = g ? new WebSocket(url, 'graphql-transport-ws') : new WebSocket(url);
      this.sockets.push(socket);
      const fail = (e: unknown) => reject(e instanceof Error ? e : new Error(String(e)));
      socket.once('error', fail);
      socket.on('open', () => {
        if (!g) return resolve();
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${g.tokens[i % g.tokens.length]}` } }));
      });
      socket.on('close', (code) => {
        if (code !== 1000 && code !== 1001 && code !== 1005) this.errors.push(`closed ${code}`);
      });
      socket.on('message', (data: Buffer) => {
        const received = nowMs();
        const text = data.toString();
        const msg = JSON.parse(text) as { type?: string; payload?: unknown };
        if (msg.type === 'connection_ack' && g) {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: g.query, variables: g.variables ?? {} } }));
          resolve();
          return;
        }
        if (msg.type === 'error' || msg.type === 'complete') {
          this.errors.push(`${msg.type}: ${JSON.stringify(msg.payload ?? null)}`);
          return;
        }
        if (msg.type !== 'next') return;
        this.frameBytes = Buffer.byteLength(text);
        const r = this.opts.read(msg.payload);
        if (!r) return;
        let list = this.byKey.get(r.key);
        if (!list) this.byKey.set(r.key, (list = []));
        list.push(received - r.at);
        for (const w of this.waiters) if (w.key === r.key && list.length >= w.n) w.resolve();
      });
    });
  }

  /** Resolves once `n` frames carried `key`, or after `ms` (then fewer were delivered). */
  async waitFor(key: string, n: number, ms: number): Promise<number> {
    if ((this.byKey.get(key)?.length ?? 0) < n) {
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push({ key, n, resolve })),
        sleep(ms),
      ]);
      this.waiters = this.waiters.filter((w) => w.key !== key);
    }
    return this.byKey.get(key)?.length ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.readyState === WebSocket.CLOSED) return resolve();
            s.once('close', () => resolve());
            s.close(1000);
            setTimeout(() => {
              s.terminate();
              resolve();
            }, 3000).unref();
          }),
      ),
    );
    this.sockets.length = 0;
  }
}
