// Opens the database: PostgreSQL when a URL is given, else an embedded PGlite (the same
// PostgreSQL dialect, so one schema and one migration history serve both).
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { type Prisma, PrismaClient } from './generated/client.ts';
import { pgliteMigrationFactory, postgresMigrationFactory } from './migrate/adapters.ts';
import { type QueryLogger, withQueryLog } from './query-log.ts';

export { PrismaClient };
/** The client handed to an interactive transaction's callback. */
export type Tx = Prisma.TransactionClient;

export type { QueryLogEntry, QueryLogger } from './query-log.ts';

export interface OpenDatabaseOptions {
  /** `postgres://…`; unset = embedded PGlite in `dataDir`. */
  url?: string;
  /** PGlite data folder, created if missing; `memory://` keeps everything in memory. */
  dataDir?: string;
  /**
   * PGlite only: start from this dump of a data folder (`PGlite.dumpDataDir()`), e.g. an
   * already migrated template, instead of an empty cluster.
   */
  loadDataDir?: Blob;
  /** Connections in the PostgreSQL pool (default 10). PGlite is a single connection. */
  poolSize?: number;
  /**
   * Called once per SQL statement Prisma sends, including BEGIN/COMMIT/ROLLBACK and
   * statements that fail, with its duration (see ./query-log.ts).
   */
  log?: QueryLogger;
}

export interface Database {
  kind: 'postgres' | 'pglite';
  prisma: PrismaClient;
  /** For the schema engine (see ./migrate), with the adapter fixes applied. */
  migrationAdapterFactory: SqlMigrationAwareDriverAdapterFactory;
  ping(): Promise<void>;
  /** Disconnects Prisma and releases the pool or the PGlite instance, so the process can exit. */
  close(): Promise<void>;
  /** Where the data lives, without credentials, for logs. */
  description: string;
  /** The PostgreSQL pool's connections right now (for metrics); null for PGlite, a single connection. */
  poolStats(): PoolStats | null;
}

export interface PoolStats {
  /** Open connections, busy or idle. */
  total: number;
  idle: number;
  /** Queries queued for a connection. */
  waiting: number;
  max: number;
}

const DEFAULT_POOL_SIZE = 10;

function createPrismaClient(adapter: SqlDriverAdapterFactory, log: QueryLogger | undefined): PrismaClient {
  return new PrismaClient({ adapter: log ? withQueryLog(adapter, log) : adapter });
}

/** Runs `close` once however often it is called. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

function parsePostgresUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('database URL is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`database URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  return parsed;
}

async function openPostgres(url: string, opts: OpenDatabaseOptions): Promise<Database> {
  const parsed = parsePostgresUrl(url);
  const poolSize = opts.poolSize ?? DEFAULT_POOL_SIZE;
  const description = `PostgreSQL ${parsed.host}${parsed.pathname} (pool of ${poolSize})`;
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection dropped by the server (restart, failover) must not crash the
  // process; the pool replaces it on next use.
  pool.on('error', () => {});
  const prisma = createPrismaClient(new PrismaPg(pool), opts.log);
  const close = once(async () => {
    await prisma.$disconnect();
    await pool.end();
  });
  const db: Database = {
    kind: 'postgres',
    prisma,
    migrationAdapterFactory: postgresMigrationFactory({ url }),
    // Through the pool, not Prisma, so health checks stay out of the query log.
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close,
    description,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolSize }),
  };
  await db.ping().catch(async (error: unknown) => {
    await close();
    throw new Error(`cannot connect to ${description}: ${(error as Error).message}`, { cause: error });
  });
  return db;
}

async function openPGlite(dataDir: string, opts: OpenDatabaseOptions): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) await mkdir(location, { recursive: true });
  const pglite = await PGlite.create({ dataDir: location, ...(opts.loadDataDir && { loadDataDir: opts.loadDataDir }) });
  const prisma = createPrismaClient(new PrismaPGlite(pglite), opts.log);
  return {
    kind: 'pglite',
    prisma,
    // The engine and the client take turns on the one instance (PGlite is a single
    // connection): migrations can run at boot without reopening the data folder.
    migrationAdapterFactory: pgliteMigrationFactory(pglite),
    ping: async () => {
      await pglite.query('SELECT 1');
    },
    close: once(async () => {
      await prisma.$disconnect();
      await pglite.close();
    }),
    description: inMemory ? 'embedded PGlite in memory' : `embedded PGlite in ${location}`,
    poolStats: () => null,
  };
}

/** Opens PostgreSQL at `opts.url`, or the embedded PGlite in `opts.dataDir`. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts);
  // No silent in-memory default: data the user thought was stored would vanish.
  if (!opts.dataDir) throw new Error('openDatabase needs a url or a dataDir');
  return openPGlite(opts.dataDir, opts);
}
