// Subscription fan-out: execute each event once per audience, not once per subscriber.
//
// graphql-js `subscribe` maps every source event through `execute` for every
// subscription, so an event watched by 5,000 agents is executed and serialised 5,000
// times. Here the subscribe step is replaced (envelop `setSubscribeFn`): the source
// stream still comes from `createSourceEventStream` (each subscriber's own stream of
// events already filtered and re-authorized for that subscriber — for queueEvents by the
// hub in types/queue.ts), but each event it yields is executed through a memo keyed by
//
//   the committed event (a WeakMap on the message object every subscriber receives),
//   the document and operation name, the variables,
//   the permission class of the viewer, and
//   the share key the stream gave with the value (its per-subscriber part: for queue
//   events prevSeq, the queue changes and whether the viewer may see the ticket).
//
// The permission class is everything a shared execution may read from the viewer:
// role, credential kind and API scopes — plus the user id when the viewer is a
// customer (their own records) or the document selects a field listed as
// viewer-specific (`extensions: { viewerSpecific: true }`, see VIEWER_SPECIFIC). A shared
// execution runs with a viewer that carries only the class: reading `userId`, `name`,
// `email` or `credentialId` from it throws ViewerIdentityUnavailable, so a resolver that
// starts to depend on who the viewer is without being listed fails loudly (and the
// schema-wide test in test/api/fanout.test.ts catches it) instead of leaking one
// subscriber's answer to another.
//
// Only values marked with `shareable()` are shared; anything else (notifications) is
// executed per subscriber as before. `share: false` executes everything per subscriber.
//
// The serialised payload is shared too, and so is the trip through the protocol layer:
// over graphql-ws (the context carries the socket and the operation id) a shared result
// without errors is written straight to the socket as a `next` frame around its JSON,
// made once. Everything else — results with errors, per-subscriber results, SSE —
// goes up the usual way (envelop's error masking, graphql-ws).
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  isAbstractType,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../domain/identity/viewer.ts';
import type { TicketEventMessage } from '../infra/pubsub/pubsub.ts';
import type { Context } from './context.ts';
import { createLoaders } from './loaders.ts';

/** Field extension marking a field whose value depends on who the viewer is (their user id). */
export const VIEWER_SPECIFIC = { viewerSpecific: true } as const;

export class ViewerIdentityUnavailable extends Error {
  override name = 'ViewerIdentityUnavailable';
  constructor(what: string) {
    super(
      `A shared subscription execution read viewer.${what}. Mark the field that needs it with extensions: VIEWER_SPECIFIC (graphql/fanout.ts).`,
    );
  }
}

interface ShareInfo {
  event: TicketEventMessage;
  key: string;
}

const shares = new WeakMap<object, ShareInfo>();

/**
 * Marks a value a subscription stream yields as shareable: the payload executed from it
 * depends only on `event`, on `key` and on the viewer's permission class. `key` must
 * capture everything in `value` that is not the event itself.
 */
export function shareable<T extends object>(value: T, event: TicketEventMessage, key: string): T {
  shares.set(value, { event, key });
  return value;
}

/** "Type.field" coordinates of the fields marked viewer-specific. */
export function viewerSpecificFields(schema: GraphQLSchema): Set<string> {
  const out = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!('getFields' in type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if ((field.extensions as { viewerSpecific?: unknown } | undefined)?.viewerSpecific === true) out.add(`${type.name}.${field.name}`);
    }
  }
  return out;
}

/** Whether the document selects a viewer-specific field anywhere (fragments included). */
export function selectsViewerSpecific(schema: GraphQLSchema, document: DocumentNode, fields: ReadonlySet<string>): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || !typeInfo.getFieldDef()) {
          found ||= !node.name.value.startsWith('__'); // unknown to us: assume the worst
          return;
        }
        const name = node.name.value;
        const owners = isAbstractType(parent) ? schema.getPossibleTypes(parent) : [parent];
        if (owners.some((t) => fields.has(`${t.name}.${name}`))) found = true;
      },
    }),
  );
  return found;
}

const classViewers = new WeakMap<Viewer, Viewer>();

/** The viewer as a shared execution sees it: role, credential kind and scopes; no identity. */
function classViewer(v: Viewer): Viewer {
  let c = classViewers.get(v);
  if (!c) {
    const hidden = (what: string) => () => {
      throw new ViewerIdentityUnavailable(what);
    };
    c = Object.freeze(
      Object.defineProperties({ role: v.role, via: v.via, scopes: v.scopes } as Viewer, {
        userId: { get: hidden('userId'), enumerable: false },
        name: { get: hidden('name'), enumerable: false },
        email: { get: hidden('email'), enumerable: false },
        credentialId: { get: hidden('credentialId'), enumerable: false },
      }),
    );
    classViewers.set(v, c);
  }
  return c;
}

const stableJson = (v: unknown): string =>
  JSON.stringify(v ?? null, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );

export interface FanoutObserver {
  subscriptionStarted(field: string): void;
  subscriptionEnded(field: string): void;
  /** One execution of a subscription payload, shared by its class or for one subscriber. */
  executed(shared: boolean): void;
  /** A shared payload was written to a websocket directly (graphql-ws `onNext` does not see those). */
  sent?(committedAt: number | undefined): void;
}

/** What a graphql-ws operation's context carries for direct sends (see app.ts). */
interface WebSocketSink {
  socket?: { readyState: number; bufferedAmount: number; send(data: string): void };
  operationId?: string;
}

/** A client this far behind on its socket loses the subscription (it resubscribes and refetches). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Ends a subscription whose client cannot keep up; it subscribes again and refetches. */
export const subscriberTooSlow = () =>
  new GraphQLError('The subscription fell too far behind; subscribe again and refetch.', { extensions: { code: 'SUBSCRIBER_TOO_SLOW' } });

export interface FanoutOptions {
  /** Share executions among subscribers of a class (default true). */
  share?: boolean;
  observer?: FanoutObserver;
}

export interface Fanout {
  plugin: Plugin<Context>;
  /** What the plugin puts in place of graphql-js `subscribe`. */
  subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  /** The committed event a subscription result was executed for, if known. */
  eventOf(result: unknown): TicketEventMessage | undefined;
}

export function createFanout(opts: FanoutOptions = {}): Fanout {
  const share = opts.share ?? true;
  const observer = opts.observer;
  const resultEvents = new WeakMap<object, TicketEventMessage>();
  // A shared result's payload JSON, made once however many subscribers it goes to.
  const sharedJson = new WeakMap<ExecutionResult, string>();
  // event → subscription key (document, variables, class) → share key → result
  const memo = new WeakMap<TicketEventMessage, Map<string, Map<string, Promise<ExecutionResult>>>>();
  const printed = new WeakMap<DocumentNode, string>();
  const specific = new WeakMap<DocumentNode, boolean>();
  let specificFields: { schema: GraphQLSchema; fields: Set<string> } | null = null;

  const isViewerSpecific = (schema: GraphQLSchema, document: DocumentNode) => {
    let s = specific.get(document);
    if (s === undefined) {
      if (specificFields?.schema !== schema) specificFields = { schema, fields: viewerSpecificFields(schema) };
      s = selectsViewerSpecific(schema, document, specificFields.fields);
      specific.set(document, s);
    }
    return s;
  };
  const documentText = (document: DocumentNode) => {
    let t = printed.get(document);
    if (t === undefined) printed.set(document, (t = print(document)));
    return t;
  };

  async function subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const ctx = args.contextValue as Context;
    const viewer = ctx.viewer;
    const op = getOperationAST(args.document, args.operationName);
    const first = op?.selectionSet.selections[0];
    const field = first?.kind === 'Field' ? first.name.value : 'unknown';

    let subKey: string | null = null;
    let sharedViewer: Viewer | null = null;
    if (share && viewer) {
      const identity = viewer.role === 'CUSTOMER' || isViewerSpecific(args.schema, args.document);
      sharedViewer = identity ? viewer : classViewer(viewer);
      const klass = `${viewer.role}|${viewer.via}|${[...viewer.scopes].sort().join(',')}${identity ? `|${viewer.userId}` : ''}`;
      subKey = `${documentText(args.document)}\u0000${args.operationName ?? ''}\u0000${stableJson(args.variableValues)}\u0000${klass}`;
    }

    const run = (value: unknown): Promise<ExecutionResult> => {
      const info = typeof value === 'object' && value !== null ? shares.get(value) : undefined;
      if (!info || subKey === null || sharedViewer === null) {
        observer?.executed(false);
        return Promise.resolve(execute({ ...args, rootValue: value })).then((r) => {
          if (info) resultEvents.set(r, info.event);
          return r;
        });
      }
      let bySub = memo.get(info.event);
      if (!bySub) memo.set(info.event, (bySub = new Map()));
      let byShare = bySub.get(subKey);
      if (!byShare) bySub.set(subKey, (byShare = new Map()));
      let result = byShare.get(info.key);
      if (!result) {
        observer?.executed(true);
        const shared: Context = { ...ctx, viewer: sharedViewer, loaders: createLoaders(ctx.prisma) };
        result = Promise.resolve(execute({ ...args, rootValue: value, contextValue: shared })).then((r) => {
          resultEvents.set(r, info.event);
          if (!r.errors) sharedJson.set(r, JSON.stringify(r));
          return r;
        });
        byShare.set(info.key, result);
      }
      return result;
    };

    // Over graphql-ws, shared results without errors go straight to the socket.
    const { socket, operationId } = ctx as WebSocketSink;
    const id = socket && operationId !== undefined ? JSON.stringify(operationId) : null;
    const direct =
      share && socket && id !== null
        ? (result: ExecutionResult): boolean => {
            const json = sharedJson.get(result);
            if (json === undefined) return false;
            if (socket.readyState !== 1) return true; // closing: graphql-ws ends the operation
            if (socket.bufferedAmount > MAX_BUFFERED_BYTES) throw subscriberTooSlow();
            socket.send(`{"id":${id},"type":"next","payload":${json}}`);
            observer?.sent?.(resultEvents.get(result)?.committedAt);
            return true;
          }
        : undefined;

    observer?.subscriptionStarted(field);
    return mapStream(source, run, () => observer?.subscriptionEnded(field), direct);
  }

  return {
    plugin: {
      onSubscribe({ setSubscribeFn }) {
        setSubscribeFn(subscribe as never);
      },
    },
    subscribe,
    eventOf: (result) => (typeof result === 'object' && result !== null ? resultEvents.get(result) : undefined),
  };
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

/**
 * `source` mapped through `fn`, ending once (`onEnd`) however it ends. Returning does not
 * wait for the source: a subscription stream parked on the event bus finishes on its
 * own, and neither the client nor a pending `next()` waits for the next event.
 */
function mapStream<T>(
  source: AsyncIterable<unknown>,
  fn: (v: unknown) => Promise<T>,
  onEnd: () => void,
  /** Delivers a value itself (true) instead of yielding it. */
  deliver?: (value: T) => boolean,
): AsyncGenerator<T, void, void> {
  const it = source[Symbol.asyncIterator]();
  const done = { value: undefined, done: true } as const;
  let ended = false;
  // The caller of a pending next(), released with `done` when the stream is closed.
  let waiting: ((r: IteratorResult<T, void>) => void) | null = null;
  const end = () => {
    if (ended) return;
    ended = true;
    waiting?.(done);
    waiting = null;
    onEnd();
  };
  const close = () => {
    if (ended) return;
    end();
    void Promise.resolve(it.return?.()).catch(() => undefined);
  };
  const gen: AsyncGenerator<T, void, void> = {
    next() {
      if (ended) return Promise.resolve(done);
      return new Promise<IteratorResult<T, void>>((resolve, reject) => {
        waiting = resolve;
        const fail = (e: unknown) => {
          waiting = null;
          close();
          reject(e);
        };
        const pull = () =>
          it.next().then(
            (r) => {
              if (ended) return resolve(done);
              if (r.done) {
                end();
                return resolve(done);
              }
              fn(r.value).then((value) => {
                if (ended) return resolve(done);
                let delivered: boolean | undefined;
                try {
                  delivered = deliver?.(value);
                } catch (e) {
                  return fail(e);
                }
                // Delivered directly: this next() goes on waiting for a value to yield.
                if (delivered) return void pull();
                waiting = null;
                resolve({ value, done: false });
              }, fail);
            },
            (e: unknown) => {
              waiting = null;
              end();
              reject(e);
            },
          );
        pull();
      });
    },
    async return() {
      close();
      return done;
    },
    async throw(e: unknown) {
      close();
      throw e;
    },
    [Symbol.asyncIterator]() {
      return gen;
    },
  };
  return gen;
}
