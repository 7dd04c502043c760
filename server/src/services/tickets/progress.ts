// Working a ticket to its end: waiting states (the SLA clock pauses while waiting on
// the customer), 办结 with a resolution reply that goes out by the creator's reply
// method, reopening, closing (by a manager, or by timer after the type's delay),
// rating, and editing fields the type allows to be edited after submit.
import type { Prisma } from '../../infra/db/generated/client.ts';
import { InvalidTransition, NotAllowed, ValidationFailed } from '../../domain/errors.ts';
import { isManager, type Viewer } from '../../domain/identity/viewer.ts';
import { LIMITS } from '../../domain/limits.ts';
import { validateFieldValues, type FieldDefinition, type FieldValueInput } from '../../domain/ticket-type/template.ts';
import { authorize, nextStatus, type TicketStatus } from '../../domain/ticket/lifecycle.ts';
import { cancelJob, scheduleJob } from '../../infra/jobs/scheduler.ts';
import { runUnitOfWork, type Tx, type Work } from '../../infra/uow.ts';
import { relationsOf, loadTypeEligibility } from './access.ts';
import { displayNumber, lockForCommand, text, throwIfErrors, type TicketDeps } from './common.ts';
import { loadState, type TicketState } from './snapshot.ts';
import { offerExpiryKey } from './assignment.ts';

export const autoCloseKey = (ticketId: string) => `auto-close:${ticketId}`;

/** Entering WAITING_CUSTOMER stops the SLA clock. */
export function pauseSla(now: Date) {
  return { slaPausedAt: now };
}

/** Leaving WAITING_CUSTOMER: the paused time is added, and the due times move by it. */
export async function resumeSla(tx: Tx, ticketId: string, now: Date) {
  const t = await tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { slaPausedAt: true, firstResponseDueAt: true, resolutionDueAt: true, firstRespondedAt: true } });
  if (!t.slaPausedAt) return {};
  const paused = Math.max(0, now.getTime() - t.slaPausedAt.getTime());
  const shift = (d: Date | null) => (d ? new Date(d.getTime() + paused) : null);
  return {
    slaPausedAt: null,
    slaPausedSeconds: { increment: Math.round(paused / 1000) },
    resolutionDueAt: shift(t.resolutionDueAt),
    ...(!t.firstRespondedAt && { firstResponseDueAt: shift(t.firstResponseDueAt) }),
  };
}

export function setStatus(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; status: TicketStatus; expectedVersion?: number | null }) {
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('setStatus', s.status, relationsOf(viewer, s, null));
    const to = nextStatus('setStatus', s.status, input.status);
    w.rec.track(s.id, s);
    const data: Prisma.TicketUpdateInput = { status: to, version: { increment: 1 }, lastActivityAt: w.now };
    if (to === 'WAITING_CUSTOMER') Object.assign(data, pauseSla(w.now));
    if (s.status === 'WAITING_CUSTOMER') Object.assign(data, await resumeSla(w.tx, s.id, w.now));
    await w.tx.ticket.update({ where: { id: s.id }, data });
    w.rec.record({ ticketId: s.id, typeId: s.typeId, kind: 'STATUS_CHANGED', actorId: viewer.userId, visibility: 'PUBLIC', data: { from: s.status, to } });
    if (to === 'WAITING_CUSTOMER') w.rec.notify([s.creatorId, s.contactUserId], 'WAITING_FOR_YOU');
    return s.id;
  });
}

/** Ends offers, handovers and assists that make no sense on a finished ticket. */
async function settleOpenWork(w: Work, s: TicketState) {
  if (s.offerId) {
    await w.tx.assignmentOffer.updateMany({ where: { id: s.offerId, status: 'PENDING' }, data: { status: 'CANCELLED', respondedAt: w.now } });
    await cancelJob(w.tx, offerExpiryKey(s.offerId), w.now);
  }
  if (s.handovers.length) {
    await w.tx.handoverRequest.updateMany({ where: { ticketId: s.id, status: 'PENDING' }, data: { status: 'CANCELLED', respondedAt: w.now } });
  }
  if (s.openAssists.length) {
    await w.tx.assistRequest.updateMany({ where: { ticketId: s.id, status: { in: ['OPEN', 'POOLED'] } }, data: { status: 'CANCELLED', completedAt: w.now } });
  }
  return [...s.handovers.map((h) => h.toId), ...s.openAssists.map((a) => a.handlerId), s.offeredTo];
}

/** 办结: only the assignee, with a resolution reply that is queued for delivery to the creator. */
export function resolve(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; resolution: string; expectedVersion?: number | null }) {
  const errors: { field: string; message: string }[] = [];
  const resolution = text(errors, 'resolution', input.resolution, { required: true, max: LIMITS.ticket.resolution });
  throwIfErrors(errors);
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('resolve', s.status, relationsOf(viewer, s, null));
    w.rec.track(s.id, s);
    const affected = await settleOpenWork(w, s);
    const data: Prisma.TicketUpdateInput = { status: 'RESOLVED', resolution, resolvedAt: w.now, version: { increment: 1 }, lastActivityAt: w.now };
    if (s.status === 'WAITING_CUSTOMER') Object.assign(data, await resumeSla(w.tx, s.id, w.now));
    const t = await w.tx.ticket.update({ where: { id: s.id }, data, include: { creator: { select: { email: true } } } });
    // Nothing is lost: the reply waits in the outbox until a sender delivers it.
    await w.tx.outboxMessage.create({
      data: {
        channel: t.replyMethod ?? 'IM',
        recipient: t.replyAddress ?? (t.replyMethod === 'IM' || !t.replyMethod ? t.creatorId : t.creator.email),
        subject: `${displayNumber(t.number)} ${t.title}`,
        body: resolution!,
        payload: { kind: 'RESOLVED', ticketId: t.id, number: displayNumber(t.number) },
        ticketId: t.id,
        createdAt: w.now,
        nextAttemptAt: w.now,
      },
    });
    const elig = await loadTypeEligibility(w.tx, s.typeId);
    if (elig?.autoCloseAfterSeconds) {
      await scheduleJob(w.tx, { kind: 'ticket.autoClose', dedupeKey: autoCloseKey(s.id), ticketId: s.id, runAt: new Date(w.now.getTime() + elig.autoCloseAfterSeconds * 1000) });
    }
    w.rec.record({ ticketId: s.id, typeId: s.typeId, kind: 'RESOLVED', actorId: viewer.userId, visibility: 'PUBLIC', data: { resolution } });
    w.rec.notify([s.creatorId, s.contactUserId], 'RESOLVED');
    w.rec.notify(affected, 'TICKET_RESOLVED');
    return s.id;
  });
}

/** "Not solved": back to PROCESSING with the same assignee. */
export function reopen(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; reason?: string | null; expectedVersion?: number | null }) {
  const errors: { field: string; message: string }[] = [];
  const reason = text(errors, 'reason', input.reason, { max: LIMITS.ticket.reason });
  throwIfErrors(errors);
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('reopen', s.status, relationsOf(viewer, s, null));
    w.rec.track(s.id, s);
    await w.tx.ticket.update({ where: { id: s.id }, data: { status: 'PROCESSING', resolvedAt: null, version: { increment: 1 }, lastActivityAt: w.now } });
    await cancelJob(w.tx, autoCloseKey(s.id), w.now);
    w.rec.record({ ticketId: s.id, typeId: s.typeId, kind: 'REOPENED', actorId: viewer.userId, visibility: 'PUBLIC', data: { ...(reason && { reason }) } });
    w.rec.notify([s.assigneeId], 'REOPENED');
    return s.id;
  });
}

/** A manager closes a ticket (e.g. 无需处理). CLOSED is final. */
export function close(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; reason?: string | null; expectedVersion?: number | null }) {
  const errors: { field: string; message: string }[] = [];
  const reason = text(errors, 'reason', input.reason, { max: LIMITS.ticket.reason });
  throwIfErrors(errors);
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('close', s.status, relationsOf(viewer, s, null));
    await closeLocked(w, s, viewer.userId, reason);
    return s.id;
  });
}

/** 用户确认: the creator confirms the resolution, which closes the ticket. */
export function confirmResolution(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; expectedVersion?: number | null }) {
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('confirmResolution', s.status, relationsOf(viewer, s, null));
    await closeLocked(w, s, viewer.userId, 'resolution confirmed by the customer');
    return s.id;
  });
}

/** Timer: a resolved ticket closes by itself after the type's delay. */
export async function autoClose(w: Work, ticketId: string): Promise<void> {
  const s = await loadState(w.tx, ticketId, { lock: true });
  authorize('autoClose', s.status, new Set(['system']));
  await closeLocked(w, s, null, 'closed automatically after resolution');
}

async function closeLocked(w: Work, s: TicketState, actorId: string | null, reason: string | null) {
  w.rec.track(s.id, s);
  const affected = await settleOpenWork(w, s);
  const data: Prisma.TicketUpdateInput = { status: 'CLOSED', closedAt: w.now, version: { increment: 1 }, lastActivityAt: w.now };
  if (s.status === 'WAITING_CUSTOMER') Object.assign(data, await resumeSla(w.tx, s.id, w.now));
  await w.tx.ticket.update({ where: { id: s.id }, data });
  await cancelJob(w.tx, autoCloseKey(s.id), w.now);
  w.rec.record({ ticketId: s.id, typeId: s.typeId, kind: 'CLOSED', actorId, visibility: 'PUBLIC', data: { from: s.status, ...(reason && { reason }) } });
  w.rec.notify([s.assigneeId, s.creatorId, ...affected], 'CLOSED');
}

/** The creator rates a resolved or closed ticket, once (the database holds one rating per ticket). */
export function rate(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; score: number; comment?: string | null; expectedVersion?: number | null }) {
  const errors: { field: string; message: string }[] = [];
  if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) errors.push({ field: 'score', message: 'must be 1 to 5' });
  const comment = text(errors, 'comment', input.comment, { max: LIMITS.rating.comment });
  throwIfErrors(errors);
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('rate', s.status, relationsOf(viewer, s, null));
    const existing = await w.tx.rating.findUnique({ where: { ticketId: s.id }, select: { id: true } });
    if (existing) throw new NotAllowed('This ticket has already been rated');
    await w.tx.rating.create({ data: { ticketId: s.id, raterId: viewer.userId, score: input.score, comment, createdAt: w.now } });
    await w.tx.ticket.update({ where: { id: s.id }, data: { version: { increment: 1 }, lastActivityAt: w.now } });
    w.rec.record({ ticketId: s.id, typeId: s.typeId, kind: 'RATED', actorId: viewer.userId, visibility: 'PUBLIC', data: { score: input.score, ...(comment && { comment }) } });
    w.rec.notify([s.assigneeId], 'RATED', { score: input.score });
    return s.id;
  });
}

/** The assignee invites the creator to rate (邀请评价). */
export function inviteRating(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; expectedVersion?: number | null }) {
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('inviteRating', s.status, relationsOf(viewer, s, null));
    if (await w.tx.rating.findUnique({ where: { ticketId: s.id }, select: { id: true } })) {
      throw new InvalidTransition(s.status, 'inviteRating', 'The ticket is already rated');
    }
    const t = await w.tx.ticket.update({ where: { id: s.id }, data: { ratingInvitedAt: w.now, version: { increment: 1 } } });
    await w.tx.outboxMessage.create({
      data: {
        channel: t.replyMethod ?? 'IM',
        recipient: t.replyAddress ?? t.creatorId,
        subject: `${displayNumber(t.number)} 邀请您评价`,
        body: `请为工单 ${displayNumber(t.number)}「${t.title}」的服务评分。`,
        payload: { kind: 'RATING_INVITED', ticketId: t.id },
        ticketId: t.id,
        createdAt: w.now,
        nextAttemptAt: w.now,
      },
    });
    w.rec.record({ ticketId: s.id, typeId: s.typeId, kind: 'RATING_INVITED', actorId: viewer.userId, visibility: 'PUBLIC' });
    w.rec.notify([s.creatorId, s.contactUserId], 'RATING_INVITED');
    return s.id;
  });
}

/** 编辑工单内容: only fields the type marks editable after submit, by the editors it names. */
export function updateFields(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; values: FieldValueInput[]; expectedVersion?: number | null }) {
  if (input.values.length === 0) throw ValidationFailed.one('values', 'change at least one field');
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    const customer = viewer.role === 'CUSTOMER';
    const defs = await w.tx.ticketField.findMany({ where: { typeId: s.typeId } });
    const check = validateFieldValues(
      defs.map((d) => ({ ...d, options: d.options as FieldDefinition['options'] })),
      input.values,
      { audience: customer ? 'customer' : 'internal', checkRequired: false, path: 'values' },
    );
    const creator = s.creatorId === viewer.userId || s.contactUserId === viewer.userId;
    const mayEdit = (def: FieldDefinition) =>
      def.editableAfterSubmit &&
      ((def.editableBy.includes('CREATOR') && creator) ||
        (def.editableBy.includes('ASSIGNEE') && s.assigneeId === viewer.userId) ||
        (def.editableBy.includes('MANAGER') && isManager(viewer.role)));
    const submitted = [...check.values.values()].map((v) => v.def);
    // 'fieldEditor': you may edit at least one of the fields you sent. Someone who may
    // edit none of them is refused outright; a mix is a per-field input problem.
    const rel = relationsOf(viewer, s, null);
    if (submitted.some(mayEdit)) rel.add('fieldEditor');
    if (submitted.some((d) => d.editableAfterSubmit)) authorize('updateFields', s.status, rel);
    for (const def of submitted) {
      if (!mayEdit(def)) check.errors.push({ field: `values.${def.key}`, message: def.editableAfterSubmit ? 'you may not edit this field' : 'cannot be changed after submit' });
    }
    throwIfErrors(check.errors);
    authorize('updateFields', s.status, rel);
    w.rec.track(s.id, s);

    const old = new Map((await w.tx.ticketFieldValue.findMany({ where: { ticketId: s.id } })).map((v) => [v.fieldId, v.value]));
    const changes: { key: string; label: string; from: unknown; to: unknown; customerVisible: boolean }[] = [];
    for (const [key, { def, value }] of check.values) {
      const id = (def as unknown as { id: string }).id;
      const from = old.get(id) ?? null;
      if (JSON.stringify(from) === JSON.stringify(value)) continue;
      changes.push({ key, label: def.label, from, to: value, customerVisible: def.customerVisible });
      if (value === null) await w.tx.ticketFieldValue.deleteMany({ where: { ticketId: s.id, fieldId: id } });
      else {
        const v = { value: value as Prisma.InputJsonValue, userId: def.kind === 'USER' ? (value as string) : null };
        await w.tx.ticketFieldValue.upsert({ where: { ticketId_fieldId: { ticketId: s.id, fieldId: id } }, create: { ticketId: s.id, fieldId: id, ...v }, update: v });
      }
    }
    if (changes.length === 0) return s.id;
    await w.tx.ticket.update({ where: { id: s.id }, data: { version: { increment: 1 }, lastActivityAt: w.now } });
    // The timeline keeps old → new; customers see the event only when every change is visible to them.
    w.rec.record({
      ticketId: s.id,
      typeId: s.typeId,
      kind: 'FIELDS_UPDATED',
      actorId: viewer.userId,
      visibility: changes.every((c) => c.customerVisible) ? 'PUBLIC' : 'INTERNAL',
      data: { changes: changes.map(({ customerVisible: _c, ...c }) => c) },
    });
    return s.id;
  });
}
