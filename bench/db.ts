// The benchmark's own database: created and migrated at start, dropped at the end, with
// people, sessions and ticket types made in bulk (Prisma createMany, no per-row requests).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database } from '../server/src/infra/db/client.ts';
import { applyMigrations, postgresMigrationFactory, withDatabase } from '../server/src/infra/db/migrate/index.ts';
import type { Role } from '../server/src/domain/identity/viewer.ts';
import { hashPassword } from '../server/src/services/auth/password.ts';
import { SESSION_PREFIX, hashToken, newToken } from '../server/src/services/auth/tokens.ts';

export const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const migrationsDir = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

export async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  db: Database;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  // Not gongdan_…: other tools clean up databases by that prefix.
  const name = `bench_gongdan_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = withDatabase(ADMIN_URL, name);
  let db: Database | undefined;
  const drop = async () => {
    await db?.close().catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  try {
    await applyMigrations(postgresMigrationFactory({ url }), migrationsDir);
    db = await openDatabase({ url, poolSize: 8 });
    return { name, url, db, drop };
  } catch (e) {
    await drop();
    throw e;
  }
}

export interface Person {
  id: string;
  token: string;
}

let hash: Promise<string> | undefined;

/** `n` users of `role`, each with a session token, inserted in bulk. */
export async function makePeople(db: Database, role: Role, n: number, tag: string): Promise<Person[]> {
  hash ??= hashPassword('bench-password-not-for-login');
  const passwordHash = await hash;
  const people: Person[] = [];
  const expiresAt = new Date(Date.now() + 24 * 3600_000);
  for (let from = 0; from < n; from += 1000) {
    const size = Math.min(1000, n - from);
    const users = await db.prisma.user.createManyAndReturn({
      data: Array.from({ length: size }, (_, i) => ({
        email: `${tag}-${role.toLowerCase()}-${from + i}@bench.gongdan.dev`,
        name: `${role} ${tag} ${from + i}`,
        role,
        passwordHash,
        presence: 'ONLINE' as const,
      })),
      select: { id: true },
    });
    const tokens = users.map(() => newToken(SESSION_PREFIX));
    await db.prisma.session.createMany({ data: users.map((u, i) => ({ userId: u.id, tokenHash: hashToken(tokens[i]!), expiresAt })) });
    users.forEach((u, i) => people.push({ id: u.id, token: tokens[i]! }));
  }
  return people;
}

/** A ticket type every agent may grab (nobody listed: all agents are eligible). */
export async function makeGrabType(db: Database, tag: string): Promise<string> {
  const t = await db.prisma.ticketType.create({ data: { name: `bench-${tag}`, assignmentModes: ['GRAB'], autoCloseAfterSeconds: null } });
  return t.id;
}

/** `n` tickets waiting in the pool, inserted directly. */
export async function makePoolTickets(db: Database, typeId: string, creatorId: string, n: number, tag: string): Promise<string[]> {
  const rows = await db.prisma.ticket.createManyAndReturn({
    data: Array.from({ length: n }, (_, i) => ({ title: `${tag} ${i}`, typeId, priority: 'NORMAL' as const, channel: 'WEB' as const, creatorId })),
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

export const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');
