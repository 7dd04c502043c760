// Customer organisations and contacts, with tier and dedicated agent (专属客服).
import type { PrismaClient } from '../../infra/db/generated/client.ts';
import { NotFound, ValidationFailed, type FieldError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { charCount, LIMITS } from '../../domain/limits.ts';
import { isServiceRole, type Role } from '../../domain/identity/viewer.ts';
import { isUniqueViolation } from '../../infra/db/errors.ts';

export interface OrganizationInput {
  name?: string;
  tier?: 'VIP' | 'NORMAL';
  dedicatedAgentId?: string | null;
  notes?: string | null;
}

export interface ContactInput {
  name?: string;
  email?: string | null;
  phone?: string | null;
  organizationId?: string | null;
  dedicatedAgentId?: string | null;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?[0-9][0-9 -]{4,}$/;

export class CustomerSettings {
  constructor(private readonly deps: { prisma: PrismaClient }) {}

  async createOrganization(input: OrganizationInput & { name: string }) {
    await this.check(checkOrg(input), input.dedicatedAgentId);
    try {
      return await this.deps.prisma.organization.create({
        data: {
          name: input.name.trim(),
          tier: input.tier ?? 'NORMAL',
          dedicatedAgentId: input.dedicatedAgentId ?? null,
          notes: input.notes?.trim() || null,
        },
      });
    } catch (e) {
      if (isUniqueViolation(e, 'name')) throw ValidationFailed.one('name', 'an organization with this name exists');
      throw e;
    }
  }

  async updateOrganization(id: string, input: OrganizationInput) {
    const existing = isUuid(id) ? await this.deps.prisma.organization.findUnique({ where: { id } }) : null;
    if (!existing) throw new NotFound('Organization');
    await this.check(checkOrg(input), input.dedicatedAgentId);
    try {
      return await this.deps.prisma.organization.update({
        where: { id },
        data: {
          ...(input.name !== undefined && { name: input.name.trim() }),
          ...(input.tier !== undefined && { tier: input.tier }),
          ...(input.dedicatedAgentId !== undefined && { dedicatedAgentId: input.dedicatedAgentId }),
          ...(input.notes !== undefined && { notes: input.notes?.trim() || null }),
        },
      });
    } catch (e) {
      if (isUniqueViolation(e, 'name')) throw ValidationFailed.one('name', 'an organization with this name exists');
      throw e;
    }
  }

  async createContact(input: ContactInput & { name: string }) {
    const errors = checkContact(input);
    if (input.organizationId && !(await this.organizationExists(input.organizationId))) {
      errors.push({ field: 'organizationId', message: 'no such organization' });
    }
    await this.check(errors, input.dedicatedAgentId);
    return this.deps.prisma.contact.create({
      data: {
        name: input.name.trim(),
        email: input.email?.trim().toLowerCase() || null,
        phone: input.phone?.trim() || null,
        organizationId: input.organizationId ?? null,
        dedicatedAgentId: input.dedicatedAgentId ?? null,
      },
    });
  }

  async updateContact(id: string, input: ContactInput) {
    const existing = isUuid(id) ? await this.deps.prisma.contact.findUnique({ where: { id } }) : null;
    if (!existing) throw new NotFound('Contact');
    const errors = checkContact(input);
    if (input.organizationId && !(await this.organizationExists(input.organizationId))) {
      errors.push({ field: 'organizationId', message: 'no such organization' });
    }
    await this.check(errors, input.dedicatedAgentId);
    return this.deps.prisma.contact.update({
      where: { id },
      data: {
        ...(input.name !== undefined && { name: input.name.trim() }),
        ...(input.email !== undefined && { email: input.email?.trim().toLowerCase() || null }),
        ...(input.phone !== undefined && { phone: input.phone?.trim() || null }),
        ...(input.organizationId !== undefined && { organizationId: input.organizationId }),
        ...(input.dedicatedAgentId !== undefined && { dedicatedAgentId: input.dedicatedAgentId }),
      },
    });
  }

  private async organizationExists(id: string): Promise<boolean> {
    return isUuid(id) && !!(await this.deps.prisma.organization.findUnique({ where: { id }, select: { id: true } }));
  }

  /** Adds the dedicated agent check to `errors` and throws if anything is wrong. */
  private async check(errors: FieldError[], dedicatedAgentId: string | null | undefined) {
    if (dedicatedAgentId) {
      const agent = isUuid(dedicatedAgentId) ? await this.deps.prisma.user.findUnique({ where: { id: dedicatedAgentId } }) : null;
      if (!agent) errors.push({ field: 'dedicatedAgentId', message: 'no such user' });
      else if (!isServiceRole(agent.role as Role) || !agent.active) {
        errors.push({ field: 'dedicatedAgentId', message: 'must be an active agent' });
      }
    }
    if (errors.length) throw new ValidationFailed(errors);
  }
}

function checkOrg(input: OrganizationInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.name !== undefined && (!input.name.trim() || charCount(input.name.trim()) > LIMITS.organization.name)) {
    errors.push({ field: 'name', message: `is required, at most ${LIMITS.organization.name} characters` });
  }
  if (input.notes && charCount(input.notes.trim()) > LIMITS.organization.notes) errors.push({ field: 'notes', message: `at most ${LIMITS.organization.notes} characters` });
  return errors;
}

function checkContact(input: ContactInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.name !== undefined && (!input.name.trim() || charCount(input.name.trim()) > LIMITS.contact.name)) {
    errors.push({ field: 'name', message: `is required, at most ${LIMITS.contact.name} characters` });
  }
  if (input.email && (!EMAIL_RE.test(input.email.trim()) || charCount(input.email.trim()) > LIMITS.contact.email)) {
    errors.push({ field: 'email', message: 'is not an email address' });
  }
  if (input.phone && (!PHONE_RE.test(input.phone.trim()) || charCount(input.phone.trim()) > LIMITS.contact.phone)) {
    errors.push({ field: 'phone', message: `is not a phone number (at most ${LIMITS.contact.phone} characters)` });
  }
  return errors;
}
