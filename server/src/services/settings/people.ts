// Users, presence and teams. Role changes follow one rule: you can only hand out
// roles below your own (admins everything), so a manager cannot mint an admin.
import type { PrismaClient } from '../../infra/db/generated/client.ts';
import type { Clock } from '../../domain/clock.ts';
import { LoginThrottled, NotAllowed, NotFound, ValidationFailed, type FieldError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { passwordProblem, type PasswordOwner } from '../../domain/identity/password-policy.ts';
import { charCount, LIMITS } from '../../domain/limits.ts';
import { isInternal, isServiceRole, type Role, type Viewer } from '../../domain/identity/viewer.ts';
import { isUniqueViolation } from '../../infra/db/errors.ts';
import { announceAccessChange, type AccessChangeDeps } from '../auth/access-changes.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';

export const PRESENCES = ['ONLINE', 'AWAY', 'OFFLINE'] as const;
export type Presence = (typeof PRESENCES)[number];
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface UserInput {
  email?: string;
  name?: string;
  role?: Role;
  active?: boolean;
  password?: string | null;
  skills?: string[];
  capacity?: number;
  senior?: boolean;
  /** Links a CUSTOMER user to the contact they log in as. */
  contactId?: string | null;
}

export interface TeamInput {
  name?: string;
  description?: string | null;
  kind?: 'SERVICE' | 'ASSIST';
  assistRule?: 'AUTO' | 'MANAGER';
}

function mayGrant(viewer: Viewer, role: Role): boolean {
  if (viewer.role === 'ADMIN') return true;
  return viewer.role === 'MANAGER' && role !== 'ADMIN' && role !== 'MANAGER';
}

function checkUser(input: UserInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.email !== undefined && (!EMAIL_RE.test(input.email.trim()) || charCount(input.email.trim()) > LIMITS.user.email)) {
    errors.push({ field: 'email', message: 'is not an email address' });
  }
  if (input.name !== undefined && (!input.name.trim() || charCount(input.name.trim()) > LIMITS.user.name)) {
    errors.push({ field: 'name', message: `is required, at most ${LIMITS.user.name} characters` });
  }
  if (input.capacity !== undefined && (!Number.isInteger(input.capacity) || input.capacity < 0 || input.capacity > 1000)) {
    errors.push({ field: 'capacity', message: 'must be between 0 and 1000' });
  }
  if (input.skills) {
    if (input.skills.length > LIMITS.user.skills) errors.push({ field: 'skills', message: `at most ${LIMITS.user.skills} skills` });
    input.skills.forEach((s, i) => {
      if (!s.trim() || charCount(s.trim()) > LIMITS.user.skill) errors.push({ field: `skills.${i}`, message: `is required, at most ${LIMITS.user.skill} characters` });
    });
  }
  return errors;
}

/**
 * The password policy for a new password of `owner`, and not the one they have now.
 * Seeds write demo passwords directly (infra/db/seed), outside this policy.
 */
async function newPasswordProblem(password: string, owner: PasswordOwner & { passwordHash?: string | null }): Promise<string | null> {
  const problem = passwordProblem(password, owner);
  if (problem) return problem;
  if (owner.passwordHash && (await verifyPassword(owner.passwordHash, password))) return 'must not be the previous password';
  return null;
}

export class PeopleSettings {
  constructor(private readonly deps: AccessChangeDeps & { prisma: PrismaClient; clock: Clock; throttle: LoginThrottle }) {}

  async createUser(viewer: Viewer, input: UserInput & { email: string; name: string; role: Role }) {
    if (!mayGrant(viewer, input.role)) throw new NotAllowed(`${viewer.role} cannot create ${input.role} users`);
    const errors = checkUser(input);
    if (input.contactId && input.role !== 'CUSTOMER') {
      errors.push({ field: 'contactId', message: 'only customers log in as a contact' });
    }
    const passwordError = input.password ? passwordProblem(input.password, { email: input.email, name: input.name }) : null;
    if (passwordError) errors.push({ field: 'password', message: passwordError });
    if (errors.length) throw new ValidationFailed(errors);
    const { prisma } = this.deps;
    try {
      return await prisma.$transaction(async (tx) => {
        const user = await tx.user.create({
          data: {
            email: input.email.trim().toLowerCase(),
            name: input.name.trim(),
            role: input.role,
            active: input.active ?? true,
            passwordHash: input.password ? await hashPassword(input.password) : null,
            skills: normalizeSkills(input.skills ?? []),
            capacity: input.capacity ?? 10,
            senior: input.senior ?? false,
          },
        });
        if (input.contactId) await linkContact(tx, input.contactId, user.id);
        return user;
      });
    } catch (e) {
      if (isUniqueViolation(e, 'email')) throw ValidationFailed.one('email', 'a user with this email exists');
      throw e;
    }
  }

  async updateUser(viewer: Viewer, id: string, input: UserInput) {
    const { prisma } = this.deps;
    const user = isUuid(id) ? await prisma.user.findUnique({ where: { id } }) : null;
    if (!user) throw new NotFound('User');
    if (!mayGrant(viewer, user.role as Role) && viewer.userId !== id) {
      throw new NotAllowed(`${viewer.role} cannot change ${user.role} users`);
    }
    if (input.role !== undefined && input.role !== user.role && !mayGrant(viewer, input.role)) {
      throw new NotAllowed(`${viewer.role} cannot grant the ${input.role} role`);
    }
    if (viewer.userId === id && (input.active === false || (input.role && input.role !== user.role))) {
      // Locking yourself out (or demoting the last admin by accident) is never what was meant.
      throw new NotAllowed('You cannot deactivate yourself or change your own role');
    }
    const errors = checkUser(input);
    if (input.contactId && (input.role ?? user.role) !== 'CUSTOMER') {
      errors.push({ field: 'contactId', message: 'only customers log in as a contact' });
    }
    if (input.password != null && !errors.length) {
      const owner = { email: input.email ?? user.email, name: input.name ?? user.name, passwordHash: user.passwordHash };
      const problem = await newPasswordProblem(input.password, owner);
      if (problem) errors.push({ field: 'password', message: problem });
    }
    if (errors.length) throw new ValidationFailed(errors);
    let saved;
    try {
      saved = await prisma.$transaction(async (tx) => {
        const updated = await tx.user.update({
          where: { id },
          data: {
            ...(input.email !== undefined && { email: input.email.trim().toLowerCase() }),
            ...(input.name !== undefined && { name: input.name.trim() }),
            ...(input.role !== undefined && { role: input.role }),
            ...(input.active !== undefined && { active: input.active }),
            ...(input.password != null && { passwordHash: await hashPassword(input.password) }),
            ...(input.skills !== undefined && { skills: normalizeSkills(input.skills) }),
            ...(input.capacity !== undefined && { capacity: input.capacity }),
            ...(input.senior !== undefined && { senior: input.senior }),
          },
        });
        if (input.active === false || input.password != null) {
          // A deactivated user or a reset password ends every open session at once.
          await tx.session.updateMany({ where: { userId: id, revokedAt: null }, data: { revokedAt: this.deps.clock.now() } });
        }
        if (input.contactId) await linkContact(tx, input.contactId, id);
        return updated;
      });
    } catch (e) {
      if (isUniqueViolation(e, 'email')) throw ValidationFailed.one('email', 'a user with this email exists');
      throw e;
    }
    if (saved.role !== user.role || saved.active !== user.active || input.password != null) {
      // Sockets of this user on every instance re-check: a dead session closes, and so does a changed role.
      await announceAccessChange(this.deps, id);
    }
    return saved;
  }

  /**
   * Checking the current password is a password guess like a login: throttled and
   * counted the same way, per account and per client address.
   */
  async changeOwnPassword(viewer: Viewer, current: string, next: string, address: string) {
    const { prisma, clock, throttle } = this.deps;
    // A token acts for an integration; taking over its user's login is not its business.
    if (viewer.via !== 'session') throw new NotAllowed('API tokens cannot change passwords; log in as the user');
    const user = await prisma.user.findUniqueOrThrow({ where: { id: viewer.userId } });
    const admission = await throttle.admit(user.email, address);
    if (!admission.ok) throw new LoginThrottled(admission.retryAfterSeconds);
    if (!user.passwordHash || !(await verifyPassword(user.passwordHash, current))) {
      await admission.attempt.failed();
      throw ValidationFailed.one('currentPassword', 'is not your current password');
    }
    await admission.attempt.succeeded();
    const problem = next === current ? 'must not be the previous password' : passwordProblem(next, user);
    if (problem) throw ValidationFailed.one('newPassword', problem);
    await prisma.$transaction([
      prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(next) } }),
      // Other devices are logged out; the current session stays.
      prisma.session.updateMany({
        where: { userId: user.id, revokedAt: null, id: { not: viewer.credentialId } },
        data: { revokedAt: clock.now() },
      }),
    ]);
    await announceAccessChange(this.deps, user.id);
    return true;
  }

  async setPresence(viewer: Viewer, presence: Presence) {
    if (!isInternal(viewer.role)) throw new NotAllowed('Only staff have a presence');
    return this.deps.prisma.user.update({
      where: { id: viewer.userId },
      data: { presence, presenceChangedAt: this.deps.clock.now() },
    });
  }

  async createTeam(input: TeamInput & { name: string; kind: 'SERVICE' | 'ASSIST' }) {
    const errors = checkTeam(input);
    if (errors.length) throw new ValidationFailed(errors);
    try {
      return await this.deps.prisma.team.create({
        data: {
          name: input.name.trim(),
          description: input.description?.trim() || null,
          kind: input.kind,
          assistRule: input.assistRule ?? 'MANAGER',
        },
      });
    } catch (e) {
      if (isUniqueViolation(e, 'name')) throw ValidationFailed.one('name', 'a team with this name exists');
      throw e;
    }
  }

  async updateTeam(id: string, input: TeamInput) {
    const { prisma } = this.deps;
    const team = isUuid(id) ? await prisma.team.findUnique({ where: { id }, include: { members: { include: { user: true } } } }) : null;
    if (!team) throw new NotFound('Team');
    const errors = checkTeam(input);
    if (input.kind && input.kind !== team.kind) {
      // A SERVICE team may hold only people who serve tickets; changing kind would
      // silently change who is eligible for the types that list it.
      const used = await prisma.ticketTypeTeam.count({ where: { teamId: id } }) + (await prisma.ticketTypeAssistTeam.count({ where: { teamId: id } }));
      if (used > 0) errors.push({ field: 'kind', message: 'the team is used by ticket types; remove it there first' });
    }
    if (errors.length) throw new ValidationFailed(errors);
    try {
      return await prisma.team.update({
        where: { id },
        data: {
          ...(input.name !== undefined && { name: input.name.trim() }),
          ...(input.description !== undefined && { description: input.description?.trim() || null }),
          ...(input.kind !== undefined && { kind: input.kind }),
          ...(input.assistRule !== undefined && { assistRule: input.assistRule }),
        },
      });
    } catch (e) {
      if (isUniqueViolation(e, 'name')) throw ValidationFailed.one('name', 'a team with this name exists');
      throw e;
    }
  }

  /** Replaces the member list. Members keep their round-robin position. */
  async setTeamMembers(teamId: string, members: { userId: string; isManager: boolean }[]) {
    const { prisma } = this.deps;
    const team = isUuid(teamId) ? await prisma.team.findUnique({ where: { id: teamId } }) : null;
    if (!team) throw new NotFound('Team');
    const ids = members.map((m) => m.userId);
    const users = await prisma.user.findMany({ where: { id: { in: ids.filter(isUuid) } }, select: { id: true, role: true } });
    const byId = new Map(users.map((u) => [u.id, u]));
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    members.forEach((m, i) => {
      const u = byId.get(m.userId);
      if (!u) errors.push({ field: `members.${i}.userId`, message: 'no such user' });
      else if (seen.has(m.userId)) errors.push({ field: `members.${i}.userId`, message: 'listed twice' });
      else if (!isInternal(u.role as Role)) errors.push({ field: `members.${i}.userId`, message: 'customers cannot join teams' });
      else if (team.kind === 'SERVICE' && !isServiceRole(u.role as Role)) {
        errors.push({ field: `members.${i}.userId`, message: 'service teams are for agents and managers' });
      }
      seen.add(m.userId);
    });
    if (errors.length) throw new ValidationFailed(errors);
    return prisma.$transaction(async (tx) => {
      await tx.teamMember.deleteMany({ where: { teamId, userId: { notIn: ids } } });
      for (const m of members) {
        await tx.teamMember.upsert({
          where: { teamId_userId: { teamId, userId: m.userId } },
          create: { teamId, userId: m.userId, isManager: m.isManager },
          update: { isManager: m.isManager },
        });
      }
      return tx.team.findUniqueOrThrow({ where: { id: teamId } });
    });
  }
}

function checkTeam(input: TeamInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.name !== undefined && (!input.name.trim() || charCount(input.name.trim()) > LIMITS.team.name)) {
    errors.push({ field: 'name', message: `is required, at most ${LIMITS.team.name} characters` });
  }
  if (input.description && charCount(input.description.trim()) > LIMITS.team.description) {
    errors.push({ field: 'description', message: `at most ${LIMITS.team.description} characters` });
  }
  return errors;
}

function normalizeSkills(skills: string[]): string[] {
  return [...new Set(skills.map((s) => s.trim()).filter(Boolean))];
}

async function linkContact(
  tx: Parameters<Parameters<PrismaClient['$transaction']>[0]>[0],
  contactId: string,
  userId: string,
) {
  const contact = isUuid(contactId) ? await tx.contact.findUnique({ where: { id: contactId } }) : null;
  if (!contact) throw ValidationFailed.one('contactId', 'no such contact');
  if (contact.userId && contact.userId !== userId) throw ValidationFailed.one('contactId', 'the contact already has a login');
  await tx.contact.update({ where: { id: contactId }, data: { userId } });
}
