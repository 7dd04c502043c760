// The shared-execution mechanics on a small schema of their own; the real schema is
// covered end to end in test/api/fanout.test.ts.
import {
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionResult,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Viewer } from '../domain/identity/viewer.ts';
import type { TicketEventMessage } from '../infra/pubsub/pubsub.ts';
import { createFanout, selectsViewerSpecific, shareable, VIEWER_SPECIFIC, viewerSpecificFields } from './fanout.ts';

type Ctx = { viewer: Viewer; prisma: never; stream: () => AsyncGenerator<object> };

const Tick = new GraphQLObjectType<{ msg: TicketEventMessage; extra?: string }, Ctx>({
  name: 'Tick',
  fields: {
    seq: { type: GraphQLString, resolve: (t) => t.msg.seq },
    role: { type: GraphQLString, resolve: (_t, _a, ctx) => ctx.viewer.role },
    extra: { type: GraphQLString, resolve: (t) => t.extra ?? null },
    // Reads who the viewer is without saying so: must fail when shared.
    mine: { type: GraphQLString, resolve: (_t, _a, ctx) => ctx.viewer.userId },
    marked: { type: GraphQLString, extensions: VIEWER_SPECIFIC, resolve: (_t, _a, ctx) => ctx.viewer.userId },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType<unknown, Ctx>({
    name: 'Subscription',
    fields: { tick: { type: Tick, subscribe: (_r, _a, ctx) => ctx.stream(), resolve: (x: unknown) => x } },
  }),
});

const viewer = (userId: string, role: Viewer['role'] = 'AGENT'): Viewer => ({
  userId,
  role,
  name: userId,
  email: `${userId}@x`,
  via: 'session',
  credentialId: `s-${userId}`,
  scopes: new Set(['tickets:read', 'tickets:write']),
});
const event = (seq: string) => ({ seq }) as TicketEventMessage;

/** Each subscriber's stream yields the same events, wrapped per subscriber as the real streams do. */
async function* stream(events: TicketEventMessage[], shared = true, extra?: (v: TicketEventMessage) => string) {
  for (const msg of events) {
    const value = { msg, extra: extra?.(msg) };
    yield shared ? shareable(value, msg, value.extra ?? '') : value;
  }
}

async function run(query: string, viewers: Viewer[], events: TicketEventMessage[], opts: { share?: boolean; shared?: boolean; extra?: (v: TicketEventMessage) => string } = {}) {
  let executions = 0;
  const fanout = createFanout({ share: opts.share ?? true, observer: { subscriptionStarted() {}, subscriptionEnded() {}, executed: () => void executions++ } });
  const document = parse(query);
  const results: ExecutionResult[][] = [];
  for (const v of viewers) {
    const it = (await fanout.subscribe({
      schema,
      document,
      contextValue: { viewer: v, prisma: {} as never, stream: () => stream(events, opts.shared ?? true, opts.extra) } satisfies Ctx,
    })) as AsyncIterableIterator<ExecutionResult>;
    const mine: ExecutionResult[] = [];
    for await (const r of it) mine.push(r);
    results.push(mine);
  }
  return { results, executions, fanout };
}

describe('shared subscription execution', () => {
  it('executes once per event for subscribers of one class, and they get the same result', async () => {
    const events = [event('1'), event('2')];
    const { results, executions, fanout } = await run('subscription { tick { seq role } }', [viewer('a'), viewer('b'), viewer('c')], events);
    expect(executions).toBe(2);
    expect(results.map((r) => r.map((x) => x.data))).toEqual(Array(3).fill([{ tick: { seq: '1', role: 'AGENT' } }, { tick: { seq: '2', role: 'AGENT' } }]));
    expect(results[0]![0]).toBe(results[1]![0]);
    expect(fanout.eventOf(results[2]![1])).toBe(events[1]);
  });

  it('never shares between roles, credentials of different scopes, or different share keys', async () => {
    const token: Viewer = { ...viewer('t'), via: 'apiToken', scopes: new Set(['tickets:read']) };
    const { results, executions } = await run('subscription { tick { role } }', [viewer('a'), viewer('m', 'MANAGER'), token, viewer('b')], [event('1')]);
    expect(executions).toBe(3);
    expect(results.map((r) => r[0]!.data)).toEqual([{ tick: { role: 'AGENT' } }, { tick: { role: 'MANAGER' } }, { tick: { role: 'AGENT' } }, { tick: { role: 'AGENT' } }]);

    const byKey = await run('subscription { tick { extra } }', [viewer('a'), viewer('b')], [event('1')], { extra: () => String(Math.random()) });
    expect(byKey.executions).toBe(2);
  });

  it('a field that reads the viewer\'s id without being marked fails instead of leaking it', async () => {
    const { results } = await run('subscription { tick { seq mine } }', [viewer('a'), viewer('b')], [event('1')]);
    for (const [r] of results) {
      expect(r!.data).toEqual({ tick: { seq: '1', mine: null } });
      expect(r!.errors?.[0]?.message).toContain('VIEWER_SPECIFIC');
    }
  });

  it('a marked field, directly or in a fragment, makes the execution per subscriber', async () => {
    for (const q of ['subscription { tick { marked } }', 'subscription { tick { ...F } } fragment F on Tick { marked }']) {
      const { results, executions } = await run(q, [viewer('a'), viewer('b')], [event('1')]);
      expect(executions).toBe(2);
      expect(results.map((r) => r[0]!.data)).toEqual([{ tick: { marked: 'a' } }, { tick: { marked: 'b' } }]);
    }
    expect(viewerSpecificFields(schema)).toEqual(new Set(['Tick.marked']));
    expect(selectsViewerSpecific(schema, parse('subscription { tick { seq } }'), new Set(['Tick.marked']))).toBe(false);
  });

  it('customers are never shared with one another: their class includes who they are', async () => {
    const { results, executions } = await run('subscription { tick { mine } }', [viewer('c1', 'CUSTOMER'), viewer('c2', 'CUSTOMER')], [event('1')]);
    expect(executions).toBe(2);
    expect(results.map((r) => r[0]!.data)).toEqual([{ tick: { mine: 'c1' } }, { tick: { mine: 'c2' } }]);
  });

  it('with sharing off, or for values not marked shareable, every subscriber is executed with its own viewer', async () => {
    for (const opts of [{ share: false }, { shared: false }]) {
      const { results, executions } = await run('subscription { tick { mine } }', [viewer('a'), viewer('b')], [event('1')], opts);
      expect(executions).toBe(2);
      expect(results.map((r) => r[0]!.data)).toEqual([{ tick: { mine: 'a' } }, { tick: { mine: 'b' } }]);
    }
  });

  it('over a websocket, writes a shared result itself: one serialisation, a next frame per subscriber', async () => {
    const fanout = createFanout();
    const sockets = ['a', 'b'].map(() => ({ readyState: 1, bufferedAmount: 0, sent: [] as string[], send(d: string) { this.sent.push(d); } }));
    const events = [event('1'), event('2')];
    const yielded: ExecutionResult[] = [];
    for (const [i, socket] of sockets.entries()) {
      const it = (await fanout.subscribe({
        schema,
        document: parse('subscription { tick { seq role } }'),
        contextValue: { viewer: viewer(`u${i}`), prisma: {} as never, stream: () => stream(events), socket, operationId: `op-${i}` },
      })) as AsyncIterableIterator<ExecutionResult>;
      for await (const r of it) yielded.push(r);
    }
    expect(yielded).toEqual([]);
    expect(sockets.map((s) => s.sent.map((f) => JSON.parse(f) as unknown))).toEqual(
      [0, 1].map((i) => events.map((e) => ({ id: `op-${i}`, type: 'next', payload: { data: { tick: { seq: e.seq, role: 'AGENT' } } } }))),
    );
  });

  it('a client too far behind on its socket loses the subscription with an error, not the process', async () => {
    const fanout = createFanout();
    const socket = { readyState: 1, bufferedAmount: 64 * 1024 * 1024, send() {} };
    const it = (await fanout.subscribe({
      schema,
      document: parse('subscription { tick { seq } }'),
      contextValue: { viewer: viewer('a'), prisma: {} as never, stream: () => stream([event('1')]), socket, operationId: '1' },
    })) as AsyncIterableIterator<ExecutionResult>;
    await expect(it.next()).rejects.toMatchObject({ extensions: { code: 'SUBSCRIBER_TOO_SLOW' } });
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('returning ends the subscription at once, even while its stream waits for the next event', async () => {
    const ended: string[] = [];
    const fanout = createFanout({ observer: { subscriptionStarted() {}, subscriptionEnded: (f) => void ended.push(f), executed() {} } });
    async function* parked() {
      await new Promise(() => {});
      yield {};
    }
    const it = (await fanout.subscribe({
      schema,
      document: parse('subscription { tick { seq } }'),
      contextValue: { viewer: viewer('a'), prisma: {} as never, stream: parked } satisfies Ctx,
    })) as AsyncGenerator<ExecutionResult>;
    const pending = it.next();
    await expect(it.return(undefined)).resolves.toEqual({ value: undefined, done: true });
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(ended).toEqual(['tick']);
  });
});
