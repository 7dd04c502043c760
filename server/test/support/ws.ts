// Real graphql-ws clients for subscription tests.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Received<T> {
  items: T[];
  errors: unknown[];
  done: boolean;
  /** Resolves once `pred` holds for the received items (or rejects after `ms`). */
  until(pred: (items: T[]) => boolean, ms?: number): Promise<T[]>;
  close(): void;
}

export function wsClient(url: string, token?: string): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
  });
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
    close: () => unsubscribe(),
  };
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) r.errors.push(...v.errors);
        if (v.data) r.items.push(v.data as T);
      },
      error: (e) => r.errors.push(e),
      complete: () => (r.done = true),
    },
  );
  return r;
}

/** Subscriptions start asynchronously; give the server a moment to register them. */
export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

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
    const client = createClient({
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
    });
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
