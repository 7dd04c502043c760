// The embedded database's first start, whole or not at all.
//
// A new data folder is built beside the real one — migrated, and given the demo data when
// asked — then closed and renamed into place. The first start takes a while (the demo
// tickets go through the lifecycle services); someone who stops it half way, with Ctrl-C
// or kill -9, must not be left with a database that has the demo people but half their
// tickets, which no later start would complete. Killed at any point, the next start finds
// either no folder and starts over, or a complete one.
import { access, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { type Database, openDatabase } from './client.ts';

/** Whether `dataDir` holds a PGlite (PostgreSQL) cluster already. */
export async function isDataDir(dataDir: string): Promise<boolean> {
  return access(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

/**
 * Creates the embedded database in `dataDir` if there is none yet, running `prepare` on it
 * before it appears there. Returns whether it did. `dataDir` may exist if it is empty.
 */
export async function createDataDir(dataDir: string, prepare: (db: Database) => Promise<void>): Promise<boolean> {
  const target = path.resolve(dataDir);
  if (await isDataDir(target)) return false;
  const entries = await readdir(target).catch(() => null);
  if (entries?.length) throw new Error(`DATA_DIR ${target} is not empty and holds no database: point DATA_DIR at an empty or missing folder`);
  // Beside the target, so the rename stays on one file system; a leftover from an
  // interrupted first start is discarded.
  const building = `${target}.creating`;
  await rm(building, { recursive: true, force: true });
  const db = await openDatabase({ dataDir: building });
  try {
    await prepare(db);
  } finally {
    await db.close();
  }
  // An empty target folder goes first: not every system renames over one.
  if (entries) await rmdir(target);
  await rename(building, target);
  return true;
}
