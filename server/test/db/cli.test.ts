// scripts/db.ts as people run it: messages, exit codes, and both database kinds.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/infra/db/client.ts';
import { migrationNames, type TempDir, tempDir } from '../support/migrations.ts';
import { migrationsDir } from '../support/paths.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function db(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      path.join(serverDir, 'node_modules/.bin/tsx'),
      ['scripts/db.ts', ...args],
      // Only what the test sets: no DATABASE_URL or DATA_DIR leaking in from the shell.
      { cwd: serverDir, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** No stack trace reaches the person running the command. */
function expectNoStack(run: Run) {
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

let tmp: TempDir;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(() => tmp.remove());

describe('db.ts', () => {
  let target: TestDatabase;
  beforeAll(async () => {
    target = await createTestDatabase({ empty: true });
  });
  afterAll(() => target.drop());

  it('migrate applies the migrations to DATABASE_URL once', async () => {
    const names = await migrationNames(migrationsDir);
    const first = await db(['migrate'], { DATABASE_URL: target.url });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(
      new RegExp(`^applied ${names.length} migration\\(s\\) to PostgreSQL .*${target.name}.*: ${names.join(', ')}\\n$`),
    );

    const second = await db(['migrate'], { DATABASE_URL: target.url });
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/ is up to date \(\d+\.\d s\)\n$/);
  });

  it('migrate uses the embedded PGlite in DATA_DIR when DATABASE_URL is unset', async () => {
    const dataDir = path.join(tmp.path, 'data');
    const run = await db(['migrate'], { DATA_DIR: dataDir });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^applied \\d+ migration\\(s\\) to embedded PGlite in ${dataDir} `));

    const pglite = await openDatabase({ dataDir });
    try {
      expect(await pglite.prisma.user.count()).toBe(0);
    } finally {
      await pglite.close();
    }
  });

  it('migrate explains a bad DATABASE_URL in one line and exits 1', async () => {
    const unreachable = await db(['migrate'], { DATABASE_URL: 'postgres://app:secret@127.0.0.1:1/app' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^db migrate: cannot connect to PostgreSQL 127\.0\.0\.1:1\/app .*\n$/);
    expect(unreachable.stderr).not.toContain('secret');
    expectNoStack(unreachable);

    const wrongScheme = await db(['migrate'], { DATABASE_URL: 'mysql://localhost/app' });
    expect(wrongScheme.code).toBe(1);
    expect(wrongScheme.stderr).toMatch(/DATABASE_URL/);
    expectNoStack(wrongScheme);
  });

  it('check passes when the schema and the migrations agree, without any server', async () => {
    const run = await db(['check'], {});
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^prisma\/schema\.prisma matches prisma\/migrations/);
  });

  it('new without a name, or an unknown command, prints the usage and exits 2', async () => {
    const noName = await db(['new'], {});
    expect(noName).toMatchObject({ code: 2, stderr: 'db new: usage: pnpm db:migration:new <name>\n' });
    const unknown = await db(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/usage: db\.ts migrate \| new <name> \| check \| seed/);
  });
});
