// `pnpm db:migrate | db:migration:new <name> | db:check | db:seed`: our replacement for
// the Prisma CLI's migrate commands, which need a native engine this project does not
// download (see src/infra/db/migrate).
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { loadConfig, repoRoot } from '../src/config.ts';
import { openDatabase } from '../src/infra/db/client.ts';
import {
  applyMigrations,
  checkDrift,
  createMigration,
  pgliteScratchFactory,
  postgresScratchFactory,
  withDatabase,
} from '../src/infra/db/migrate/index.ts';
import { seedDemoData } from '../src/infra/db/seed/index.ts';

const schemaPath = path.join(repoRoot, 'prisma/schema.prisma');
const migrationsDir = path.join(repoRoot, 'prisma/migrations');
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const relative = (file: string) => path.relative(repoRoot, file);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

class UsageError extends Error {}

function openConfiguredDatabase() {
  const config = loadConfig();
  return openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: config.DB_POOL_SIZE });
}

async function migrate(): Promise<void> {
  const db = await openConfiguredDatabase();
  try {
    const start = performance.now();
    const { applied } = await applyMigrations(db, migrationsDir);
    if (applied.length === 0) console.log(`${db.description} is up to date (${seconds(start)})`);
    else console.log(`applied ${applied.length} migration(s) to ${db.description} in ${seconds(start)}: ${applied.join(', ')}`);
  } finally {
    await db.close();
  }
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function describeServer(url: string): string {
  const u = new URL(url);
  return `PostgreSQL at ${u.host}`;
}

/**
 * Where `new` replays the migrations: throw-away databases on a PostgreSQL server
 * (SHADOW_DATABASE_URL, else DATABASE_URL's server, else the local default), or
 * in-memory PGlite when no server answers. An explicit SHADOW_DATABASE_URL must work.
 */
async function shadowForNew(): Promise<{ factory: SqlMigrationAwareDriverAdapterFactory; where: string }> {
  const explicit = process.env.SHADOW_DATABASE_URL || undefined;
  const databaseUrl = loadConfig().DATABASE_URL;
  const adminUrl = explicit ?? (databaseUrl ? withDatabase(databaseUrl, 'postgres') : DEFAULT_ADMIN_URL);
  if (await reachable(adminUrl)) {
    return { factory: postgresScratchFactory(adminUrl), where: `a throw-away database on ${describeServer(adminUrl)}` };
  }
  if (explicit) throw new Error(`SHADOW_DATABASE_URL: cannot connect to ${describeServer(explicit)}`);
  console.log(`${describeServer(adminUrl)} is not reachable: using an in-memory PGlite instead`);
  return { factory: pgliteScratchFactory(), where: 'in-memory PGlite' };
}

async function newMigration(name: string | undefined): Promise<void> {
  if (!name) throw new UsageError('usage: pnpm db:migration:new <name>');
  const { factory, where } = await shadowForNew();
  const start = performance.now();
  const { dir } = await createMigration({ factoryForShadow: factory, schemaPath, migrationsDir, name });
  if (dir === null) console.log(`no changes: ${relative(schemaPath)} matches the migrations (${seconds(start)})`);
  else console.log(`wrote ${relative(path.join(dir, 'migration.sql'))} (replayed on ${where}, ${seconds(start)})`);
}

/** Needs no database server: the history is replayed on in-memory PGlite, unless SHADOW_DATABASE_URL says otherwise. */
async function check(): Promise<void> {
  const explicit = process.env.SHADOW_DATABASE_URL || undefined;
  const factory = explicit ? postgresScratchFactory(explicit) : pgliteScratchFactory();
  const start = performance.now();
  const { inSync, script } = await checkDrift({ factoryForShadow: factory, schemaPath, migrationsDir });
  if (inSync) {
    console.log(`${relative(schemaPath)} matches ${relative(migrationsDir)} (${seconds(start)})`);
    return;
  }
  console.error(script.trimEnd());
  console.error(
    `${relative(schemaPath)} has changes no migration makes (SQL above): run \`pnpm db:migration:new <name>\` and commit the result`,
  );
  process.exitCode = 1;
}

async function seed(): Promise<void> {
  const db = await openConfiguredDatabase();
  try {
    const started = Date.now();
    const { counts: created } = await seedDemoData(db.prisma);
    const durationMs = Date.now() - started;
    const counts = Object.entries(created)
      .filter(([, count]) => count > 0)
      .map(([table, count]) => `${count} ${table}`);
    console.log(
      `seeded ${db.description} in ${(durationMs / 1000).toFixed(1)} s: ${counts.length ? counts.join(', ') : 'nothing new'}`,
    );
  } finally {
    await db.close();
  }
}

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, () => Promise<void>> = {
  migrate,
  new: () => newMigration(args[0]),
  check,
  seed,
};

const run = command === undefined ? undefined : commands[command];
try {
  if (!run) throw new UsageError('usage: db.ts migrate | new <name> | check | seed');
  await run();
} catch (error) {
  // One line for people; the stack only with DEBUG set.
  console.error(`db ${command ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.DEBUG) console.error(error);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
// The wasm schema engine leaves a 10 s timer behind (it never clears its timeouts):
// exit now instead of waiting for it.
process.exit();
