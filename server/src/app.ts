// buildApp wires one gongdan instance: HTTP (GraphQL over HTTP, GraphiQL, health, the
// built web board) and graphql-ws on the same /graphql path, both running through
// yoga's envelop pipeline so plugins (auth, limits, logging) apply to both.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ExecutionArgs, execute as graphqlExecute, subscribe as graphqlSubscribe } from 'graphql';
import { GraphQLError } from 'graphql';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, maskError } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { DomainError, ValidationFailed } from './domain/errors.ts';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import sirv from 'sirv';
import { WebSocket, WebSocketServer } from 'ws';
import { LIMIT_DEFAULTS, type Config } from './config.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import type { AuthFailure, Viewer } from './domain/identity/viewer.ts';
import type { Context } from './graphql/context.ts';
import { schema } from './graphql/schema.ts';
import { createLoaders } from './graphql/loaders.ts';
import type { Database } from './infra/db/client.ts';
import { createServices, type Services } from './services/index.ts';
import { parseAuthorization } from './services/auth/tokens.ts';
import { queueSnapshot } from './services/tickets/snapshot.ts';
import { JobRunner } from './infra/jobs/scheduler.ts';
import { createMemoryBus } from './infra/pubsub/memory.ts';
import { createOrderedBus } from './infra/pubsub/ordered.ts';
import type { EventBus } from './infra/pubsub/pubsub.ts';
import { createFanout } from './graphql/fanout.ts';
import { createObservability, instrumentGrabs, routeOf, stampingBus, type Observability } from './observability/index.ts';
import { QUERY_LIMITS, inputError, useOperationLimits } from './graphql/operation-limits.ts';
import { clientAddress, memoryRateLimiters, useBodyLimit, useRateLimit, type RateLimiters } from './http/limits.ts';
import { SocketCredentials, type HeldCredential } from './http/socket-credentials.ts';
import { requestIdFrom, REQUEST_ID_HEADER } from './observability/request-id.ts';
import { BACKOFF_BASE_SECONDS, BACKOFF_MAX_SECONDS } from './domain/identity/login-backoff.ts';
import { LoginThrottle } from './services/auth/login-throttle.ts';

export interface AppDeps {
  config: Pick<Config, 'PORT' | 'HOST' | 'SESSION_TTL_HOURS' | 'WEB_DIST' | 'GRAPHIQL' | 'SHUTDOWN_GRACE_MS' | 'JOB_POLL_MS'> &
    Partial<Pick<Config, 'SUBSCRIPTION_SHARING' | 'METRICS_TOKEN' | 'NODE_ENV' | 'CORS_ORIGINS'>> &
    Partial<Pick<Config, keyof typeof LIMIT_DEFAULTS>>;
  db: Database;
  logger: Logger;
  clock?: Clock;
  /** Defaults to the in-memory bus (one instance). */
  bus?: EventBus;
  /** Run the durable timer runner in this instance (default true). */
  runJobs?: boolean;
  /** Rate limit and failed-login counters; default in memory (one instance). See http/limits.ts. */
  rateLimiters?: RateLimiters;
}

export interface App {
  services: Services;
  bus: EventBus;
  jobs: JobRunner;
  /** Metrics and request observation of this instance. */
  observability: Observability;
  /** In-process requests (tests): the same handler the HTTP server uses. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes sockets. */
  stop(): Promise<void>;
}

type ConnectionExtra = {
  viewer: Viewer | null;
  authFailure: AuthFailure | null;
};

/** What a websocket keeps from its connection_init. */
type SocketExtra = ConnectionExtra & {
  /** Absent on sockets opened without a credential. */
  credential?: HeldCredential;
};

let graphiqlPage: string | undefined;

export function buildApp(deps: AppDeps): App {
  const { config, db, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const bus = deps.bus ?? createMemoryBus();
  const production = config.NODE_ENV === 'production';
  // In production /metrics is served only behind its token; without one it is refused.
  const obs = createObservability({ logger, db, metricsToken: config.METRICS_TOKEN, requireToken: production });
  if (production && !config.METRICS_TOKEN) logger.warn('METRICS_TOKEN is not set: /metrics answers 403 in production');
  const corsOrigins = new Set(config.CORS_ORIGINS ?? []);
  // Publishers stamp each event's commit time, for the delivery-lag metric.
  const publishing = stampingBus(bus, obs.metrics);
  const fanout = createFanout({
    share: config.SUBSCRIPTION_SHARING ?? true,
    observer: {
      subscriptionStarted: obs.metrics.subscriptionStarted,
      subscriptionEnded: obs.metrics.subscriptionEnded,
      executed: obs.metrics.subscriptionExecuted,
      sent: (committedAt) => obs.metrics.payloadSent(committedAt),
    },
  });
  const events = createOrderedBus(bus, db.prisma, {
    onRepair: (r) => logger.warn(r, 'event stream had a hole; filled it from the timeline'),
    onError: (e) => logger.error({ err: e }, 'event stream error'),
  });
  const limit = <K extends keyof typeof LIMIT_DEFAULTS>(k: K) => config[k] ?? LIMIT_DEFAULTS[k];
  const limiters =
    deps.rateLimiters ?? memoryRateLimiters({ perMinute: limit('RATE_LIMIT_PER_MINUTE'), anonymousPerMinute: limit('RATE_LIMIT_ANONYMOUS_PER_MINUTE') });
  const backoff = { lockSeconds: limit('LOGIN_LOCK_MINUTES') * 60, baseSeconds: BACKOFF_BASE_SECONDS, maxSeconds: BACKOFF_MAX_SECONDS };
  const loginThrottle = new LoginThrottle(
    limiters.login,
    {
      account: { ...backoff, free: limit('LOGIN_FREE_FAILURES'), lockAfter: limit('LOGIN_LOCK_FAILURES') },
      address: { ...backoff, free: limit('LOGIN_ADDRESS_FREE_FAILURES'), lockAfter: limit('LOGIN_ADDRESS_LOCK_FAILURES') },
    },
    (e) => logger.error({ err: e }, 'login counter store failed; attempt let through'),
  );
  const services = createServices({
    prisma: db.prisma,
    clock,
    bus: publishing,
    sessionTtlMs: config.SESSION_TTL_HOURS * 3600_000,
    onPublishError: (e) => logger.error({ err: e }, 'publishing committed events failed'),
    loginThrottle,
  });
  instrumentGrabs(services.tickets, obs.metrics);
  const jobs = new JobRunner(
    { prisma: db.prisma, clock, bus: publishing, snapshot: queueSnapshot },
    services.tickets.jobHandlers(),
    { pollMs: config.JOB_POLL_MS, logger },
  );

  async function authenticate(header: string | null | undefined): Promise<ConnectionExtra> {
    const token = parseAuthorization(header);
    if (!token) return { viewer: null, authFailure: null };
    const r = await services.auth.authenticate(token);
    return r.ok ? { viewer: r.viewer, authFailure: null } : { viewer: null, authFailure: r.reason };
  }
  // One authentication per HTTP request, shared by the rate limiter and the context.
  const authByRequest = new WeakMap<Request, Promise<ConnectionExtra>>();
  const authOf = (request: Request) => {
    let auth = authByRequest.get(request);
    if (!auth) authByRequest.set(request, (auth = authenticate(request.headers.get('authorization'))));
    return auth;
  };
  const guards = [
    ...(limit('RATE_LIMIT_ENABLED')
      ? [
          useRateLimit<{ req?: http.IncomingMessage }>({
            limiters,
            identify: async (request, serverContext) => {
              const { viewer } = await authOf(request);
              return viewer ? { key: `token:${viewer.credentialId}`, anonymous: false } : { key: `ip:${clientAddress(serverContext, limit('TRUSTED_PROXIES'))}`, anonymous: true };
            },
            onStoreError: (e) => logger.error({ err: e }, 'rate limit store failed; request let through'),
          }),
        ]
      : []),
    useBodyLimit(limit('MAX_BODY_BYTES')),
    useOperationLimits({ ...QUERY_LIMITS, aliases: limit('MAX_ALIASES') }),
  ];

  const yoga = createYoga<{ req?: http.IncomingMessage; wsExtra?: ConnectionExtra; requestId?: string }, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    plugins: [
      obs.graphql.plugin,
      fanout.plugin,
      // A request a browser sends cross-site without a preflight (GET, or a form's content
      // type) must carry this header; JSON POSTs are preflighted, so CORS decides those.
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
      // With an allow-list, answers differ by Origin: caches must not hand one origin's to another.
      ...(corsOrigins.size ? [{ onResponse: ({ response }: { response: Response }) => varyOnOrigin(response) }] : []),
      ...guards,
    ],
    // Only the listed origins get CORS headers (the board is same-origin and needs none).
    // Credentials are bearer tokens, never cookies, so they are never allowed.
    cors: (request) => {
      const origin = request.headers.get('origin');
      return origin && corsOrigins.has(origin) ? { origin: [origin], credentials: false, maxAge: 600 } : false;
    },
    maxRequestBodySize: limit('MAX_BODY_BYTES'),
    maskedErrors: {
      // Expected domain failures outside a result union (subscriptions, queries) keep
      // their message and code; anything else is masked as an internal error.
      maskError: (error, message, isDev) => {
        const original = (error as { originalError?: unknown }).originalError ?? error;
        if (original instanceof DomainError) {
          return new GraphQLError(original.message, {
            nodes: (error as GraphQLError).nodes,
            path: (error as GraphQLError).path,
            // Validation before the resolver names every offending field, as the typed result would.
            extensions: { code: original.code, ...(original instanceof ValidationFailed && { fieldErrors: original.fieldErrors }) },
          });
        }
        return inputError(error) ?? maskError(error, message, isDev);
      },
    },
    graphiql: config.GRAPHIQL ? { title: 'gongdan GraphQL', subscriptionsProtocol: 'WS' } : false,
    // Yoga's default GraphiQL page loads its scripts from a CDN; this one carries them inline,
    // so it works where the server has no internet (and leaks nothing to a third party).
    // Headers set in its Headers tab also go into graphql-ws connectionParams.
    renderGraphiQL: (opts) => (graphiqlPage ??= renderGraphiQL(opts)),
    logging: {
      debug: (...a) => logger.debug(a.map(String).join(' ')),
      info: (...a) => logger.info(a.map(String).join(' ')),
      warn: (...a) => logger.warn(a.map(String).join(' ')),
      error: (...a) => logger.error(a.map((x) => (x instanceof Error ? x.stack : String(x))).join(' ')),
    },
    context: async (initial): Promise<Context> => {
      const auth = initial.wsExtra ?? (await authOf(initial.request));
      return {
        ...auth,
        prisma: db.prisma,
        services,
        requestId: obs.graphql.requestIdOf(initial.request, initial),
        userAgent: (initial.request ? initial.request.headers.get('user-agent') : initial.req?.headers['user-agent']) ?? null,
        clientAddress: clientAddress(initial, limit('TRUSTED_PROXIES')),
        loaders: createLoaders(db.prisma),
        events,
        clock,
      };
    },
  });

  const serveWeb = existsSync(config.WEB_DIST)
    ? sirv(config.WEB_DIST, { single: true, etag: true, dev: false })
    : null;

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0] ?? '/';
    const requestId = obs.http.begin(req, res, routeOf(pathname));
    if (pathname === '/metrics') {
      obs.serveMetrics(req, res);
      return;
    }
    if (pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (pathname === '/readyz') {
      db.ping().then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}'),
        (e: unknown) => {
          logger.warn({ err: e }, 'readiness check failed');
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"unavailable","reason":"database"}');
        },
      );
      return;
    }
    if (pathname === '/graphql' || pathname?.startsWith('/graphql/')) {
      void yoga.handle(req, res, { req, requestId });
      return;
    }
    if (serveWeb) {
      serveWeb(req, res, () => {
        res.writeHead(404).end('Not found');
      });
      return;
    }
    res
      .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      .end('The web board is not built. Run `pnpm --filter @gongdan/web build` (pnpm start does it for you).\n');
  });

  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: limit('MAX_BODY_BYTES') });
  obs.metrics.observeWebsockets(() => wss.clients.size);
  // Open sockets' credentials, looked up again per operation, on access changes from any
  // instance and at expiry (http/socket-credentials.ts).
  const credentials = new SocketCredentials({
    authenticate: (token, opts) => services.auth.authenticate(token, opts),
    clock,
    accessChanges: (signal) => bus.subscribeAccessChanges(signal),
    onClosed: (info) => logger.debug(info, 'websocket closed: its credential ended or its rights changed'),
    onError: (e) => logger.error({ err: e }, 'checking a websocket credential failed'),
  });
  const wsServer = useServer<Record<string, unknown>, SocketExtra>(
    {
      connectionInitWaitTimeout: limit('WS_INIT_TIMEOUT_MS'),
      // The credential comes in connection_init; a bad one is refused with 4403.
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token = parseAuthorization(typeof header === 'string' ? header : null);
        Object.assign(ctx.extra, { viewer: null, authFailure: null });
        if (!token) return true;
        const r = await services.auth.authenticate(token);
        if (!r.ok) return false;
        const { socket } = ctx.extra;
        // Closed or closing meanwhile: hold nothing for it (onClose may have run already).
        if (socket.readyState !== WebSocket.OPEN) return false;
        ctx.extra.viewer = r.viewer;
        ctx.extra.credential = credentials.hold({ token, viewer: r.viewer, expiresAt: r.expiresAt, close: (code, reason) => socket.close(code, reason) });
        return true;
      },
      onClose: (ctx) => {
        if (ctx.extra.credential) credentials.release(ctx.extra.credential);
      },
      // The moment a subscription payload is sent: delivery lag from its event's commit.
      // (Shared payloads are written by graphql/fanout.ts itself and counted there.)
      onNext: (_ctx, _id, _payload, _args, result) => obs.metrics.payloadSent(fanout.eventOf(result)?.committedAt),
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, id, payload) => {
        // Every operation runs as the credential is now, not as it was at connection_init.
        let viewer = ctx.extra.viewer;
        const held = ctx.extra.credential;
        if (held) {
          let check;
          try {
            check = await credentials.check(held, { touch: true });
          } catch (e) {
            logger.error({ err: e }, 'checking a websocket credential failed');
            return [maskError(e, 'Unexpected error.', false) as GraphQLError];
          }
          if (!check.ok) {
            // This operation's error goes out first (graphql-ws writes it before the event
            // loop moves on), then the socket closes: 4401 or 4403.
            setImmediate(() => credentials.refuse(held, check));
            return [check.error];
          }
          viewer = check.viewer;
        }
        // graphql-ws registers the operation before this hook: the count includes it.
        if (Object.keys(ctx.subscriptions).length > limit('WS_MAX_SUBSCRIPTIONS')) return [tooManyOperations(limit('WS_MAX_SUBSCRIPTIONS'))];
        // No `request` here: yoga refuses mutations in requests whose method is GET (the
        // websocket upgrade is one), and skips that check for contexts without a request,
        // which is what an operation over graphql-ws is. HTTP GET mutations stay refused.
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          // With the socket, lets shared subscription payloads be written directly (graphql/fanout.ts).
          operationId: id,
          params: payload,
          requestId: requestIdFrom(ctx.extra.request.headers[REQUEST_ID_HEADER]),
          wsExtra: { viewer, authFailure: ctx.extra.authFailure },
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (e) {
          // A syntax error ends this operation, not the connection (and its other subscriptions).
          return [e instanceof GraphQLError ? e : new GraphQLError('The query could not be parsed')];
        }
        const args = {
          schema: s,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );

  // Track sockets so stop() can end idle keep-alive connections instead of waiting for them.
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  let stopping: Promise<void> | undefined;
  return {
    services,
    bus,
    jobs,
    observability: obs,
    fetch: (input, init) => Promise.resolve(yoga.fetch(new Request(input, init))),
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          if (deps.runJobs !== false) jobs.start();
          const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
          resolve({ url: `http://${host}:${port}`, port });
        });
      }),
    stop: () =>
      (stopping ??= (async () => {
        credentials.stop();
        await jobs.stop();
        const closed = new Promise<void>((r) => server.close(() => r()));
        // 1001 "going away": clients reconnect, to another instance behind a load balancer.
        await wsServer.dispose();
        for (const client of wss.clients) client.close(1001, 'Server shutting down');
        server.closeIdleConnections();
        const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), config.SHUTDOWN_GRACE_MS).unref());
        if ((await Promise.race([closed.then(() => 'closed' as const), grace])) === 'timeout') {
          logger.warn({ open: sockets.size }, 'grace period over; closing remaining connections');
          server.closeAllConnections();
          await closed;
        }
        await yoga.dispose();
        await events.close();
      })()),
  };
}

function varyOnOrigin(response: Response): void {
  if (!/(^|,)\s*origin\s*(,|$)/i.test(response.headers.get('vary') ?? '')) response.headers.append('vary', 'Origin');
}

/** The header yoga's CSRF prevention asks of requests a browser would not preflight. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

function tooManyOperations(max: number): GraphQLError {
  return new GraphQLError(`Too many operations on this connection: at most ${max} at a time. Complete one first, or open another connection.`, {
    extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: max },
  });
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => ReturnType<typeof graphqlExecute>;
  subscribe: (args: ExecutionArgs) => ReturnType<typeof graphqlSubscribe>;
}
