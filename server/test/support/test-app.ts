// An app instance on a database of its own, driven in-process through yoga's fetch
// (the same handler the HTTP server uses) or on a real port when a test needs one.
import { pino } from 'pino';
import { buildApp, type App, type AppDeps } from '../../src/app.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { Database, QueryLogEntry } from '../../src/infra/db/client.ts';
import { openSuiteDatabase, type SuiteDatabase } from './database.ts';

export interface GqlResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestApp {
  app: App;
  /** Set once `listen()` ran: the real HTTP/websocket base URL. */
  url: string | null;
  listen(): Promise<string>;
  db: Database;
  /** The suite's database kind: `postgres`, or `pglite` (the embedded default). */
  dbKind: SuiteDatabase['kind'];
  /** Another handle on the same data, for a second instance (see SuiteDatabase.connect). */
  connectDb(): Promise<Database>;
  /** Every SQL statement Prisma sent, in order; tests count and reset it. */
  queries: QueryLogEntry[];
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

export const TEST_CONFIG = {
  PORT: 0,
  HOST: '127.0.0.1',
  SESSION_TTL_HOURS: 24,
  WEB_DIST: '/nonexistent',
  GRAPHIQL: false,
  SHUTDOWN_GRACE_MS: 2000,
  JOB_POLL_MS: 200,
} as const;

export async function startTestApp(
  opts: { clock?: Clock; runJobs?: boolean; poolSize?: number; config?: Partial<AppDeps['config']>; rateLimiters?: AppDeps['rateLimiters'] } = {},
): Promise<TestApp> {
  const queries: QueryLogEntry[] = [];
  const tdb = await openSuiteDatabase({ log: (q) => queries.push(q), ...(opts.poolSize && { poolSize: opts.poolSize }) });
  const app = buildApp({
    config: { ...TEST_CONFIG, ...opts.config },
    db: tdb.db,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(opts.clock && { clock: opts.clock }),
    ...(opts.rateLimiters && { rateLimiters: opts.rateLimiters }),
    // Tests drive timers by hand (app.jobs.runDue) unless they ask for the poller.
    runJobs: opts.runJobs ?? false,
  });
  const ta: TestApp = {
    app,
    url: null,
    async listen() {
      ta.url ??= (await app.start()).url;
      return ta.url;
    },
    db: tdb.db,
    dbKind: tdb.kind,
    connectDb: tdb.connect,
    queries,
    async gql(query, variables, token) {
      const res = await app.fetch('http://test/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResult<never>;
    },
    async close() {
      await app.stop();
      await tdb.close();
    },
  };
  return ta;
}
