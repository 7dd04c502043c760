// Seed builders: each test makes the rows it needs, with unique names, so no test
// depends on another's data.
import { randomBytes } from 'node:crypto';
import type { Prisma, PrismaClient } from '../../src/infra/db/generated/client.ts';
import type { Role } from '../../src/domain/identity/viewer.ts';
import { hashPassword } from '../../src/services/auth/password.ts';
import { SESSION_PREFIX, hashToken, newToken } from '../../src/services/auth/tokens.ts';

export const TEST_PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;

export const uid = () => randomBytes(4).toString('hex');

export async function makeUser(
  prisma: PrismaClient,
  role: Role,
  data: Partial<Prisma.UserUncheckedCreateInput> = {},
) {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const tag = uid();
  return prisma.user.create({
    data: {
      email: `${role.toLowerCase()}-${tag}@test.gongdan.dev`,
      name: `${role} ${tag}`,
      role,
      passwordHash: await passwordHash,
      presence: role === 'CUSTOMER' ? 'OFFLINE' : 'ONLINE',
      ...data,
    },
  });
}

/** A session for `userId` without going through login (login itself has its own tests). */
export async function sessionFor(prisma: PrismaClient, userId: string, ttlMs = 3600_000): Promise<string> {
  const token = newToken(SESSION_PREFIX);
  await prisma.session.create({
    data: { userId, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + ttlMs) },
  });
  return token;
}

/** A user of `role` and a token for them. */
export async function actor(prisma: PrismaClient, role: Role, data: Partial<Prisma.UserUncheckedCreateInput> = {}) {
  const user = await makeUser(prisma, role, data);
  return { user, token: await sessionFor(prisma, user.id) };
}

export function globalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}
