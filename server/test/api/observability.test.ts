// /metrics and request ids, on a real port.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actor } from '../support/builders.ts';
import { declares, metric } from '../support/metrics.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate } from '../support/tickets.ts';
import { collect, settle, wsClient } from '../support/ws.ts';

let t: TestApp;
let url: string;
let manager: { token: string };
beforeAll(async () => {
  t = await startTestApp();
  url = await t.listen();
  manager = await actor(t.db.prisma, 'MANAGER');
});
afterAll(() => t.close());
// Each test starts once the server has ended the previous one's subscriptions (see settle).
afterEach(() => settle(t));
const p = () => t.db.prisma;

async function scrape(): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

async function post(query: string, variables: Record<string, unknown>, token: string, operationName?: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables, operationName }),
  });
}

describe('/metrics', () => {
  it('exposes every series in the Prometheus text format', async () => {
    const text = await scrape();
    for (const name of [
      'gongdan_http_requests_total',
      'gongdan_http_request_duration_seconds',
      'gongdan_graphql_operations_total',
      'gongdan_graphql_subscriptions_active',
      'gongdan_websocket_connections',
      'gongdan_subscription_executions_total',
      'gongdan_subscription_payloads_sent_total',
      'gongdan_event_delivery_lag_seconds',
      'gongdan_events_published_total',
      'gongdan_ticket_grabs_total',
      'gongdan_db_pool_connections',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(declares(text, name), name).toBe(true);
    }
    if (t.dbKind === 'postgres') {
      // The test database is PostgreSQL with a pool of 10.
      expect(metric(text, 'gongdan_db_pool_connections', { state: 'max' })).toBe(10);
      expect(metric(text, 'gongdan_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    } else {
      // PGlite is one connection, not a pool: the series has no samples.
      expect(text).not.toMatch(/^gongdan_db_pool_connections\{/m);
    }
  });

  it('counts grabs won and lost: losing a race moves the loss counter', async () => {
    const [a, b] = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT')]);
    const type = await makeType(p(), { modes: ['GRAB'] });
    const c = await createTicket(t, manager.token, type.id);
    const before = await scrape();
    expect((await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token)).__typename).toBe('TicketPayload');
    expect((await mutate(t, 'grabTicket', { ticketId: c.gid }, b.token)).__typename).toBe('TicketAlreadyTaken');
    const after = await scrape();
    const delta = (outcome: string) => metric(after, 'gongdan_ticket_grabs_total', { outcome }) - metric(before, 'gongdan_ticket_grabs_total', { outcome });
    expect(delta('won')).toBe(1);
    expect(delta('lost')).toBe(1);
    expect(delta('failed')).toBe(0);
  });

  it('counts HTTP requests by operation type (not path) and GraphQL operations by name and outcome', async () => {
    const before = await scrape();
    await post('query Me { me { id } }', {}, manager.token, 'Me');
    await post('query Me { me { id } }', {}, manager.token, 'Me');
    await post('query Broken { me { nope } }', {}, manager.token, 'Broken');
    await post('mutation Read { markNotificationsRead(input: {}) { count } }', {}, manager.token, 'Read');
    await fetch(`${url}/graphql?whatever=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    const after = await scrape();
    const d = (name: string, labels: Record<string, string>) => metric(after, name, labels) - metric(before, name, labels);
    expect(d('gongdan_graphql_operations_total', { type: 'query', name: 'Me', outcome: 'ok', transport: 'http' })).toBe(2);
    expect(d('gongdan_graphql_operations_total', { type: 'mutation', name: 'Read', outcome: 'ok' })).toBe(1);
    expect(d('gongdan_graphql_operations_total', { type: 'query', name: 'anonymous', outcome: 'ok' })).toBe(1);
    expect(d('gongdan_http_requests_total', { route: 'graphql', operation: 'query', status: '200' })).toBe(3);
    expect(d('gongdan_http_requests_total', { route: 'graphql', operation: 'mutation', status: '200' })).toBe(1);
    // Invalid documents never execute: no operation type is known.
    expect(d('gongdan_http_requests_total', { route: 'graphql', operation: 'unknown' })).toBe(1);
    expect(d('gongdan_http_request_duration_seconds_count', { route: 'graphql', operation: 'query' })).toBe(3);
    // Raw paths never become label values.
    expect(after).not.toContain('whatever');
  });

  it('tracks websocket connections, running subscriptions, and the delivery lag of events', async () => {
    const agent = await actor(p(), 'AGENT');
    const type = await makeType(p(), { modes: ['GRAB'] });
    const client = wsClient(url, agent.token);
    const r = collect(client, 'subscription Pool { queueEvents(queues: [POOL]) { seq ticket { id } } }');
    await settle(t);
    const during = await scrape();
    expect(metric(during, 'gongdan_websocket_connections')).toBe(1);
    expect(metric(during, 'gongdan_graphql_subscriptions_active', { field: 'queueEvents' })).toBe(1);
    expect(metric(during, 'gongdan_graphql_operations_total', { type: 'subscription', name: 'Pool', outcome: 'ok', transport: 'ws' })).toBe(1);
    const lagBefore = metric(during, 'gongdan_event_delivery_lag_seconds_count');
    await createTicket(t, manager.token, type.id);
    await r.until((xs) => xs.length === 1);
    const after = await scrape();
    expect(metric(after, 'gongdan_event_delivery_lag_seconds_count') - lagBefore).toBe(1);
    expect(metric(after, 'gongdan_event_delivery_lag_seconds_sum')).toBeLessThan(5);
    r.close();
    await client.dispose();
    await settle(t);
    expect(metric(await scrape(), 'gongdan_graphql_subscriptions_active', { field: 'queueEvents' })).toBe(0);
    await expect.poll(async () => metric(await scrape(), 'gongdan_websocket_connections')).toBe(0);
  });

  it('can require a bearer token', async () => {
    const locked = await startTestApp({ config: { METRICS_TOKEN: 'a-long-enough-metrics-token' } });
    try {
      const base = await locked.listen();
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer a-long-enough-metrics-token' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('gongdan_http_requests_total');
    } finally {
      await locked.close();
    }
  });
});

describe('request ids', () => {
  it('echoes the caller\'s x-request-id, and makes one when there is none or it is not an id', async () => {
    const given = await post('{ __typename }', {}, manager.token, undefined, { 'x-request-id': 'req-42.abc' });
    expect(given.headers.get('x-request-id')).toBe('req-42.abc');
    const none = await post('{ __typename }', {}, manager.token);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await post('{ __typename }', {}, manager.token, undefined, { 'x-request-id': 'two words' });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'health-1' } })).headers.get('x-request-id')).toBe('health-1');
  });

  it('is the context\'s requestId, also in-process through app.fetch', async () => {
    const res = await t.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'in-process-7' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('in-process-7');
  });
});
