// Ticket types (工单类型): field templates and assignment settings. Changes never
// corrupt existing tickets: fields are archived instead of deleted, and a field that
// holds values keeps its kind.
import { Prisma, type PrismaClient } from '../../infra/db/generated/client.ts';
import type { Clock } from '../../domain/clock.ts';
import { NotFound, StaleWrite, ValidationFailed, type FieldError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { charCount, LIMITS } from '../../domain/limits.ts';
import {
  validateTemplate,
  type FieldDefinition,
  type FieldKind,
} from '../../domain/ticket-type/template.ts';
import { isServiceRole, type Role } from '../../domain/identity/viewer.ts';
import { isUniqueViolation } from '../../infra/db/errors.ts';

export const ASSIGNMENT_MODES = ['AUTO', 'MANAGER', 'GRAB'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];
export const PRIORITIES = ['URGENT', 'HIGH', 'NORMAL', 'LOW'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const ACCEPT_TIMEOUT_RANGE = { min: 30, max: 7 * 24 * 3600 } as const;
export const AUTO_CLOSE_RANGE = { min: 60, max: 365 * 24 * 3600 } as const;

export interface TicketTypeBasics {
  name?: string;
  description?: string | null;
  active?: boolean;
  defaultPriority?: Priority;
  autoCloseAfterSeconds?: number | null;
}

export interface AssignmentSettings {
  modes: AssignmentMode[];
  /** 自动派单后需人员确认接单 (only with AUTO). */
  acceptAfterAutoDispatch?: boolean | null;
  /** 管理员派单后需人员确认接单 (only with MANAGER). */
  acceptAfterManagerDispatch?: boolean | null;
  /**
   * The single switch of old API clients: sets the switch of each dispatch mode given.
   * Not together with the two switches.
   */
  requireAcceptance?: boolean | null;
  acceptTimeoutSeconds: number;
  eligibleAgentIds: string[];
  eligibleTeamIds: string[];
  assistTeamIds: string[];
}

type Db = PrismaClient | Prisma.TransactionClient;

export class TicketTypeSettings {
  constructor(private readonly deps: { prisma: PrismaClient; clock: Clock }) {}

  async create(input: TicketTypeBasics & { name: string; fields?: FieldDefinition[]; assignment?: AssignmentSettings }) {
    const errors = [
      ...checkBasics(input),
      ...validateTemplate(input.fields ?? []),
    ];
    if (input.assignment) errors.push(...(await checkAssignment(this.deps.prisma, input.assignment, 'assignment')));
    if (errors.length) throw new ValidationFailed(errors);
    try {
      return await this.deps.prisma.$transaction(async (tx) => {
        const type = await tx.ticketType.create({
          data: {
            name: input.name.trim(),
            description: input.description?.trim() || null,
            active: input.active ?? true,
            defaultPriority: input.defaultPriority ?? 'NORMAL',
            autoCloseAfterSeconds: input.autoCloseAfterSeconds === undefined ? 7 * 24 * 3600 : input.autoCloseAfterSeconds,
          },
        });
        if (input.fields?.length) await writeFields(tx, type.id, input.fields);
        if (input.assignment) await writeAssignment(tx, type.id, input.assignment);
        return tx.ticketType.findUniqueOrThrow({ where: { id: type.id } });
      });
    } catch (e) {
      if (isUniqueViolation(e, 'name')) throw ValidationFailed.one('name', 'a ticket type with this name exists');
      throw e;
    }
  }

  async update(id: string, expectedVersion: number | null | undefined, input: TicketTypeBasics) {
    const errors = checkBasics(input);
    if (errors.length) throw new ValidationFailed(errors);
    return this.bump(id, expectedVersion, async (tx) => {
      await tx.ticketType.update({
        where: { id },
        data: {
          ...(input.name !== undefined && { name: input.name.trim() }),
          ...(input.description !== undefined && { description: input.description?.trim() || null }),
          ...(input.active !== undefined && { active: input.active }),
          ...(input.defaultPriority !== undefined && { defaultPriority: input.defaultPriority }),
          ...(input.autoCloseAfterSeconds !== undefined && { autoCloseAfterSeconds: input.autoCloseAfterSeconds }),
        },
      });
    }).catch((e: unknown) => {
      if (isUniqueViolation(e, 'name')) throw ValidationFailed.one('name', 'a ticket type with this name exists');
      throw e;
    });
  }

  /** Replaces the template: the given order is the layout; fields left out are archived. */
  async setFields(typeId: string, expectedVersion: number | null | undefined, fields: FieldDefinition[]) {
    const prisma = this.deps.prisma;
    if (!isUuid(typeId)) throw new NotFound('TicketType');
    const existing = await prisma.ticketField.findMany({
      where: { typeId },
      select: { key: true, kind: true, _count: { select: { values: true } } },
    });
    const kindsWithValues = new Map<string, FieldKind>(
      existing.filter((f) => f._count.values > 0).map((f) => [f.key, f.kind as FieldKind]),
    );
    const errors = validateTemplate(fields, kindsWithValues);
    if (errors.length) throw new ValidationFailed(errors);
    return this.bump(typeId, expectedVersion, (tx) => writeFields(tx, typeId, fields));
  }

  async setAssignment(typeId: string, expectedVersion: number | null | undefined, settings: AssignmentSettings) {
    const errors = await checkAssignment(this.deps.prisma, settings, '');
    if (errors.length) throw new ValidationFailed(errors);
    return this.bump(typeId, expectedVersion, (tx) => writeAssignment(tx, typeId, settings));
  }

  /**
   * Runs a change and bumps the type's version in one transaction. The version check
   * is the conditional write itself, so two editors cannot both win.
   */
  private async bump(typeId: string, expectedVersion: number | null | undefined, change: (tx: Prisma.TransactionClient) => Promise<unknown>) {
    if (!isUuid(typeId)) throw new NotFound('TicketType');
    return this.deps.prisma.$transaction(async (tx) => {
      const where = expectedVersion == null ? { id: typeId } : { id: typeId, version: expectedVersion };
      const r = await tx.ticketType.updateMany({ where, data: { version: { increment: 1 } } });
      if (r.count === 0) {
        const current = await tx.ticketType.findUnique({ where: { id: typeId }, select: { version: true } });
        if (!current) throw new NotFound('TicketType');
        throw new StaleWrite(current.version);
      }
      await change(tx);
      return tx.ticketType.findUniqueOrThrow({ where: { id: typeId } });
    });
  }
}

function checkBasics(input: TicketTypeBasics): FieldError[] {
  const errors: FieldError[] = [];
  if (input.name !== undefined) {
    const n = input.name.trim();
    if (!n || charCount(n) > LIMITS.ticketType.name) errors.push({ field: 'name', message: `is required, at most ${LIMITS.ticketType.name} characters` });
  }
  if (input.description && charCount(input.description.trim()) > LIMITS.ticketType.description) {
    errors.push({ field: 'description', message: `at most ${LIMITS.ticketType.description} characters` });
  }
  const ac = input.autoCloseAfterSeconds;
  if (ac != null && (!Number.isInteger(ac) || ac < AUTO_CLOSE_RANGE.min || ac > AUTO_CLOSE_RANGE.max)) {
    errors.push({
      field: 'autoCloseAfterSeconds',
      message: `must be between ${AUTO_CLOSE_RANGE.min} and ${AUTO_CLOSE_RANGE.max} seconds, or null for never`,
    });
  }
  return errors;
}

async function checkAssignment(db: Db, s: AssignmentSettings, prefix: string): Promise<FieldError[]> {
  const p = (f: string) => (prefix ? `${prefix}.${f}` : f);
  const errors: FieldError[] = [];
  if (s.modes.length === 0) errors.push({ field: p('modes'), message: 'choose at least one of AUTO, MANAGER, GRAB' });
  if (new Set(s.modes).size !== s.modes.length) errors.push({ field: p('modes'), message: 'lists a mode twice' });
  const t = s.acceptTimeoutSeconds;
  if (!Number.isInteger(t) || t < ACCEPT_TIMEOUT_RANGE.min || t > ACCEPT_TIMEOUT_RANGE.max) {
    errors.push({
      field: p('acceptTimeoutSeconds'),
      message: `must be between ${ACCEPT_TIMEOUT_RANGE.min} and ${ACCEPT_TIMEOUT_RANGE.max} seconds`,
    });
  }
  if (s.requireAcceptance != null && (s.acceptAfterAutoDispatch != null || s.acceptAfterManagerDispatch != null)) {
    errors.push({ field: p('requireAcceptance'), message: 'replaced by acceptAfterAutoDispatch and acceptAfterManagerDispatch: give those only' });
  } else if (s.requireAcceptance && !s.modes.some((m) => m === 'AUTO' || m === 'MANAGER')) {
    errors.push({ field: p('requireAcceptance'), message: 'only applies to AUTO or MANAGER dispatch' });
  }
  if (s.acceptAfterAutoDispatch && !s.modes.includes('AUTO')) {
    errors.push({ field: p('acceptAfterAutoDispatch'), message: 'only applies to AUTO dispatch' });
  }
  if (s.acceptAfterManagerDispatch && !s.modes.includes('MANAGER')) {
    errors.push({ field: p('acceptAfterManagerDispatch'), message: 'only applies to MANAGER dispatch' });
  }

  const agentIds = [...new Set(s.eligibleAgentIds)];
  const agents = await db.user.findMany({ where: { id: { in: agentIds.filter(isUuid) } }, select: { id: true, role: true, active: true } });
  const byId = new Map(agents.map((a) => [a.id, a]));
  agentIds.forEach((id, i) => {
    const a = byId.get(id);
    if (!a) errors.push({ field: p(`eligibleAgentIds.${i}`), message: 'no such user' });
    else if (!isServiceRole(a.role as Role)) errors.push({ field: p(`eligibleAgentIds.${i}`), message: 'only agents and managers can serve tickets' });
  });

  const check = async (ids: string[], kind: 'SERVICE' | 'ASSIST', field: string) => {
    const unique = [...new Set(ids)];
    const teams = await db.team.findMany({ where: { id: { in: unique.filter(isUuid) } }, select: { id: true, kind: true } });
    const teamById = new Map(teams.map((x) => [x.id, x]));
    unique.forEach((id, i) => {
      const team = teamById.get(id);
      if (!team) errors.push({ field: p(`${field}.${i}`), message: 'no such team' });
      else if (team.kind !== kind) errors.push({ field: p(`${field}.${i}`), message: `must be a ${kind} team` });
    });
  };
  await check(s.eligibleTeamIds, 'SERVICE', 'eligibleTeamIds');
  await check(s.assistTeamIds, 'ASSIST', 'assistTeamIds');
  return errors;
}

/** The two switches to store; the old single one stands for both, as far as the modes go. */
function confirmationSwitches(s: AssignmentSettings) {
  if (s.requireAcceptance != null) {
    return { acceptAfterAutoDispatch: s.requireAcceptance && s.modes.includes('AUTO'), acceptAfterManagerDispatch: s.requireAcceptance && s.modes.includes('MANAGER') };
  }
  return { acceptAfterAutoDispatch: s.acceptAfterAutoDispatch ?? false, acceptAfterManagerDispatch: s.acceptAfterManagerDispatch ?? false };
}

async function writeAssignment(tx: Prisma.TransactionClient, typeId: string, s: AssignmentSettings) {
  await tx.ticketType.update({
    where: { id: typeId },
    data: {
      assignmentModes: [...new Set(s.modes)],
      ...confirmationSwitches(s),
      acceptTimeoutSeconds: s.acceptTimeoutSeconds,
    },
  });
  await tx.ticketTypeAgent.deleteMany({ where: { typeId } });
  await tx.ticketTypeTeam.deleteMany({ where: { typeId } });
  await tx.ticketTypeAssistTeam.deleteMany({ where: { typeId } });
  const uniq = (xs: string[]) => [...new Set(xs)];
  if (s.eligibleAgentIds.length) {
    await tx.ticketTypeAgent.createMany({ data: uniq(s.eligibleAgentIds).map((userId) => ({ typeId, userId })) });
  }
  if (s.eligibleTeamIds.length) {
    await tx.ticketTypeTeam.createMany({ data: uniq(s.eligibleTeamIds).map((teamId) => ({ typeId, teamId })) });
  }
  if (s.assistTeamIds.length) {
    await tx.ticketTypeAssistTeam.createMany({ data: uniq(s.assistTeamIds).map((teamId) => ({ typeId, teamId })) });
  }
}

async function writeFields(tx: Prisma.TransactionClient, typeId: string, fields: FieldDefinition[]) {
  const keys = fields.map((f) => f.key);
  await tx.ticketField.updateMany({ where: { typeId, key: { notIn: keys } }, data: { archived: true } });
  for (const [position, f] of fields.entries()) {
    const data = {
      label: f.label.trim(),
      description: f.description?.trim() || null,
      kind: f.kind,
      required: f.required,
      position,
      customerVisible: f.customerVisible,
      editableAfterSubmit: f.editableAfterSubmit,
      editableBy: f.editableBy,
      options: f.options?.length
        ? f.options.map((o) => ({ value: o.value.trim(), label: o.label.trim() }))
        : Prisma.DbNull,
      maxLength: f.maxLength ?? null,
      archived: false,
    };
    await tx.ticketField.upsert({
      where: { typeId_key: { typeId, key: f.key } },
      create: { typeId, key: f.key, ...data },
      update: data,
    });
  }
}
