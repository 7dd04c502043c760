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
