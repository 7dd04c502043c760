// Sessions for people, API tokens for integrators. Both resolve to a Viewer.
import type { PrismaClient, User } from '../../infra/db/generated/client.ts';
import type { Clock } from '../../domain/clock.ts';
import { InvalidCredentials, LoginThrottled, NotFound, ValidationFailed } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { charCount, LIMITS } from '../../domain/limits.ts';
import {
  API_SCOPES,
  type ApiScope,
  type AuthFailure,
  type Role,
  type Viewer,
} from '../../domain/identity/viewer.ts';
import { announceAccessChange, type AccessChangeDeps } from './access-changes.ts';
import { normalizeEmail, type LoginLock, type LoginThrottle } from './login-throttle.ts';
import { timingSafeDummyVerify, verifyPassword } from './password.ts';
import { API_TOKEN_PREFIX, SESSION_PREFIX, hashToken, newToken } from './tokens.ts';

const ALL_SCOPES: ReadonlySet<ApiScope> = new Set(API_SCOPES);
// Writing "last seen" on every request would turn every read into a write; a
// minute's resolution is plenty for an audit trail.
const TOUCH_INTERVAL_MS = 60_000;

/** `expiresAt`: when the credential stops working unless used (sessions slide), null for never. */
export type AuthResult = { ok: true; viewer: Viewer; expiresAt: Date | null } | { ok: false; reason: AuthFailure };

export interface AuthOptions {
  /**
   * Whether this counts as use of the credential (default true): a session's expiry
   * slides and a token's last use is recorded. Re-checking an open websocket is not use.
   */
  touch?: boolean;
}

export interface AuthServiceDeps extends AccessChangeDeps {
  prisma: PrismaClient;
  clock: Clock;
  sessionTtlMs: number;
  throttle: LoginThrottle;
}

export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  /**
   * One password guess: admitted by the throttle first (LoginThrottled without checking
   * the password), counted as a failure or cleared by a success after.
   */
  async login(email: string, password: string, from: { address: string; userAgent?: string | null }) {
    const { prisma, clock, throttle } = this.deps;
    const admission = await throttle.admit(email, from.address);
    if (!admission.ok) throw new LoginThrottled(admission.retryAfterSeconds);
    const { attempt } = admission;
    let user: User;
    try {
      const found = await prisma.user.findUnique({ where: { email: normalizeEmail(email) } });
      // An unknown email costs the same time as a wrong password.
      const ok = found?.passwordHash ? await verifyPassword(found.passwordHash, password) : await timingSafeDummyVerify(password);
      if (!found || !ok || !found.active) {
        await attempt.failed();
        throw new InvalidCredentials();
      }
      user = found;
    } catch (e) {
      if (!(e instanceof InvalidCredentials)) await attempt.abandoned();
      throw e;
    }
    await attempt.succeeded();
    const token = newToken(SESSION_PREFIX);
    const now = clock.now();
    const session = await prisma.session.create({
      data: {
        tokenHash: hashToken(token),
        userId: user.id,
        userAgent: from.userAgent?.slice(0, 300) ?? null,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + this.deps.sessionTtlMs),
      },
    });
    return { token, session, user };
  }

  /** Revokes the session behind the viewer. API tokens are revoked by admins instead. */
  async logout(viewer: Viewer): Promise<boolean> {
    if (viewer.via !== 'session') return false;
    const r = await this.deps.prisma.session.updateMany({
      where: { id: viewer.credentialId, revokedAt: null },
      data: { revokedAt: this.deps.clock.now() },
    });
    if (r.count === 1) await announceAccessChange(this.deps, viewer.userId);
    return r.count === 1;
  }

  async authenticate(token: string, opts: AuthOptions = {}): Promise<AuthResult> {
    const touch = opts.touch ?? true;
    if (token.startsWith(SESSION_PREFIX)) return this.authenticateSession(token, touch);
    if (token.startsWith(API_TOKEN_PREFIX)) return this.authenticateApiToken(token, touch);
    return { ok: false, reason: 'INVALID' };
  }

  private async authenticateSession(token: string, touch: boolean): Promise<AuthResult> {
    const { prisma, clock } = this.deps;
    const session = await prisma.session.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
    const now = clock.now();
    const refused = refusal(session, now);
    if (refused || !session) return { ok: false, reason: refused ?? 'INVALID' };
    let expiresAt = session.expiresAt;
    if (touch && now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      // Sliding expiry: an active user stays logged in.
      expiresAt = new Date(now.getTime() + this.deps.sessionTtlMs);
      await prisma.session.update({ where: { id: session.id }, data: { lastSeenAt: now, expiresAt } });
    }
    return { ok: true, viewer: viewerOf(session.user, 'session', session.id, ALL_SCOPES), expiresAt };
  }

  private async authenticateApiToken(token: string, touch: boolean): Promise<AuthResult> {
    const { prisma, clock } = this.deps;
    const row = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
    const now = clock.now();
    const refused = refusal(row, now);
    if (refused || !row) return { ok: false, reason: refused ?? 'INVALID' };
    if (touch && (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS)) {
      await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
    }
    const scopes = new Set(row.scopes.filter((s): s is ApiScope => ALL_SCOPES.has(s as ApiScope)));
    return { ok: true, viewer: viewerOf(row.user, 'apiToken', row.id, scopes), expiresAt: row.expiresAt };
  }

  /** Creates a token acting as `userId`; the plain token is returned once and never stored. */
  async createApiToken(
    creator: Viewer,
    input: { name: string; userId: string; scopes: string[]; expiresAt?: Date | null },
  ) {
    const { prisma, clock } = this.deps;
    const errors = [];
    const name = input.name.trim();
    if (!name || charCount(name) > LIMITS.apiToken.name) errors.push({ field: 'name', message: `is required, at most ${LIMITS.apiToken.name} characters` });
    const unknown = input.scopes.filter((s) => !ALL_SCOPES.has(s as ApiScope));
    if (input.scopes.length === 0) errors.push({ field: 'scopes', message: 'grant at least one scope' });
    if (unknown.length) errors.push({ field: 'scopes', message: `unknown scope(s): ${unknown.join(', ')}` });
    if (input.expiresAt && input.expiresAt <= clock.now()) {
      errors.push({ field: 'expiresAt', message: 'must be in the future' });
    }
    const user = isUuid(input.userId) ? await prisma.user.findUnique({ where: { id: input.userId } }) : null;
    if (!user) errors.push({ field: 'userId', message: 'no such user' });
    else if (!user.active) errors.push({ field: 'userId', message: 'the user is deactivated' });
    if (errors.length) throw new ValidationFailed(errors);

    const token = newToken(API_TOKEN_PREFIX);
    const apiToken = await prisma.apiToken.create({
      data: {
        name,
        prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
        tokenHash: hashToken(token),
        scopes: [...new Set(input.scopes)],
        userId: input.userId,
        createdById: creator.userId,
        createdAt: clock.now(),
        expiresAt: input.expiresAt ?? null,
      },
    });
    return { token, apiToken };
  }

  /** The user's failed logins and wait, for admins; null when there are none. */
  loginLock(user: { email: string }): Promise<LoginLock | null> {
    return this.deps.throttle.lockOf(user.email);
  }

  /** Forgets a user's failed logins and lifts their wait, so they can log in at once. */
  async unlockUser(id: string) {
    const user = isUuid(id) ? await this.deps.prisma.user.findUnique({ where: { id } }) : null;
    if (!user) throw new NotFound('User');
    await this.deps.throttle.reset(user.email);
    return user;
  }

  async revokeApiToken(id: string) {
    const { prisma, clock } = this.deps;
    const existing = isUuid(id) ? await prisma.apiToken.findUnique({ where: { id } }) : null;
    if (!existing) throw new NotFound('ApiToken');
    if (existing.revokedAt) return existing;
    const revoked = await prisma.apiToken.update({ where: { id }, data: { revokedAt: clock.now() } });
    await announceAccessChange(this.deps, revoked.userId);
    return revoked;
  }
}

interface Credential {
  revokedAt: Date | null;
  expiresAt: Date | null;
  user: { active: boolean };
}

/** Why a stored session or token does not authenticate now, or null when it does. */
function refusal(c: Credential | null, now: Date): AuthFailure | null {
  if (!c) return 'INVALID';
  if (c.revokedAt) return 'REVOKED';
  if (c.expiresAt && c.expiresAt <= now) return 'EXPIRED';
  if (!c.user.active) return 'INACTIVE_USER';
  return null;
}

function viewerOf(
  u: { id: string; role: string; name: string; email: string },
  via: Viewer['via'],
  credentialId: string,
  scopes: ReadonlySet<ApiScope>,
): Viewer {
  return { userId: u.id, role: u.role as Role, name: u.name, email: u.email, via, credentialId, scopes };
}
