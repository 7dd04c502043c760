// Prometheus metrics of one app instance, in a registry of its own (tests run many apps
// in one process). Served at GET /metrics by app.ts.
//
// Label values are bounded: HTTP requests are labelled by route and GraphQL operation
// type, never by raw path; operation names are client-chosen, so only well-formed names
// are kept, and only the first MAX_OPERATION_NAMES of them (then "other").
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../infra/db/client.ts';

export type OperationType = 'query' | 'mutation' | 'subscription';
export type GrabOutcome = 'won' | 'lost' | 'failed';
/** Where an HTTP request went; the only values the `route` label takes. */
export type Route = 'graphql' | 'metrics' | 'health' | 'web' | 'other';

const MAX_OPERATION_NAMES = 200;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export interface MetricsOptions {
  /** Process and Node.js runtime metrics (CPU, memory, event loop lag, GC). Default true. */
  defaultMetrics?: boolean;
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(opts: MetricsOptions = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpRequests = new Counter({
    name: 'gongdan_http_requests_total',
    help: 'HTTP requests, by route, GraphQL operation type (none outside /graphql, unknown when no operation ran) and status code.',
    labelNames: ['route', 'operation', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'gongdan_http_request_duration_seconds',
    help: 'HTTP request latency until the response is finished, by route and GraphQL operation type.',
    labelNames: ['route', 'operation'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const operations = new Counter({
    name: 'gongdan_graphql_operations_total',
    help: 'GraphQL operations by type, name and outcome (ok: no errors; partial: data and errors; error: no data). Subscriptions count once, when they start.',
    labelNames: ['type', 'name', 'outcome', 'transport'] as const,
    registers,
  });
  const subscriptionsActive = new Gauge({
    name: 'gongdan_graphql_subscriptions_active',
    help: 'Running GraphQL subscriptions, by root field.',
    labelNames: ['field'] as const,
    registers,
  });
  let websocketCount: () => number = () => 0;
  new Gauge({
    name: 'gongdan_websocket_connections',
    help: 'Open websocket connections (graphql-ws).',
    registers,
    collect() {
      this.set(websocketCount());
    },
  });
  const executions = new Counter({
    name: 'gongdan_subscription_executions_total',
    help: 'Executions of subscription payloads: shared (once per event, document, variables and permission class) or per_subscriber.',
    labelNames: ['mode'] as const,
    registers,
  });
  const payloadsSent = new Counter({
    name: 'gongdan_subscription_payloads_sent_total',
    help: 'Subscription payloads sent over websockets. Compare with gongdan_subscription_executions_total to see how much is shared.',
    registers,
  });
  const deliveryLag = new Histogram({
    name: 'gongdan_event_delivery_lag_seconds',
    help: 'From the commit of a ticket event to the moment a subscriber\'s payload for it is sent.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const eventsPublished = new Counter({
    name: 'gongdan_events_published_total',
    help: 'Committed ticket events published by this instance.',
    registers,
  });
  const grabs = new Counter({
    name: 'gongdan_ticket_grabs_total',
    help: 'Grab attempts by outcome: won, lost (TicketAlreadyTaken: someone else was faster) or failed (not allowed, not eligible, stale, …).',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of ['won', 'lost', 'failed'] as const) grabs.inc({ outcome }, 0);

  let pool: () => PoolStats | null = () => null;
  new Gauge({
    name: 'gongdan_db_pool_connections',
    help: 'PostgreSQL pool connections by state: total (open), idle, waiting (queries queued for a connection), max (pool size). Absent on embedded PGlite.',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const s = pool();
      if (!s) return;
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
      this.set({ state: 'max' }, s.max);
    },
  });

  const names = new Set<string>();
  /** A bounded label value for a client-chosen operation name. */
  function operationName(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!NAME.test(name)) return 'invalid';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  }

  return {
    registry,
    contentType: registry.contentType,
    /** The exposition text for GET /metrics. */
    render: () => registry.metrics(),
    http(route: Route, operation: OperationType | 'none' | 'unknown', status: number, seconds: number) {
      httpRequests.inc({ route, operation, status: String(status) });
      httpDuration.observe({ route, operation }, seconds);
    },
    operation(type: OperationType, name: string | null | undefined, outcome: 'ok' | 'partial' | 'error', transport: 'http' | 'ws') {
      operations.inc({ type, name: operationName(name), outcome, transport });
    },
    subscriptionStarted: (field: string) => subscriptionsActive.inc({ field }),
    subscriptionEnded: (field: string) => subscriptionsActive.dec({ field }),
    subscriptionExecuted: (shared: boolean) => executions.inc({ mode: shared ? 'shared' : 'per_subscriber' }),
    payloadSent(committedAt: number | undefined, now = Date.now()) {
      payloadsSent.inc();
      if (committedAt !== undefined) deliveryLag.observe(Math.max(0, now - committedAt) / 1000);
    },
    eventsPublished: (n: number) => eventsPublished.inc(n),
    grab: (outcome: GrabOutcome) => grabs.inc({ outcome }),
    /** Where the gauges read their values at scrape time. */
    observeWebsockets(count: () => number) {
      websocketCount = count;
    },
    observePool(stats: () => PoolStats | null) {
      pool = stats;
    },
  };
}
