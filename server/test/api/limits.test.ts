// Limits and bad input: what one operation may ask for (depth, cost, breadth, aliases,
// document size), what inputs may contain, request body size, rate limiting, and
// operations per websocket. Each limit is refused with a clear message and a code.
import http from 'node:http';
import {
  getIntrospectionQuery,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLInputType,
} from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMIT_DEFAULTS, loadConfig } from '../../src/config.ts';
import { schema } from '../../src/graphql/schema.ts';
import { QUERY_LIMITS, bracketNesting, checkVariables, complexityLimitError } from '../../src/graphql/operation-limits.ts';
import { actor, globalId } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { collect, settle, wsClient } from '../support/ws.ts';

let t: TestApp;
let url: string;
let agent: { user: { id: string }; token: string };
beforeAll(async () => {
  t = await startTestApp();
  url = await t.listen();
  agent = await actor(t.db.prisma, 'AGENT');
});
afterAll(() => t.close());

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(target: TestApp, query: string, variables?: unknown, token?: string): Promise<Answer> {
  const res = await target.app.fetch('http://test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
const codes = (a: Answer) => (a.body.errors ?? []).map((e) => e.extensions?.code);

/** ticket → pendingOffer → ticket → …: nesting without lists, so only the depth grows. */
function nested(pairs: number, tail = 'id'): string {
  return `{ ticket(id: "${globalId('Ticket', '01890000-0000-7000-8000-000000000000')}") { ${'pendingOffer { ticket { '.repeat(pairs)}${tail}${' } }'.repeat(pairs)} } }`;
}

describe('operation limits', () => {
  it(`depth: ${QUERY_LIMITS.depth} levels pass, one more is refused before anything runs`, async () => {
    const ok = await post(t, nested(5), undefined, agent.token); // depth 12
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const deep = await post(t, nested(5, 'pendingOffer { id }'), undefined, agent.token); // depth 13
    expect(deep.status).toBe(400);
    expect(deep.body).not.toHaveProperty('data');
    expect(deep.body.errors).toEqual([
      { message: `The operation is nested too deeply: depth 13, the limit is ${QUERY_LIMITS.depth}.`, extensions: { code: 'QUERY_TOO_DEEP', limit: 12, actual: 13 } },
    ]);
  });

  it(`cost: lists multiply; over ${QUERY_LIMITS.complexity} is refused`, async () => {
    const cheap = await post(t, '{ ticketTypes { eligibleAgents { teams { name } } } }', undefined, agent.token); // 1111
    expect(cheap.body.errors).toBeUndefined();
    const costly = await post(t, '{ ticketTypes { eligibleAgents { teams { members { user { teams { name } } } } } } }', undefined, agent.token); // 121111
    expect(costly.status).toBe(400);
    expect(codes(costly)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(costly.body.errors![0]!.message).toBe(
      `The operation is too expensive: cost 121111, the limit is ${QUERY_LIMITS.complexity} (each field costs 1, lists multiply by 10).`,
    );
  });

  it(`breadth: ${QUERY_LIMITS.breadth} fields pass, one more is refused`, async () => {
    const fields = (n: number) => `{ ${'__typename '.repeat(n)}}`;
    expect((await post(t, fields(300))).body.errors).toBeUndefined();
    const broad = await post(t, fields(301));
    expect(codes(broad)).toEqual(['QUERY_TOO_BROAD']);
    expect(broad.body.errors![0]!.message).toBe('The operation selects too many fields: 301, the limit is 300.');
  });

  it(`aliases: ${LIMIT_DEFAULTS.MAX_ALIASES} pass, one more is refused, fragments counted as often as they are spread`, async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect((await post(t, aliases(30))).body.errors).toBeUndefined();
    const many = await post(t, `query Many ${aliases(31)}`);
    expect(many.status).toBe(400);
    expect(many.body.errors).toEqual([{ message: 'Operation "Many" uses too many aliases: 31, the limit is 30.', extensions: { code: 'TOO_MANY_ALIASES', limit: 30, actual: 31 } }]);
    // 10 aliases in a fragment, spread into four places: 40.
    const spread = await post(
      t,
      `{ a: me { ...F } b: me { ...F } c: me { ...F } ...Q }
       fragment F on User { ${Array.from({ length: 9 }, (_, i) => `f${i}: id`).join(' ')} }
       fragment Q on Query { d: me { ...F } }`,
      undefined,
      agent.token,
    );
    expect(codes(spread)).toEqual(['TOO_MANY_ALIASES']);
    expect(spread.body.errors![0]!.extensions).toMatchObject({ actual: 40 });
  });

  it('the alias limit is configurable (MAX_ALIASES)', async () => {
    const strict = await startTestApp({ config: { MAX_ALIASES: 2 } });
    try {
      expect((await post(strict, '{ a: __typename b: __typename }')).body.errors).toBeUndefined();
      expect(codes(await post(strict, '{ a: __typename b: __typename c: __typename }'))).toEqual(['TOO_MANY_ALIASES']);
    } finally {
      await strict.close();
    }
  });

  it('fragments that expand exponentially are measured, not expanded, and refused at once', async () => {
    const levels = Array.from({ length: 30 }, (_, i) => `fragment L${i + 1} on Query { ...L${i} ...L${i} }`).join('\n');
    const started = Date.now();
    const boom = await post(t, `{ ...L30 } fragment L0 on Query { __typename } ${levels}`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(codes(boom)).toEqual(expect.arrayContaining(['QUERY_TOO_BROAD', 'QUERY_TOO_COMPLEX']));
  });

  it('documents that nest deeply or run long are refused as bad requests (regression: deep nesting answered 500)', async () => {
    const n = 50_000;
    for (const query of ['{' + 'a{'.repeat(n) + 'b' + '}'.repeat(n + 1), `{ ticketByNumber(number: ${'['.repeat(n)}1${']'.repeat(n)}) { id } }`]) {
      const r = await post(t, query);
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([{ message: 'The document nests brackets more than 64 levels deep.', extensions: { code: 'QUERY_TOO_DEEP', limit: 64 } }]);
    }
    const long = await post(t, `{ ${Array.from({ length: 2000 }, (_, i) => `ticketByNumber(number: "${i}") { id }`).join(' ')} }`, undefined, agent.token);
    expect(long.status).toBe(400);
    expect(codes(long)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(long.body.errors![0]!.message).toContain('more that 10000 tokens');
  });

  it('GraphiQL\'s introspection query is within every limit; introspection that nests lists in lists is not', async () => {
    const r = await post(t, getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true }));
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const explode = await post(t, '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }');
    expect(explode.body.errors).toEqual([
      { message: 'Introspection nests lists 4 levels deep, the limit is 3.', extensions: { code: 'QUERY_TOO_COMPLEX', limit: 3, actual: 4 } },
    ]);
  });

  it('limits apply to websocket operations too', async () => {
    const client = wsClient(url, agent.token);
    const r = collect(client, `subscription { queueEvents(queues: [POOL]) { ${Array.from({ length: 31 }, (_, i) => `a${i}: seq`).join(' ')} } }`);
    await r.until(() => r.errors.length > 0);
    expect(JSON.stringify(r.errors)).toContain('TOO_MANY_ALIASES');
    await client.dispose();
  });

  it('the execution-time backstop (complexity plugin) uses the same codes', () => {
    expect(complexityLimitError('Depth', { depth: 20, breadth: 1, complexity: 1 }).extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', actual: 20 });
    expect(complexityLimitError('Breadth', { depth: 1, breadth: 400, complexity: 1 }).extensions).toMatchObject({ code: 'QUERY_TOO_BROAD' });
    expect(complexityLimitError('Complexity', { depth: 1, breadth: 1, complexity: 5e4 }).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });
  });

  it('bracket nesting ignores strings and comments', () => {
    expect(bracketNesting('{ a(x: "{{{{[[[") { b } } # {{{{{{', 10)).toBe(2);
    expect(bracketNesting('{ a(x: """ {{{ \\""" {{ """) }', 10)).toBe(2);
    expect(bracketNesting('{'.repeat(100), 64)).toBe(65);
  });
});

describe('text that cannot be stored', () => {
  it('NUL characters and unpaired surrogates are refused as bad input, in variables and literals (regression: 500)', async () => {
    const q = 'mutation ($input: CreateTicketInput!) { createTicket(input: $input) { __typename } }';
    const input = { typeId: globalId('TicketType', '01890000-0000-7000-8000-000000000000'), title: 'ok', description: 'a\u0000b' };
    const nul = await post(t, q, { input }, agent.token);
    expect(nul.body.errors).toEqual([{ message: 'Variable $input.description contains a NUL character (U+0000), which is not accepted.', extensions: { code: 'BAD_USER_INPUT' } }]);
    const surrogate = await post(t, q, { input: { ...input, description: 'x\uD800' } }, agent.token);
    expect(codes(surrogate)).toEqual(['BAD_USER_INPUT']);
    const literal = await post(t, 'mutation { login(input: { email: "a\\u0000@b.c", password: "x" }) { __typename } }');
    expect(literal.status).toBe(400);
    expect(literal.body.errors![0]).toMatchObject({ message: 'A string contains a NUL character (U+0000), which is not accepted.', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('strings over 65536 characters and variables nested over 32 levels are refused before anything runs', async () => {
    const r = await post(t, 'query ($n: String!) { ticketByNumber(number: $n) { id } }', { n: 'x'.repeat(70_000) }, agent.token);
    expect(r.body.errors).toEqual([{ message: 'Variable $n is longer than 65536 characters, which is not accepted.', extensions: { code: 'BAD_USER_INPUT' } }]);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(checkVariables({ v: deep })).toMatch(/^Variables nest deeper than 32 levels/);
    expect(checkVariables({ input: { a: [{ b: 'fine' }] } })).toBeNull();
  });

  it('malformed global ids and variables of the wrong type are BAD_USER_INPUT, and long ids are not echoed whole', async () => {
    const bad = await post(t, 'query ($id: ID!) { ticket(id: $id) { id } }', { id: 'QUFB'.repeat(10_000) }, agent.token);
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.body.errors![0]!.message.length).toBeLessThan(250);
    const otherType = await post(t, 'query ($id: ID!) { ticket(id: $id) { id } }', { id: globalId('User', agent.user.id) }, agent.token);
    expect(otherType.body.errors![0]).toMatchObject({ message: `Invalid ID: ${globalId('User', agent.user.id)} is not of type: Ticket`, extensions: { code: 'BAD_USER_INPUT' } });
    const wrongType = await post(t, 'query ($id: ID!) { ticket(id: $id) { id } }', { id: 1.5 }, agent.token);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors![0]).toMatchObject({ message: 'Variable "$id" got invalid value 1.5; ID cannot represent value: 1.5', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('every String, JSON and list input of the schema states its length limit (input-limits.test.ts holds it to it)', () => {
    // Cursors are bounded by the global string cap (65536) and decoded by the relay
    // plugin; ids by decoding; enums and booleans need none.
    const exempt = new Set(['after', 'before']);
    const missing: string[] = [];
    const needsLimit = (type: GraphQLInputType) => {
      const inner = isNonNullType(type) ? type.ofType : type;
      const named = getNamedType(type).name;
      return isListType(inner) || named === 'String' || named === 'JSON';
    };
    const check = (where: string, f: GraphQLInputField | GraphQLArgument) => {
      if (exempt.has(f.name) || !needsLimit(f.type)) return;
      if (getNamedType(f.type).name === 'ID' && !isListType(isNonNullType(f.type) ? f.type.ofType : f.type)) return;
      if (!/At most \d+ (characters|items)/.test(f.description ?? '')) missing.push(where);
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (isInputObjectType(type)) for (const f of Object.values(type.getFields())) check(`${type.name}.${f.name}`, f);
      if ('getFields' in type && !isInputObjectType(type)) {
        for (const field of Object.values((type as { getFields(): Record<string, { args: readonly GraphQLArgument[] }> }).getFields())) {
          for (const a of field.args ?? []) check(`${type.name}.${(field as unknown as { name: string }).name}(${a.name})`, a);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

// ───────────────────────────────────────── body size ─────────────────────────────────────────

function rawPost(base: string, body: Buffer, opts: { chunked?: boolean } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(opts.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length }) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    // The server may answer and close before the whole body is sent.
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    if (opts.chunked) {
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

const bodyOf = (bytes: number) => {
  const head = '{"query":"{ __typename }","variables":{"pad":"';
  return Buffer.from(`${head}${'x'.repeat(Math.max(0, bytes - head.length - 3))}"}}`);
};

describe('request body size', () => {
  it(`a body over ${LIMIT_DEFAULTS.MAX_BODY_BYTES} bytes is refused with 413 and says the limit`, async () => {
    const r = await rawPost(url, bodyOf(2 * 1024 * 1024));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({
      errors: [{ message: 'Request body too large: 2097152 bytes, the limit is 1048576 bytes.', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', limit: 1048576 } }],
    });
  });

  it('a chunked body (no Content-Length) is counted as it arrives', async () => {
    const r = await rawPost(url, bodyOf(2 * 1024 * 1024), { chunked: true });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).errors[0]).toEqual({
      message: 'Request body too large: more than the limit of 1048576 bytes.',
      extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', limit: 1048576 },
    });
  });

  it('the limit is configurable (MAX_BODY_BYTES), also for websocket messages', async () => {
    const small = await startTestApp({ config: { MAX_BODY_BYTES: 8192 } });
    try {
      const base = await small.listen();
      expect((await rawPost(base, bodyOf(4000))).status).toBe(200);
      expect((await rawPost(base, bodyOf(9000))).status).toBe(413);
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(10_000) } }));
      expect(await closed).toBe(1009); // message too big
    } finally {
      await small.close();
    }
  });
});

// ─────────────────────────────────────── rate limiting ───────────────────────────────────────

describe('rate limiting', () => {
  let limited: TestApp;
  let base: string;
  beforeAll(async () => {
    limited = await startTestApp({ config: { RATE_LIMIT_PER_MINUTE: 5, RATE_LIMIT_ANONYMOUS_PER_MINUTE: 3 } });
    base = await limited.listen();
  });
  afterAll(() => limited.close());

  const httpGql = (token?: string) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

  it('counts per token: past the limit 429 with Retry-After; another token is not affected', async () => {
    const [a, b] = [await actor(limited.db.prisma, 'AGENT'), await actor(limited.db.prisma, 'AGENT')];
    for (let i = 0; i < 5; i++) expect((await httpGql(a.token)).status).toBe(200);
    const refused = await httpGql(a.token);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toEqual({ code: 'RATE_LIMITED', limit: 5, retryAfterSeconds: retryAfter });
    expect(body.errors[0]!.message).toBe(`Too many requests: the limit is 5 per 60 seconds for this token. Retry in ${retryAfter} s.`);
    expect((await httpGql(b.token)).status).toBe(200);
  });

  it('counts anonymous requests per client address; a bad token counts as anonymous', async () => {
    for (let i = 0; i < 3; i++) expect((await httpGql()).status).toBe(200);
    expect((await httpGql()).status).toBe(429);
    const bogus = await httpGql('gds_made-up-token');
    expect(bogus.status).toBe(429);
    expect(((await bogus.json()) as { errors: { message: string }[] }).errors[0]!.message).toContain('for this address without a valid credential');
    const c = await actor(limited.db.prisma, 'CUSTOMER');
    expect((await httpGql(c.token)).status).toBe(200);
  });

  it('websocket operations are not counted (they have their own limit)', async () => {
    const a = await actor(limited.db.prisma, 'AGENT');
    const client = wsClient(base, a.token);
    for (let i = 0; i < 8; i++) {
      const r = await new Promise<unknown>((resolve, reject) => {
        let data: unknown;
        client.subscribe({ query: '{ __typename }' }, { next: (v) => (data = v), error: reject, complete: () => resolve(data) });
      });
      expect(r).toEqual({ data: { __typename: 'Query' } });
    }
    await client.dispose();
  });

  it('costs no extra query: the limiter and the request share one authentication', async () => {
    const a = await actor(limited.db.prisma, 'AGENT');
    limited.queries.length = 0;
    expect((await httpGql(a.token)).status).toBe(200);
    expect(limited.queries.filter((q) => q.query.includes('"Session"'))).toHaveLength(1);
  });

  it('RATE_LIMIT_ENABLED=false turns it off', async () => {
    const open = await startTestApp({ config: { RATE_LIMIT_ENABLED: false, RATE_LIMIT_PER_MINUTE: 1, RATE_LIMIT_ANONYMOUS_PER_MINUTE: 1 } });
    try {
      for (let i = 0; i < 10; i++) expect((await post(open, '{ __typename }')).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('the defaults leave room for bursts (the test suites run with them)', () => {
    const c = loadConfig({});
    expect(c.RATE_LIMIT_ENABLED).toBe(true);
    expect(c.RATE_LIMIT_PER_MINUTE).toBeGreaterThanOrEqual(1000);
    expect(c.RATE_LIMIT_ANONYMOUS_PER_MINUTE).toBeGreaterThanOrEqual(100);
  });
});

// ───────────────────────────────── operations per websocket ─────────────────────────────────

describe('operations per websocket connection', () => {
  it('past WS_MAX_SUBSCRIPTIONS the extra subscription gets a clear error; the connection stays and frees up', async () => {
    const few = await startTestApp({ config: { WS_MAX_SUBSCRIPTIONS: 3 } });
    try {
      const base = await few.listen();
      const a = await actor(few.db.prisma, 'AGENT');
      const client = wsClient(base, a.token);
      const q = 'subscription { queueEvents(queues: [POOL]) { seq } }';
      const running = [collect(client, q), collect(client, q), collect(client, q)];
      await settle(few);
      const extra = collect(client, q);
      await extra.until(() => extra.errors.length > 0);
      expect(extra.errors).toEqual([
        [{ message: 'Too many operations on this connection: at most 3 at a time. Complete one first, or open another connection.', extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 3 } }],
      ]);
      expect(running.every((r) => r.errors.length === 0 && !r.done)).toBe(true);
      running[0]!.close();
      await settle(few);
      const again = collect(client, q);
      await settle(few);
      expect(again.errors).toEqual([]);
      await client.dispose();
    } finally {
      await few.close();
    }
  });
});

describe('configuration', () => {
  it('limits have defaults and bad values name the variable', () => {
    expect(loadConfig({})).toMatchObject(LIMIT_DEFAULTS);
    expect(() => loadConfig({ MAX_BODY_BYTES: '10', RATE_LIMIT_ENABLED: 'maybe', WS_INIT_TIMEOUT_MS: 'soon' })).toThrow(
      /MAX_BODY_BYTES="10"[\s\S]*WS_INIT_TIMEOUT_MS="soon"[\s\S]*RATE_LIMIT_ENABLED="maybe"/,
    );
  });
});
