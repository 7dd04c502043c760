// Our equivalents of `prisma migrate deploy`, `prisma migrate dev --create-only` and
// `prisma migrate diff --exit-code`, run through the wasm schema engine.
import { access, readFile } from 'node:fs/promises';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { Database } from '../client.ts';
import { SchemaEngineError, withSchemaEngine } from './engine.ts';
import { LOCKFILE_CONTENT, migrationSlug, readMigrations, writeMigration } from './history.ts';

// This project has no tables or enums managed outside Prisma.
const filters: SchemaFilter = { externalTables: [], externalEnums: [] };

/**
 * Applies the pending migrations under `migrationsDir` (= `prisma migrate deploy`),
 * recording them in `_prisma_migrations`. A failing migration is recorded as failed and
 * rejects naming it; while a failed migration is recorded, every later call rejects
 * until someone resolves it, as with Prisma.
 */
export async function applyMigrations(
  target: Database | SqlMigrationAwareDriverAdapterFactory,
  migrationsDir: string,
): Promise<{ applied: string[] }> {
  // Deploying from a wrong path must not look like "nothing to do".
  await access(migrationsDir).catch(() => {
    throw new Error(`no migrations folder at ${migrationsDir}`);
  });
  const factory = 'migrationAdapterFactory' in target ? target.migrationAdapterFactory : target;
  const migrationsList = await readMigrations(migrationsDir);
  return withSchemaEngine(factory, async (engine) => {
    try {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters });
      return { applied: appliedMigrationNames };
    } catch (error) {
      // P3009: an earlier run left a failed migration; the engine's message names it.
      if (!(error instanceof SchemaEngineError) || error.code === 'P3009') throw error;
      // The engine's error for a failing script does not say which migration it was;
      // the history it just recorded does.
      const { failedMigrationNames } = await engine
        .diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters })
        .catch(() => ({ failedMigrationNames: [] }));
      const failed = failedMigrationNames.at(-1);
      if (failed === undefined) throw error;
      throw new MigrationFailedError(failed, error);
    }
  });
}

/** A migration script failed; the engine recorded it as failed, not applied. */
export class MigrationFailedError extends Error {
  override name = 'MigrationFailedError';

  constructor(
    readonly migration: string,
    cause: SchemaEngineError,
  ) {
    super(
      `migration ${migration} failed and is recorded as failed: ${cause.message.replaceAll('\n', ': ')}. ` +
        'Later runs refuse to apply migrations until it is resolved.',
      { cause },
    );
  }
}

interface SchemaSource {
  /**
   * Connections for the engine. Both its main and its shadow connection should be
   * throw-away databases (postgresScratchFactory, pgliteScratchFactory): migrations are
   * replayed on the shadow one.
   */
  factoryForShadow: SqlMigrationAwareDriverAdapterFactory;
  schemaPath: string;
  migrationsDir: string;
}

/**
 * The SQL that takes a database from the end of the migration history to the schema,
 * or null when they agree. Replays the history on a shadow database.
 */
async function diffHistoryToSchema(
  source: SchemaSource,
  history: MigrationList,
): Promise<string | null> {
  const schema = await readFile(source.schemaPath, 'utf8');
  // The engine reads the provider from the lockfile, which the first migration has yet
  // to write.
  const lockfile = { ...history.lockfile, content: history.lockfile.content ?? LOCKFILE_CONTENT };
  const { exitCode, stdout } = await withSchemaEngine(source.factoryForShadow, (engine) =>
    engine.diff({
      from: { tag: 'migrations', ...history, lockfile },
      to: { tag: 'schemaDatamodel', files: [{ path: source.schemaPath, content: schema }] },
      script: true,
      // 2 = there is a difference, so an empty diff needs no parsing of the script.
      exitCode: true,
      filters,
    }),
  );
  return exitCode === 2 ? (stdout ?? '') : null;
}

/**
 * Writes a migration from the difference between the migration history and the schema
 * (= `prisma migrate dev --create-only`, without needing the main database).
 * Returns the new migration folder, or null when there is nothing to migrate.
 */
export async function createMigration(
  opts: SchemaSource & { name: string },
): Promise<{ dir: string | null }> {
  const slug = migrationSlug(opts.name);
  const history = await readMigrations(opts.migrationsDir);
  const script = await diffHistoryToSchema(opts, history);
  if (script === null) return { dir: null };
  return { dir: await writeMigration(opts.migrationsDir, history, slug, script) };
}

/** Whether the migration history produces exactly the schema; `script` is what is missing. */
export async function checkDrift(opts: SchemaSource): Promise<{ inSync: boolean; script: string }> {
  const script = await diffHistoryToSchema(opts, await readMigrations(opts.migrationsDir));
  return { inSync: script === null, script: script ?? '' };
}
