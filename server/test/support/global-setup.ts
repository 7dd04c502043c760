// Once per test run: a template database with every migration applied, which each test
// file clones (CREATE DATABASE … TEMPLATE) in milliseconds instead of migrating its own.
// For the suite on the embedded database, also a migrated PGlite data folder, dumped to a
// file each test file loads (see database.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrations, pgliteMigrationFactory, postgresMigrationFactory, withDatabase } from '../../src/infra/db/migrate/index.ts';
import { migrationsDir } from './paths.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection to the test server's maintenance database, for CREATE/DROP DATABASE. */
    pgAdminUrl: string;
    /** Name of the migrated template database. */
    pgTemplateDatabase: string;
    /** A dump (PGlite.dumpDataDir) of a migrated PGlite, for suites on TEST_DATABASE=pglite. */
    pgliteTemplatePath: string;
  }
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_PG_ADMIN_URL || DEFAULT_ADMIN_URL;
  const template = `gongdan_tpl_${randomBytes(6).toString('hex')}`;
  // Database tests never skip: an unreachable server fails the run, loudly.
  await admin(adminUrl, `CREATE DATABASE "${template}"`).catch((error: unknown) => {
    const where = new URL(adminUrl).host;
    throw new Error(
      `tests need PostgreSQL at ${where} (set TEST_PG_ADMIN_URL to change it): ${(error as Error).message}`,
      { cause: error },
    );
  });
  const drop = () => admin(adminUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  try {
    await applyMigrations(postgresMigrationFactory({ url: withDatabase(adminUrl, template) }), migrationsDir);
  } catch (error) {
    await drop();
    throw error;
  }
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplateDatabase', template);
  if (project.config.env?.TEST_DATABASE !== 'pglite') return drop;

  const dir = await mkdtemp(path.join(tmpdir(), 'gongdan-pglite-template-'));
  const cleanup = async () => {
    await drop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const pglite = await PGlite.create('memory://');
    await applyMigrations(pgliteMigrationFactory(pglite), migrationsDir);
    const file = path.join(dir, 'migrated.tar');
    await writeFile(file, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
    await pglite.close();
    project.provide('pgliteTemplatePath', file);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return cleanup;
}
