// Migrations that reshape data keep what the data meant: a database at the migration
// before, with rows in it, is migrated to the current history and checked.
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../src/infra/db/migrate/index.ts';
import { migrationNames, type TempDir, tempDir } from '../support/migrations.ts';
import { migrationsDir } from '../support/paths.ts';
import { emptyDatabases, type Opened } from '../support/postgres.ts';


let tmp: TempDir;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp.remove());

/** A migrations folder holding the history up to, not including, `name`. */
async function historyBefore(name: string, label: string): Promise<string> {
  const all = await migrationNames(migrationsDir);
  expect(all).toContain(name);
  const dir = path.join(tmp.path, label, 'migrations');
  await mkdir(dir, { recursive: true });
  await cp(path.join(migrationsDir, 'migration_lock.toml'), path.join(dir, 'migration_lock.toml'));
  for (const m of all.filter((m) => m < name)) await cp(path.join(migrationsDir, m), path.join(dir, m), { recursive: true });
  return dir;
}

describe.each(emptyDatabases)('on %s', (kind, open) => {
  let opened: Opened | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('the single 二次确认 switch becomes both switches: a type that required acceptance still does, after either dispatch', async () => {
    opened = await open();
    const { db } = opened;
    await applyMigrations(db, await historyBefore('20261202004404_accept_after_dispatch_switches', `switches-${kind}`));
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "TicketType" (id, name, "assignmentModes", "requireAcceptance", "updatedAt")
       VALUES ('01890000-0000-7000-8000-000000000001', '要确认', '{AUTO,MANAGER}', true, now()),
              ('01890000-0000-7000-8000-000000000002', '不确认', '{MANAGER}', false, now())`,
    );

    const { applied } = await applyMigrations(db, migrationsDir);
    expect(applied).toContain('20261202004404_accept_after_dispatch_switches');
    const types = await db.prisma.ticketType.findMany({ orderBy: { name: 'asc' }, select: { name: true, acceptAfterAutoDispatch: true, acceptAfterManagerDispatch: true } });
    expect(types).toEqual([
      { name: '不确认', acceptAfterAutoDispatch: false, acceptAfterManagerDispatch: false },
      { name: '要确认', acceptAfterAutoDispatch: true, acceptAfterManagerDispatch: true },
    ]);
  });
});
