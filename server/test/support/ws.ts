// Real graphql-ws clients for subscription tests.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { metric } from './metrics.ts';
import type { TestApp } from './test-app.ts';

export interface Received<T> {
  items: T[];
  errors: unknown[];
  done: boolean;
  /** Resolves once `pred` holds for the received items (or rejects after `ms`). */
  until(pred: (items: T[]) => boolean, ms?: number): Promise<T[]>;
  close(): void;
}

/** Which server each client talks to, its open collect() subscriptions, and how many are open per server. */
const serverOf = new WeakMap<Client, string>();
const endersOf = new WeakMap<Client, Set<() => void>>();
const openByServer = new Map<string, number>();

export function wsClient(url: string, token?: string): Client {
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
  });
  return tracked(client, url);
}

/** Lets settle() count the client's collect() subscriptions against `url`'s server. */
function tracked(client: Client, url: string): Client {
  serverOf.set(client, url);
  const enders = new Set<() => void>();
  endersOf.set(client, enders);
  // Disposing ends every subscription of the client, whether or not it says so to each.
  const dispose = client.dispose.bind(client);
  client.dispose = () => {
    for (const end of [...enders]) end();
    return dispose();
  };
  return client;
}

/** Subscribes and collects `data` payloads. */
export function collect<T = Record<string, unknown>>(client: Client, query: string, variables: Record<string, unknown> = {}): Received<T> {
  const r: Received<T> = {
    items: [],
    errors: [],
    done: false,
    until(pred, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const start = Date.now();
        const tick = () => {
          if (pred(r.items)) return resolve(r.items);
          if (Date.now() - start > ms) return reject(new Error(`timed out; got ${JSON.stringify(r.items)} errors ${JSON.stringify(r.errors)}`));
          setTimeout(tick, 20);
        };
        tick();
      });
    },
    close: () => {
      ended();
      unsubscribe();
    },
  };
  const server = serverOf.get(client);
  if (server) openByServer.set(server, (openByServer.get(server) ?? 0) + 1);
  let counted = true;
  const ended = () => {
    if (!counted || !server) return;
    counted = false;
    endersOf.get(client)?.delete(ended);
    openByServer.set(server, openByServer.get(server)! - 1);
  };
  endersOf.get(client)?.add(ended);
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) r.errors.push(...v.errors);
        if (v.data) r.items.push(v.data as T);
      },
      error: (e) => {
        ended();
        r.errors.push(e);
      },
      complete: () => {
        ended();
        r.done = true;
      },
    },
  );
  return r;
}

/**
 * Subscriptions start and end asynchronously: waits until the server runs exactly as many
 * as this process has open against it through collect(), plus `also` started otherwise
 * (raw sockets, other clients) — those that started are running, and those that ended
 * (an earlier test's) are gone. A subscription runs once it knows its stream position, so
 * anything committed after settle() reaches it; a fixed pause did not, on a slower database.
 */
export async function settle(t: Pick<TestApp, 'url' | 'app'>, opts: { also?: number; ms?: number } = {}): Promise<void> {
  const want = (openByServer.get(t.url ?? '') ?? 0) + (opts.also ?? 0);
  const deadline = Date.now() + (opts.ms ?? 10_000);
  for (;;) {
    const running = metric(await t.app.observability.metrics.render(), 'gongdan_graphql_subscriptions_active');
    if (running === want) return;
    if (Date.now() > deadline) throw new Error(`settle: ${running} subscriptions running on the server, expected ${want}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface WsConnection {
  client: Client;
  /** Resolves when the socket closes, with the server's close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** Whether the socket has closed (by now). */
  isClosed(): boolean;
  /**
   * Runs a query or mutation on this socket: its result, or the errors it was refused
   * with. Rejects if the socket closes without answering.
   */
  run<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<WsResult<T>>;
}

export interface WsResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * A graphql-ws connection that is acknowledged when this resolves (it rejects with the
 * close code if the server refuses it) and never reconnects, so a test sees how and when
 * the server closed it.
 */
export function openWs(url: string, token?: string): Promise<WsConnection> {
  let closedAt: { code: number; reason: string } | null = null;
  let onClosed!: (c: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
  return new Promise((resolve, reject) => {
    const client = tracked(
      createClient({
        url: url.replace(/^http/, 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
      on: {
        connected: () => resolve(conn),
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          if (closedAt) return;
          closedAt = { code, reason: String(reason) };
          onClosed(closedAt);
          reject(new Error(`refused with ${code} ${reason}`));
        },
      },
      }),
      url,
    );
    const conn: WsConnection = {
      client,
      closed,
      isClosed: () => closedAt !== null,
      run: <T>(query: string, variables: Record<string, unknown> = {}) =>
        new Promise<WsResult<T>>((done, fail) => {
          let result: WsResult<T> = {};
          client.subscribe<T>(
            { query, variables },
            {
              next: (r) => (result = r as WsResult<T>),
              error: (e) => (Array.isArray(e) ? done({ errors: e as WsResult<T>['errors'] }) : fail(new Error(`socket closed: ${(e as { code?: number }).code}`))),
              complete: () => done(result),
            },
          );
        }),
    };
  });
}
