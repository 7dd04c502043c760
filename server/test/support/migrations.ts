// Scratch copies of the migration history and of the schema, for tests that change them.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/infra/db/client.ts';
import { migrationsDir, schemaPath } from './paths.ts';

export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gongdan-db-test-'));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A copy of prisma/migrations in `dir`, plus extra migrations `{ folder: sql }`. */
export async function copyMigrations(dir: string, extra: Record<string, string> = {}): Promise<string> {
  const target = path.join(dir, 'migrations');
  await cp(migrationsDir, target, { recursive: true });
  for (const [folder, sql] of Object.entries(extra)) {
    await mkdir(path.join(target, folder));
    await writeFile(path.join(target, folder, 'migration.sql'), sql);
  }
  return target;
}

/** A copy of prisma/schema.prisma in `dir` with an extra optional column on User. */
export async function schemaWithNickname(dir: string): Promise<string> {
  const schema = await readFile(schemaPath, 'utf8');
  const changed = schema.replace('model User {\n', 'model User {\n  nickname String?\n');
  if (changed === schema) throw new Error('model User not found in schema.prisma');
  const file = path.join(dir, 'schema.prisma');
  await writeFile(file, changed);
  return file;
}

/** Migration folder names under `dir`, in order. */
export async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export async function checksum(dir: string, name: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path.join(dir, name, 'migration.sql')))
    .digest('hex');
}

export interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished: boolean;
  rolled_back: boolean;
  applied_steps_count: number;
  logs: string | null;
}

export function migrationRows(db: Database): Promise<MigrationRow[]> {
  return db.prisma.$queryRawUnsafe<MigrationRow[]>(
    `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished,
            rolled_back_at IS NOT NULL AS rolled_back, applied_steps_count, logs
       FROM _prisma_migrations ORDER BY migration_name`,
  );
}

/** Tables in the public schema, sorted. */
export async function tableNames(db: Database): Promise<string[]> {
  const rows = await db.prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  return rows.map((row) => row.name).sort();
}
