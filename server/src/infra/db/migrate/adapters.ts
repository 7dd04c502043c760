// Driver adapter factories for the schema engine, with fixes for what the stock
// adapters get wrong on the migration path:
//  1. @prisma/adapter-pg cannot decode PostgreSQL's one-byte "char" type (OID 18), which
//     the engine reads from pg_catalog when it introspects (diff, create).
//  2. PrismaPg.connectToShadowDb() points its "shadow" connection at the main database
//     when given a connection string, and drops the shadow database while still
//     connected to it. Replaying migrations there would wreck the main database.
//  3. pglite-prisma-adapter's executeScript does not await the script, so a failing
//     migration was recorded as applied.
// Every factory here also runs a whole migration script as one simple-protocol query,
// which PostgreSQL executes as one implicit transaction: a failing migration leaves
// nothing half-applied, and `;` inside literals or function bodies is not split on.
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

const CHAR_OID = 18;
const TEXT_OID = 25;

function charColumnsAsText(result: unknown): unknown {
  // Multi-statement simple queries resolve to one result per statement.
  for (const one of Array.isArray(result) ? result : [result]) {
    const fields = (one as Partial<pg.QueryResult> | undefined)?.fields;
    for (const field of fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

/**
 * A pg client that reports "char" result columns as text (fix 1). It sits below the
 * adapter because the adapter maps column types inside queryRaw, with no hook.
 */
class CatalogClient extends pg.Client {
  // pg calls query() with a promise, a trailing callback (the pool does) or a
  // Submittable; only the first two carry a result to patch. `any`: the override
  // forwards all of pg's overloads unchanged, which no single signature describes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: unknown[]): any {
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (error: Error | undefined, result: unknown) =>
        (last as (e: Error | undefined, r: unknown) => void)(error, charColumnsAsText(result));
    }
    const returned: unknown = Reflect.apply(super.query, this, args);
    return returned instanceof Promise ? returned.then(charColumnsAsText) : returned;
  }
}

/**
 * Database errors raised outside the adapter's own error mapping (our executeScript)
 * are reported the way the adapters report theirs, so the engine shows the
 * PostgreSQL code and message instead of an opaque JavaScript error id.
 */
function toDriverAdapterError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const e = error as Record<string, unknown>;
  if (typeof e.code !== 'string' || typeof e.message !== 'string') return error;
  const optional = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return new DriverAdapterError({
    kind: 'postgres',
    code: e.code,
    severity: optional(e.severity) ?? 'ERROR',
    message: e.message,
    detail: optional(e.detail),
    column: optional(e.column),
    hint: optional(e.hint),
  });
}

/** A view of `adapter` with some of its methods replaced. */
export function overrideAdapter(
  adapter: SqlDriverAdapter,
  overrides: Partial<Pick<SqlDriverAdapter, 'executeScript' | 'dispose'>>,
): SqlDriverAdapter {
  const getConnectionInfo = adapter.getConnectionInfo?.bind(adapter);
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: (query) => adapter.executeRaw(query),
    executeScript: (script) => adapter.executeScript(script),
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    dispose: () => adapter.dispose(),
    ...(getConnectionInfo && { getConnectionInfo }),
    ...overrides,
  };
}

function scriptRunner(run: (script: string) => Promise<unknown>): SqlDriverAdapter['executeScript'] {
  return async (script) => {
    try {
      await run(script);
    } catch (error) {
      throw toDriverAdapterError(error);
    }
  };
}

// ─────────────────────────────────────── PostgreSQL ───────────────────────────────────────

/**
 * Opens an adapter on `url`. One connection only: the engine relies on session state
 * (its advisory lock on the main database is taken and released in the same session).
 */
async function connectPostgres(url: string, onDispose?: () => Promise<void>): Promise<SqlDriverAdapter> {
  const pool = new pg.Pool({ connectionString: url, max: 1, Client: CatalogClient });
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
  return overrideAdapter(adapter, {
    executeScript: scriptRunner((script) => pool.query(script)),
    dispose: async () => {
      await adapter.dispose();
      await onDispose?.();
    },
  });
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/**
 * Creates a uniquely named database through `adminUrl` and connects to it; disposing
 * the adapter closes the connection first and then drops the database (fix 2).
 */
async function connectThrowaway(adminUrl: string, prefix: string): Promise<SqlDriverAdapter> {
  const database = `${prefix}_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${database}"`);
  try {
    return await connectPostgres(withDatabase(adminUrl, database), () =>
      adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${database}"`),
    );
  } catch (error) {
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${database}"`);
    throw error;
  }
}

/**
 * Migrates the PostgreSQL database at `url`. A shadow database, when a command needs
 * one, is created and dropped through `adminUrl` (default: `url`, which only serves to
 * issue CREATE/DROP DATABASE).
 */
export function postgresMigrationFactory(opts: { url: string; adminUrl?: string }): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectPostgres(opts.url),
    connectToShadowDb: () => connectThrowaway(opts.adminUrl ?? opts.url, 'gongdan_shadow'),
  };
}

/**
 * For commands that must not touch any real database (create, check): the engine's
 * "main" connection, which it opens on start even when it only asks for the server
 * version, is a throw-away database too.
 */
export function postgresScratchFactory(adminUrl: string): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectThrowaway(adminUrl, 'gongdan_scratch'),
    connectToShadowDb: () => connectThrowaway(adminUrl, 'gongdan_shadow'),
  };
}

// ───────────────────────────────────────── PGlite ─────────────────────────────────────────

/** An adapter on `pglite` whose scripts are awaited and report their errors (fix 3). */
async function connectPGlite(pglite: PGlite, onDispose?: () => Promise<void>): Promise<SqlDriverAdapter> {
  const adapter = await new PrismaPGlite(pglite).connect();
  return overrideAdapter(adapter, {
    executeScript: scriptRunner((script) => pglite.exec(script)),
    dispose: async () => {
      await adapter.dispose();
      await onDispose?.();
    },
  });
}

/** A fresh in-memory PGlite, closed when its adapter is disposed. */
async function connectMemoryPGlite(): Promise<SqlDriverAdapter> {
  const pglite = await PGlite.create('memory://');
  return connectPGlite(pglite, () => pglite.close());
}

/**
 * Migrates `pglite`, which stays open when the engine lets go of it (the application
 * shares the instance). Shadow databases are fresh in-memory instances: PGlite has a
 * single database per instance, and the stock adapter never closes the one it makes.
 *
 * PGlite learns the array types of the database once, when it opens, and serializes a
 * parameter of a type it does not know with `String(value)`. An enum created by a
 * migration on the open instance was such a type: on the first start of the embedded
 * database, `assignmentModes: { has: 'GRAB' }` sent `GRAB` for an `AssignmentMode[]` and
 * PostgreSQL refused it as a malformed array literal. So it relearns them afterwards.
 */
export function pgliteMigrationFactory(pglite: PGlite): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: 'postgres',
    adapterName: 'pglite-prisma-adapter',
    connect: () => connectPGlite(pglite, () => pglite.refreshArrayTypes()),
    connectToShadowDb: connectMemoryPGlite,
  };
}

/** Like postgresScratchFactory, with in-memory PGlite instances: needs no server at all. */
export function pgliteScratchFactory(): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: 'postgres',
    adapterName: 'pglite-prisma-adapter',
    connect: connectMemoryPGlite,
    connectToShadowDb: connectMemoryPGlite,
  };
}
