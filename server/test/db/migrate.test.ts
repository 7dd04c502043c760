// Our migrate commands on both backends: deploy, failure handling, drift check and
// migration creation, through the wasm schema engine and the fixed adapters.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Prisma } from '../../src/infra/db/generated/client.ts';
import {
  applyMigrations,
  checkDrift,
  createMigration,
  MigrationFailedError,
  pgliteScratchFactory,
  postgresScratchFactory,
} from '../../src/infra/db/migrate/index.ts';
import {
  checksum,
  copyMigrations,
  migrationNames,
  migrationRows,
  schemaWithNickname,
  type TempDir,
  tableNames,
  tempDir,
} from '../support/migrations.ts';
import { migrationsDir, schemaPath } from '../support/paths.ts';
import { emptyDatabases, openTestDatabase, type Opened } from '../support/postgres.ts';

const ADD_NICKNAME = /ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT;/;


let tmp: TempDir;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp.remove());

describe.each(emptyDatabases)('applyMigrations on %s', (kind, open) => {
  let opened: Opened | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('creates every table on an empty database, records each migration once, and is a no-op the second time', async () => {
    opened = await open();
    const { db } = opened;
    const names = await migrationNames(migrationsDir);
    expect(names.length).toBeGreaterThan(0);

    expect(await applyMigrations(db, migrationsDir)).toEqual({ applied: names });

    const tables = await tableNames(db);
    expect(tables).toEqual([...Object.values(Prisma.ModelName), '_prisma_migrations'].sort());
    const expectedRows = await Promise.all(
      names.map(async (name) => ({
        migration_name: name,
        checksum: await checksum(migrationsDir, name),
        finished: true,
        rolled_back: false,
        applied_steps_count: 1,
        logs: null,
      })),
    );
    expect(await migrationRows(db)).toEqual(expectedRows);

    expect(await applyMigrations(db, migrationsDir)).toEqual({ applied: [] });
    expect(await migrationRows(db)).toEqual(expectedRows);
  });

  it('leaves the open database ready for queries on the types it created (enum arrays)', async () => {
    // The first start of the embedded database migrates the instance the app then uses;
    // PGlite had learnt its array types before the migration made them, and refused
    // `assignmentModes: { has: 'GRAB' }` (the agent's pool) as a malformed array literal.
    opened = await open();
    const { db } = opened;
    await applyMigrations(db, migrationsDir);
    const type = await db.prisma.ticketType.create({ data: { name: `类型-${kind}`, assignmentModes: ['GRAB', 'AUTO'] } });
    expect(await db.prisma.ticketType.findMany({ where: { assignmentModes: { has: 'GRAB' } }, select: { id: true } })).toEqual([{ id: type.id }]);
    expect(await db.prisma.ticketType.count({ where: { assignmentModes: { hasSome: ['MANAGER', 'AUTO'] } } })).toBe(1);
    expect(await db.prisma.ticketType.count({ where: { assignmentModes: { hasEvery: ['GRAB', 'MANAGER'] } } })).toBe(0);
    expect(await db.prisma.ticketField.count({ where: { editableBy: { has: 'ASSIGNEE' } } })).toBe(0);
  });

  it('records a failing migration as failed, applies none of it, and refuses to go past it', async () => {
    opened = await open();
    const { db } = opened;
    const broken = '99990101000000_broken';
    const after = '99990101000001_after';
    const dir = await copyMigrations(path.join(tmp.path, `failing-${kind}`), {
      // The first statement succeeds: it must be rolled back with the second.
      [broken]: 'CREATE TABLE "Partial" (id int);\nSELECT * FROM "no_such_table";\n',
      [after]: 'CREATE TABLE "After" (id int);\n',
    });

    const error: unknown = await applyMigrations(db, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect((error as MigrationFailedError).migration).toBe(broken);
    expect((error as Error).message).toMatch(/no_such_table/);

    const rows = await migrationRows(db);
    expect(rows.map((row) => [row.migration_name, row.finished, row.rolled_back])).toEqual([
      ...(await migrationNames(migrationsDir)).map((name) => [name, true, false]),
      [broken, false, false],
    ]);
    expect(rows.at(-1)!.logs).toMatch(/no_such_table/);
    const [leftovers] = await db.prisma.$queryRawUnsafe<{ partial: string | null; after: string | null }[]>(
      `SELECT to_regclass('public."Partial"')::text AS partial, to_regclass('public."After"')::text AS after`,
    );
    expect(leftovers).toEqual({ partial: null, after: null });

    await expect(applyMigrations(db, dir)).rejects.toThrow(
      new RegExp(`found failed migrations[\\s\\S]*${broken}`),
    );
    expect(await migrationRows(db)).toEqual(rows);
  });
});

describe('applyMigrations', () => {
  it('rejects a migrations folder that does not exist', async () => {
    const missing = path.join(tmp.path, 'nowhere');
    await expect(applyMigrations(pgliteScratchFactory(), missing)).rejects.toThrow(`no migrations folder at ${missing}`);
  });
});

/**
 * `factory`, remembering the database behind each connection the engine opens, so a
 * test can check that they were all throw-away databases and are gone afterwards.
 */
function recordingDatabases(factory: SqlMigrationAwareDriverAdapterFactory) {
  const databases: string[] = [];
  const record = async <A extends Awaited<ReturnType<typeof factory.connect>>>(adapter: A): Promise<A> => {
    const result = await adapter.queryRaw({ sql: 'SELECT current_database()', args: [], argTypes: [] });
    databases.push(String(result.rows[0]![0]));
    return adapter;
  };
  return {
    databases,
    factory: {
      ...factory,
      connect: async () => record(await factory.connect()),
      connectToShadowDb: async () => record(await factory.connectToShadowDb()),
    },
  };
}

async function existingDatabases(names: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = ANY($1)',
      [names],
    );
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

describe('checkDrift', () => {
  it('finds the schema and the migrations in sync, on throw-away PostgreSQL databases that are dropped afterwards', async () => {
    const { databases, factory } = recordingDatabases(postgresScratchFactory(inject('pgAdminUrl')));

    expect(await checkDrift({ factoryForShadow: factory, schemaPath, migrationsDir })).toEqual({
      inSync: true,
      script: '',
    });

    expect(databases).toHaveLength(2);
    for (const name of databases) expect(name).toMatch(/^gongdan_(scratch|shadow)_[0-9a-f]{32}$/);
    expect(await existingDatabases(databases)).toEqual([]);
  });

  it('reports a schema change that has no migration, with the SQL it lacks', async () => {
    const schema = await schemaWithNickname(tmp.path);
    const drift = await checkDrift({
      factoryForShadow: postgresScratchFactory(inject('pgAdminUrl')),
      schemaPath: schema,
      migrationsDir,
    });
    expect(drift.inSync).toBe(false);
    expect(drift.script).toMatch(ADD_NICKNAME);
  });

  it('needs no server: replays the history on in-memory PGlite', async () => {
    const schema = await schemaWithNickname(tmp.path);
    const drift = await checkDrift({ factoryForShadow: pgliteScratchFactory(), schemaPath: schema, migrationsDir });
    expect(drift.inSync).toBe(false);
    expect(drift.script).toMatch(ADD_NICKNAME);
  });
});

describe('createMigration', () => {
  it('writes a migration for a schema change without touching the database it connects through', async () => {
    // The engine's connections go through this migrated database, as an admin
    // connection would: it must come out exactly as it was.
    const main = await openTestDatabase();
    try {
      const snapshot = () =>
        Promise.all([
          main.db.prisma.$queryRawUnsafe(
            `SELECT table_name, column_name, data_type FROM information_schema.columns
              WHERE table_schema = 'public' ORDER BY table_name, column_name`,
          ),
          migrationRows(main.db),
        ]);
      const before = await snapshot();
      const work = path.join(tmp.path, 'create');
      const dir = await copyMigrations(work);
      const schema = await schemaWithNickname(tmp.path);
      const { databases, factory } = recordingDatabases(postgresScratchFactory(main.url));

      const { dir: created } = await createMigration({
        factoryForShadow: factory,
        schemaPath: schema,
        migrationsDir: dir,
        name: 'Add nickname',
      });

      expect(created).not.toBeNull();
      expect(path.dirname(created!)).toBe(dir);
      const names = await migrationNames(dir);
      expect(names).toEqual([...(await migrationNames(migrationsDir)), path.basename(created!)]);
      expect(path.basename(created!)).toMatch(/^\d{14}_add_nickname$/);
      const sql = await readFile(path.join(created!, 'migration.sql'), 'utf8');
      expect(sql).toMatch(ADD_NICKNAME);

      expect(databases).not.toContain(main.name);
      expect(await existingDatabases(databases)).toEqual([]);
      expect(await snapshot()).toEqual(before);

      // The new history matches the schema, and nothing more is created for it.
      expect(await checkDrift({ factoryForShadow: factory, schemaPath: schema, migrationsDir: dir })).toEqual({
        inSync: true,
        script: '',
      });
      expect(await createMigration({ factoryForShadow: factory, schemaPath: schema, migrationsDir: dir, name: 'again' })).toEqual({
        dir: null,
      });
      expect(await migrationNames(dir)).toEqual(names);

      // And it applies on top of the existing history.
      expect(await applyMigrations(main.db, dir)).toEqual({ applied: [path.basename(created!)] });
    } finally {
      await main.close();
    }
  });

  it('writes the first migration and the lockfile into an empty folder', async () => {
    const dir = path.join(tmp.path, 'first', 'migrations');
    const factory = postgresScratchFactory(inject('pgAdminUrl'));

    const { dir: created } = await createMigration({ factoryForShadow: factory, schemaPath, migrationsDir: dir, name: 'init' });

    expect(path.basename(created!)).toMatch(/^\d{14}_init$/);
    expect((await readdir(dir)).sort()).toEqual([path.basename(created!), 'migration_lock.toml']);
    expect(await readFile(path.join(dir, 'migration_lock.toml'), 'utf8')).toMatch(/^provider = "postgresql"$/m);
    expect(await checkDrift({ factoryForShadow: factory, schemaPath, migrationsDir: dir })).toEqual({
      inSync: true,
      script: '',
    });
  });

  it('rejects a name with nothing usable in it', async () => {
    await expect(
      createMigration({
        factoryForShadow: postgresScratchFactory(inject('pgAdminUrl')),
        schemaPath: await schemaWithNickname(tmp.path),
        migrationsDir: await copyMigrations(path.join(tmp.path, 'bad-name')),
        name: '!!!',
      }),
    ).rejects.toThrow(/invalid migration name/);
  });
});
