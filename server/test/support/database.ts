// The database a test suite runs on: PostgreSQL, or the embedded PGlite that `pnpm start`
// uses. The vitest project decides (TEST_DATABASE=pglite in vitest.config.ts); the same API
// tests run on both, so the embedded default is tested like production.
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { type Database, type OpenDatabaseOptions, openDatabase } from '../../src/infra/db/client.ts';
import { openTestDatabase } from './postgres.ts';

export type TestDatabaseKind = Database['kind'];

export function testDatabaseKind(): TestDatabaseKind {
  return process.env.TEST_DATABASE === 'pglite' ? 'pglite' : 'postgres';
}

export interface SuiteDatabase {
  kind: TestDatabaseKind;
  db: Database;
  /** PostgreSQL: the connection URL (for another process on the same data); PGlite: null. */
  url: string | null;
  /**
   * Another handle on the same data, as a second instance would open it: a new pool on
   * PostgreSQL; on PGlite, which is one connection per data folder, the same instance.
   * Close what it returns before `close()`.
   */
  connect(): Promise<Database>;
  /** Closes `db` and removes the data. */
  close(): Promise<void>;
}

let template: Promise<Blob> | undefined;

/** A migrated database of its own on the suite's database kind. */
export async function openSuiteDatabase(opts: Pick<OpenDatabaseOptions, 'log' | 'poolSize'> = {}): Promise<SuiteDatabase> {
  if (testDatabaseKind() === 'postgres') {
    const pg = await openTestDatabase(opts);
    return {
      kind: 'postgres',
      db: pg.db,
      url: pg.url,
      connect: () => openDatabase({ url: pg.url }),
      close: pg.close,
    };
  }
  // Every file starts from the dump of one migrated instance (global-setup.ts): loading it
  // takes about a second, a fresh cluster plus migrations about four.
  template ??= readFile(inject('pgliteTemplatePath')).then((bytes) => new Blob([bytes]));
  const db = await openDatabase({ dataDir: 'memory://', loadDataDir: await template, log: opts.log });
  const shared: Database = { ...db, close: async () => {} };
  return { kind: 'pglite', db, url: null, connect: async () => shared, close: () => db.close() };
}
