// openDatabase on both backends: opening, failing to open, closing, and the statement
// log the request tests count queries with.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, type QueryLogEntry } from '../../src/infra/db/client.ts';
import { applyMigrations } from '../../src/infra/db/migrate/index.ts';
import { migrationRows, type TempDir, tempDir } from '../support/migrations.ts';
import { migrationsDir } from '../support/paths.ts';
import { openTestDatabase } from '../support/postgres.ts';

describe('openDatabase', () => {
  let tmp: TempDir;
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(() => tmp.remove());

  it('rejects a URL that is not PostgreSQL, without echoing it', async () => {
    await expect(openDatabase({ url: 'mysql://root:secret@db/app' })).rejects.toThrow(
      'database URL must start with postgres:// or postgresql://, not mysql://',
    );
    await expect(openDatabase({ url: 'postgres://root:secret@db:notaport/app' })).rejects.toThrow(
      /^database URL is not a valid URL/,
    );
  });

  it('fails to open, naming the server but not the password, when PostgreSQL does not answer', async () => {
    const error: unknown = await openDatabase({ url: 'postgres://app:secret@127.0.0.1:1/app' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^cannot connect to PostgreSQL 127\.0\.0\.1:1\/app \(pool of 10\): /);
    expect((error as Error).message).not.toContain('secret');
  });

  it('needs a URL or a data folder', async () => {
    await expect(openDatabase({})).rejects.toThrow('openDatabase needs a url or a dataDir');
  });

  it('opens PostgreSQL with the pool size asked for, and closes for good', async () => {
    const test = await openTestDatabase({ poolSize: 3 });
    try {
      const { db } = test;
      expect(db.kind).toBe('postgres');
      expect(db.description).toBe(`PostgreSQL ${new URL(test.url).host}/${test.name} (pool of 3)`);
      await db.ping();
      expect(await db.prisma.user.count()).toBe(0);
      await db.close();
      await db.close();
      await expect(db.ping()).rejects.toThrow();
    } finally {
      await test.drop();
    }
  });

  it('keeps PGlite data in its folder, created on first use, across a restart', async () => {
    const dataDir = path.join(tmp.path, 'nested', 'data');
    const first = await openDatabase({ dataDir });
    try {
      expect(first.kind).toBe('pglite');
      expect(first.description).toBe(`embedded PGlite in ${dataDir}`);
      await access(dataDir);
      await applyMigrations(first, migrationsDir);
      await first.prisma.team.create({ data: { name: 'Persisted', kind: 'SERVICE' } });
    } finally {
      await first.close();
    }

    const second = await openDatabase({ dataDir });
    try {
      expect(await applyMigrations(second, migrationsDir)).toEqual({ applied: [] });
      expect((await migrationRows(second)).length).toBeGreaterThan(0);
      expect(await second.prisma.team.findMany({ select: { name: true } })).toEqual([{ name: 'Persisted' }]);
    } finally {
      await second.close();
    }
  });
});

describe.each([
  ['PostgreSQL', 'postgres'],
  ['PGlite', 'pglite'],
] as const)('the statement log on %s', (_name, kind) => {
  const entries: QueryLogEntry[] = [];
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const log = (entry: QueryLogEntry) => entries.push(entry);
    if (kind === 'postgres') {
      const test = await openTestDatabase({ log });
      db = test.db;
      close = test.close;
    } else {
      db = await openDatabase({ dataDir: 'memory://', log });
      close = () => db.close();
      await applyMigrations(db, migrationsDir);
    }
  });
  afterAll(() => close());

  /** The statements `run` sends, with the SQL shortened to its first word. */
  async function statements(run: () => Promise<unknown>): Promise<string[]> {
    entries.length = 0;
    await run().catch(() => {});
    for (const entry of entries) expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    return entries.map((entry) => entry.query.trimStart().split(/\s/)[0]!.toUpperCase());
  }

  it('reports one entry per statement', async () => {
    expect(await statements(() => db.prisma.user.findMany())).toEqual(['SELECT']);
    // With relationJoins, relations join into the one statement; the query strategy
    // (one statement per relation) shows that each is reported.
    expect(await statements(() => db.prisma.user.findMany({ include: { sessions: true, teamMemberships: true } }))).toEqual(['SELECT']);
    expect(
      await statements(() =>
        db.prisma.user.findMany({ relationLoadStrategy: 'query', include: { sessions: true, teamMemberships: true } }),
      ),
    ).toEqual(['SELECT', 'SELECT', 'SELECT']);
  });

  it('includes the transaction statements the driver sends itself', async () => {
    // A nested write runs in a transaction that Prisma opens through the adapter.
    expect(
      await statements(() =>
        db.prisma.team.create({ data: { name: `Log ${kind}`, kind: 'SERVICE', members: { create: [] } } }),
      ),
    ).toEqual(['BEGIN', 'INSERT', 'SELECT', 'COMMIT']);
    expect(
      await statements(() =>
        db.prisma.$transaction(async (tx) => {
          await tx.user.count();
          throw new Error('roll back');
        }),
      ),
    ).toEqual(['BEGIN', 'SELECT', 'ROLLBACK']);
    expect(
      await statements(() => db.prisma.$transaction(async (tx) => tx.user.count(), { isolationLevel: 'Serializable' })),
    ).toEqual(['BEGIN', 'SELECT', 'COMMIT']);
    expect(entries[0]!.query).toBe('BEGIN ISOLATION LEVEL SERIALIZABLE');
  });

  it('includes statements that fail', async () => {
    expect(await statements(() => db.prisma.$queryRawUnsafe('SELECT * FROM "NoSuchTable"'))).toEqual(['SELECT']);
  });
});
