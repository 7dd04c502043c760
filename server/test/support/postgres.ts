// Per-test databases on the test PostgreSQL server, cloned from the migrated template
// that global-setup.ts made, with unique names so test files can run in parallel.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, type OpenDatabaseOptions, openDatabase } from '../../src/infra/db/client.ts';
import { withDatabase } from '../../src/infra/db/migrate/index.ts';

export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A new database with every migration applied, or with nothing at all when `empty`
 * (for testing the migrations themselves).
 */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `gongdan_test_${randomBytes(6).toString('hex')}`;
  const template = opts.empty ? 'template0' : inject('pgTemplateDatabase');
  await admin(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return {
    url: withDatabase(inject('pgAdminUrl'), name),
    name,
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

export interface OpenTestDatabase extends TestDatabase {
  db: Database;
  /** Closes `db`, then drops the database. */
  close(): Promise<void>;
}

/** A migrated database of its own, opened through the application's client. */
export async function openTestDatabase(
  opts: Omit<OpenDatabaseOptions, 'url' | 'dataDir'> & { empty?: boolean } = {},
): Promise<OpenTestDatabase> {
  const { empty, ...openOpts } = opts;
  const testDb = await createTestDatabase({ empty });
  try {
    const db = await openDatabase({ ...openOpts, url: testDb.url });
    return {
      ...testDb,
      db,
      close: async () => {
        await db.close();
        await testDb.drop();
      },
    };
  } catch (error) {
    await testDb.drop();
    throw error;
  }
}

export interface Opened {
  db: Database;
  close(): Promise<void>;
}

/** An empty database of each kind, for tests of the migrations themselves (describe.each). */
export const emptyDatabases: [string, () => Promise<Opened>][] = [
  ['PostgreSQL', () => openTestDatabase({ empty: true })],
  [
    'PGlite',
    async () => {
      const db = await openDatabase({ dataDir: 'memory://' });
      return { db, close: () => db.close() };
    },
  ],
];
