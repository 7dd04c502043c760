// Reports every SQL statement Prisma sends, for query logs and for tests that count
// statements per request.
//
// Prisma 7's own query events (`$on('query')`) are not enough for counting: with driver
// adapters they leave out the BEGIN that opens a transaction (the adapter sends it) and
// statements that fail. Wrapping the adapter sees every round trip on both backends.
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlQueryable,
  Transaction,
} from '@prisma/driver-adapter-utils';

export interface QueryLogEntry {
  query: string;
  durationMs: number;
}

export type QueryLogger = (entry: QueryLogEntry) => void;

/** Runs `run` and reports `query` with its duration, whether it succeeds or fails. */
async function timed<T>(log: QueryLogger, query: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    log({ query, durationMs: performance.now() - start });
  }
}

function queryable<Q extends SqlQueryable>(inner: Q, log: QueryLogger) {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: (query: SqlQuery) => timed(log, query.sql, () => inner.queryRaw(query)),
    executeRaw: (query: SqlQuery) => timed(log, query.sql, () => inner.executeRaw(query)),
  };
}

function loggedTransaction(tx: Transaction, log: QueryLogger): Transaction {
  // With phantom queries the driver itself sends COMMIT/ROLLBACK when the transaction
  // ends (PGlite); without, Prisma sends them through executeRaw first (pg) and
  // commit()/rollback() only release the connection.
  const ends = (statement: string, end: () => Promise<void>) =>
    tx.options.usePhantomQuery ? timed(log, statement, end) : end();
  const savepoint = (statement: string, run: ((name: string) => Promise<void>) | undefined) =>
    run && ((name: string) => timed(log, `${statement} ${name}`, () => run.call(tx, name)));
  const createSavepoint = savepoint('SAVEPOINT', tx.createSavepoint);
  const rollbackToSavepoint = savepoint('ROLLBACK TO SAVEPOINT', tx.rollbackToSavepoint);
  const releaseSavepoint = savepoint('RELEASE SAVEPOINT', tx.releaseSavepoint);
  return {
    ...queryable(tx, log),
    options: tx.options,
    commit: () => ends('COMMIT', () => tx.commit()),
    rollback: () => ends('ROLLBACK', () => tx.rollback()),
    ...(createSavepoint && { createSavepoint }),
    ...(rollbackToSavepoint && { rollbackToSavepoint }),
    ...(releaseSavepoint && { releaseSavepoint }),
  };
}

function loggedAdapter(adapter: SqlDriverAdapter, log: QueryLogger): SqlDriverAdapter {
  const getConnectionInfo = adapter.getConnectionInfo?.bind(adapter);
  return {
    ...queryable(adapter, log),
    executeScript: (script) => timed(log, script, () => adapter.executeScript(script)),
    // The adapter sends BEGIN itself (and, for an isolation level, a second statement
    // setting it): reported as one statement opening the transaction.
    startTransaction: async (isolationLevel?: IsolationLevel) => {
      const begin = isolationLevel ? `BEGIN ISOLATION LEVEL ${isolationLevel}` : 'BEGIN';
      const tx = await timed(log, begin, () => adapter.startTransaction(isolationLevel));
      return loggedTransaction(tx, log);
    },
    dispose: () => adapter.dispose(),
    ...(getConnectionInfo && { getConnectionInfo }),
  };
}

/** `factory`, reporting each statement its connections run to `log`. */
export function withQueryLog(factory: SqlDriverAdapterFactory, log: QueryLogger): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => loggedAdapter(await factory.connect(), log),
  };
}
