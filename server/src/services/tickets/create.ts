// 新建工单: validate against the type's template, fill in the owner from the dedicated
// agent, land in the pool, then route by the type's assignment settings — all in one
// transaction. Integrators may send an idempotency key: the same key from the same
// creator returns the same ticket, also when retries race each other.
import { createHash } from 'node:crypto';
import { NotAllowed, NotFound, ValidationFailed, type FieldError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { charCount, LIMITS } from '../../domain/limits.ts';
import { isInternal, type Viewer } from '../../domain/identity/viewer.ts';
import { validateFieldValues, type FieldDefinition, type FieldValueInput } from '../../domain/ticket-type/template.ts';
import { customerIntakeErrors } from '../../domain/ticket/intake.ts';
import type { Prisma } from '../../infra/db/generated/client.ts';
import { runUnitOfWork, type Work } from '../../infra/uow.ts';
import { autoDispatch } from './assignment.ts';
import { loadTypeEligibility } from './access.ts';
import { assertVisible, text, throwIfErrors, type TicketDeps } from './common.ts';

export const PRIORITIES = ['URGENT', 'HIGH', 'NORMAL', 'LOW'] as const;
export const CHANNELS = ['WEB', 'PORTAL', 'EMAIL', 'CHAT', 'PHONE', 'API', 'OFFLINE_MESSAGE'] as const;
export const REPLY_METHODS = ['SMS', 'EMAIL', 'IM'] as const;
const LIMIT = LIMITS.ticket;

export interface CreateTicketInput {
  typeId: string;
  title: string;
  description?: string | null;
  priority?: (typeof PRIORITIES)[number] | null;
  tags?: string[] | null;
  fieldValues?: FieldValueInput[] | null;
  organizationId?: string | null;
  contactId?: string | null;
  replyMethod?: (typeof REPLY_METHODS)[number] | null;
  replyAddress?: string | null;
  channel?: (typeof CHANNELS)[number] | null;
  idempotencyKey?: string | null;
  parentId?: string | null;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?[0-9][0-9 -]{4,19}$/;

function requestHash(input: CreateTicketInput): string {
  const { idempotencyKey: _k, ...rest } = input;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export async function createTicket(deps: TicketDeps, viewer: Viewer, input: CreateTicketInput): Promise<{ ticketId: string; replayed: boolean }> {
  const key = input.idempotencyKey?.trim() || null;
  if (key && charCount(key) > LIMIT.idempotencyKey) throw ValidationFailed.one('idempotencyKey', `at most ${LIMIT.idempotencyKey} characters`);
  return runUnitOfWork(deps, async (w) => {
    if (key) {
      // Serialize retries of the same key; the loser finds the winner's ticket below.
      await w.tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${viewer.userId}:${key}`}, 0))`;
      const seen = await w.tx.idempotencyKey.findUnique({ where: { creatorId_key: { creatorId: viewer.userId, key } } });
      if (seen) {
        if (seen.requestHash !== requestHash(input)) {
          throw ValidationFailed.one('idempotencyKey', 'was already used for a different request');
        }
        return { ticketId: seen.ticketId, replayed: true };
      }
    }
    const ticketId = await insertTicket(deps, w, viewer, input);
    if (key) {
      await w.tx.idempotencyKey.create({ data: { creatorId: viewer.userId, key, ticketId, requestHash: requestHash(input), createdAt: w.now } });
    }
    return { ticketId, replayed: false };
  });
}

async function insertTicket(deps: TicketDeps, w: Work, viewer: Viewer, input: CreateTicketInput): Promise<string> {
  const { tx, now } = w;
  const errors: FieldError[] = [];
  const customer = !isInternal(viewer.role);

  const type = isUuid(input.typeId)
    ? await tx.ticketType.findUnique({ where: { id: input.typeId }, include: { fields: { orderBy: { position: 'asc' } } } })
    : null;
  if (!type || !type.active) errors.push({ field: 'typeId', message: 'no such ticket type, or it no longer accepts tickets' });

  const title = text(errors, 'title', input.title, { required: true, max: LIMIT.title });
  if (title && /[\r\n]/.test(title)) errors.push({ field: 'title', message: 'must be a single line' });
  const description = text(errors, 'description', input.description, { max: LIMIT.description }) ?? '';
  const tags = [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))];
  if (tags.length > LIMIT.tags) errors.push({ field: 'tags', message: `at most ${LIMIT.tags} tags` });
  tags.forEach((t, i) => charCount(t) > LIMIT.tag && errors.push({ field: `tags.${i}`, message: `at most ${LIMIT.tag} characters` }));

  // Who the ticket is for. A customer always files for themself.
  let contactId = input.contactId ?? null;
  let organizationId = input.organizationId ?? null;
  if (customer) {
    const own = await tx.contact.findUnique({ where: { userId: viewer.userId } });
    if ((contactId && contactId !== own?.id) || (organizationId && organizationId !== own?.organizationId)) {
      throw new NotAllowed('Customers create tickets for themselves only');
    }
    contactId = own?.id ?? null;
    organizationId = own?.organizationId ?? null;
  }
  const contact = contactId
    ? isUuid(contactId)
      ? await tx.contact.findUnique({ where: { id: contactId }, include: { organization: true } })
      : null
    : null;
  if (contactId && !contact) errors.push({ field: 'contactId', message: 'no such contact' });
  if (contact && !organizationId) organizationId = contact.organizationId;
  const organization = organizationId ? (isUuid(organizationId) ? await tx.organization.findUnique({ where: { id: organizationId } }) : null) : null;
  if (organizationId && !organization) errors.push({ field: 'organizationId', message: 'no such organization' });
  if (contact && organization && contact.organizationId && contact.organizationId !== organization.id) {
    errors.push({ field: 'contactId', message: 'the contact belongs to another organization' });
  }

  // 回复方式: defaults to in-app for people logged in; email/SMS need an address.
  const replyMethod = input.replyMethod ?? (contact?.email ? 'EMAIL' : 'IM');
  let replyAddress = input.replyAddress?.trim() || null;
  if (!replyAddress && replyMethod === 'EMAIL') replyAddress = contact?.email ?? (customer ? viewer.email : null);
  if (!replyAddress && replyMethod === 'SMS') replyAddress = contact?.phone ?? null;
  if (replyMethod === 'EMAIL' && (!replyAddress || !EMAIL_RE.test(replyAddress) || charCount(replyAddress) > LIMIT.replyAddress)) {
    errors.push({ field: 'replyAddress', message: 'an email address is needed to reply by email' });
  }
  if (replyMethod === 'SMS' && (!replyAddress || !PHONE_RE.test(replyAddress))) {
    errors.push({ field: 'replyAddress', message: 'a phone number is needed to reply by SMS' });
  }
  if (replyMethod === 'IM' && replyAddress && charCount(replyAddress) > LIMIT.replyAddress) {
    errors.push({ field: 'replyAddress', message: `at most ${LIMIT.replyAddress} characters` });
  }
  // What the portal lets a customer choose (domain/ticket/intake.ts): their own addresses,
  // the portal channel, its priorities. An address already refused above is not refused twice.
  if (customer) {
    const intake = customerIntakeErrors(
      { channel: input.channel, priority: input.priority, replyMethod, replyAddress },
      { emails: [contact?.email, viewer.email], phones: [contact?.phone] },
    );
    errors.push(...intake.filter((e) => e.field !== 'replyAddress' || !errors.some((x) => x.field === 'replyAddress')));
  }

  // The parent must be a ticket the creator may see: a customer cannot link to (or probe
  // for) another customer's tickets.
  if (input.parentId && !(await isVisibleTo(tx, viewer, input.parentId))) {
    errors.push({ field: 'parentId', message: 'no such ticket' });
  }

  const fieldCheck = validateFieldValues(
    (type?.fields ?? []).map((f) => ({ ...f, options: f.options as FieldDefinition['options'], kind: f.kind, editableBy: f.editableBy })),
    input.fieldValues ?? [],
    { audience: customer ? 'customer' : 'internal', checkRequired: true },
  );
  errors.push(...fieldCheck.errors);
  const userRefs = [...fieldCheck.values.values()].filter((v) => v.def.kind === 'USER' && typeof v.value === 'string');
  if (userRefs.length) {
    const found = new Set(
      (await tx.user.findMany({ where: { id: { in: userRefs.map((v) => v.value as string) }, role: { not: 'CUSTOMER' } }, select: { id: true } })).map((u) => u.id),
    );
    for (const v of userRefs) if (!found.has(v.value as string)) errors.push({ field: `fieldValues.${v.def.key}`, message: 'no such internal user' });
  }
  throwIfErrors(errors);
  if (!type) throw new Error('unreachable: type checked above');

  const priority = input.priority ?? type.defaultPriority;
  const ownerId = contact?.dedicatedAgentId ?? organization?.dedicatedAgentId ?? null;
  const due = await slaDue(w, { priority, typeId: type.id, tier: organization?.tier ?? null, from: now });
  const ticket = await tx.ticket.create({
    data: {
      title: title!,
      description,
      typeId: type.id,
      priority,
      tags,
      channel: input.channel ?? (customer ? 'PORTAL' : viewer.via === 'apiToken' ? 'API' : 'WEB'),
      creatorId: viewer.userId,
      organizationId: organization?.id ?? null,
      contactId: contact?.id ?? null,
      ownerId,
      replyMethod,
      replyAddress,
      parentId: input.parentId ?? null,
      firstResponseDueAt: due?.firstResponse ?? null,
      resolutionDueAt: due?.resolution ?? null,
      createdAt: now,
      lastActivityAt: now,
    },
  });
  const values = [...fieldCheck.values.values()].filter((v) => v.value !== null);
  if (values.length) {
    await tx.ticketFieldValue.createMany({
      data: values.map((v) => {
        const fieldId = (v.def as unknown as { id: string }).id;
        return {
          ticketId: ticket.id,
          fieldId,
          value: v.value as Prisma.InputJsonValue,
          userId: v.def.kind === 'USER' ? (v.value as string) : null,
        };
      }),
    });
  }
  w.rec.track(ticket.id, null);
  w.rec.record({
    ticketId: ticket.id,
    typeId: type.id,
    kind: 'CREATED',
    actorId: viewer.userId,
    visibility: 'PUBLIC',
    data: { number: ticket.number, title: ticket.title, priority, channel: ticket.channel, ownerId },
  });
  w.rec.notify([ownerId], 'OWNER_OF_NEW_TICKET');

  if (type.assignmentModes.includes('AUTO')) {
    const elig = await loadTypeEligibility(tx, type.id);
    if (elig) await autoDispatch(deps, w, ticket.id, elig);
  }
  return ticket.id;
}

/** SLA targets: the narrowest active policy wins (type and tier, then type, then tier, then priority only). */
export async function slaDue(w: Work, t: { priority: string; typeId: string; tier: 'VIP' | 'NORMAL' | null; from: Date }) {
  const policies = await w.tx.slaPolicy.findMany({
    where: { active: true, priority: t.priority as never, OR: [{ typeId: t.typeId }, { typeId: null }] },
  });
  const score = (p: (typeof policies)[number]) => (p.typeId ? 2 : 0) + (p.tier ? 1 : 0);
  const best = policies.filter((p) => p.tier === null || p.tier === t.tier).sort((a, b) => score(b) - score(a))[0];
  if (!best) return null;
  return {
    firstResponse: new Date(t.from.getTime() + best.firstResponseMinutes * 60_000),
    resolution: new Date(t.from.getTime() + best.resolutionMinutes * 60_000),
  };
}

function isVisibleTo(tx: Work['tx'], viewer: Viewer, ticketId: string): Promise<boolean> {
  return assertVisible(tx, viewer, ticketId).then(
    () => true,
    (e: unknown) => {
      if (e instanceof NotFound) return false;
      throw e;
    },
  );
}
