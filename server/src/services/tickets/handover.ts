// 移交: the assignee asks another eligible agent to take the ticket over. The target
// accepts (becomes assignee; the requester stays on as a read-only sharer) or rejects.
// The status never changes. All commands lock the ticket row first.
import { InvalidTransition, NotEligible, NotFound } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { LIMITS } from '../../domain/limits.ts';
import type { Viewer } from '../../domain/identity/viewer.ts';
import { authorize } from '../../domain/ticket/lifecycle.ts';
import { runUnitOfWork } from '../../infra/uow.ts';
import { isEligible, relationsOf } from './access.ts';
import { unshare } from './assignment.ts';
import { assertVisible, loadUser, lockForCommand, requireType, text, throwIfErrors, type TicketDeps } from './common.ts';
import { loadState, touch } from './snapshot.ts';

export function requestHandover(
  deps: TicketDeps,
  viewer: Viewer,
  input: { ticketId: string; toUserId: string; reason: string; expectedVersion?: number | null },
) {
  const errors: { field: string; message: string }[] = [];
  const reason = text(errors, 'reason', input.reason, { required: true, max: LIMITS.handover.reason });
  throwIfErrors(errors);
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('requestHandover', s.status, relationsOf(viewer, s, null));
    if (s.handovers.length) throw new InvalidTransition(s.status, 'requestHandover', 'A handover is already pending for this ticket');
    const elig = await requireType(w.tx, s.typeId);
    const target = await loadUser(w.tx, input.toUserId);
    if (!target) throw new NotEligible('No such agent');
    if (target.id === viewer.userId) throw new NotEligible('You are already the assignee');
    if (!isEligible(elig, target)) throw new NotEligible(`${target.name} is not an eligible agent for this ticket type`);
    w.rec.track(s.id, s);
    const h = await w.tx.handoverRequest.create({
      data: { ticketId: s.id, fromId: viewer.userId, toId: target.id, reason: reason!, createdAt: w.now },
    });
    await touch(w.tx, s.id, w.now);
    w.rec.record({
      ticketId: s.id,
      typeId: s.typeId,
      kind: 'HANDOVER_REQUESTED',
      actorId: viewer.userId,
      visibility: 'INTERNAL',
      data: { handoverId: h.id, fromId: viewer.userId, toId: target.id, reason },
    });
    w.rec.notify([target.id], 'HANDOVER_REQUEST', { handoverId: h.id });
    return h.id;
  });
}

/** The target takes the ticket, if the requester is still its assignee. */
export function acceptHandover(deps: TicketDeps, viewer: Viewer, handoverId: string, expectedVersion?: number | null) {
  return respond(deps, viewer, handoverId, 'accept', null, expectedVersion);
}

export function rejectHandover(deps: TicketDeps, viewer: Viewer, handoverId: string, note?: string | null, expectedVersion?: number | null) {
  return respond(deps, viewer, handoverId, 'reject', note ?? null, expectedVersion);
}

export function cancelHandover(deps: TicketDeps, viewer: Viewer, handoverId: string, expectedVersion?: number | null) {
  return respond(deps, viewer, handoverId, 'cancel', null, expectedVersion);
}

async function respond(
  deps: TicketDeps,
  viewer: Viewer,
  handoverId: string,
  action: 'accept' | 'reject' | 'cancel',
  note: string | null,
  expectedVersion?: number | null,
) {
  const errors: { field: string; message: string }[] = [];
  const responseNote = text(errors, 'note', note, { max: LIMITS.handover.note });
  throwIfErrors(errors);
  return runUnitOfWork(deps, async (w) => {
    const h = isUuid(handoverId) ? await w.tx.handoverRequest.findUnique({ where: { id: handoverId } }) : null;
    if (!h) throw new NotFound('HandoverRequest');
    await assertVisible(w.tx, viewer, h.ticketId).catch(() => {
      throw new NotFound('HandoverRequest');
    });
    const s = await loadState(w.tx, h.ticketId, { lock: true, expectedVersion });
    const command = action === 'accept' ? 'acceptHandover' : action === 'reject' ? 'rejectHandover' : 'cancelHandover';
    // A request that was answered (or cancelled by a resolve) is not pending: the relation
    // is gone, and the ticket's status may have moved on.
    if (h.status !== 'PENDING') throw new InvalidTransition(s.status, command, `The handover request is ${h.status.toLowerCase()}`);
    authorize(command, s.status, relationsOf(viewer, s, null));
    w.rec.track(s.id, s);

    if (action === 'accept') {
      // Conditional on the requester still being the assignee: otherwise nothing changes.
      const r = await w.tx.ticket.updateMany({
        where: { id: s.id, assigneeId: h.fromId, status: { in: ['PROCESSING', 'WAITING_CUSTOMER', 'WAITING_THIRD_PARTY'] } },
        data: { assigneeId: h.toId, acceptedAt: w.now, version: { increment: 1 }, lastActivityAt: w.now },
      });
      if (r.count === 0) throw new InvalidTransition(s.status, command, 'The requester is no longer the assignee');
      await w.tx.ticketSharer.upsert({
        where: { ticketId_userId: { ticketId: s.id, userId: h.fromId } },
        create: { ticketId: s.id, userId: h.fromId, reason: 'HANDOVER', createdAt: w.now },
        update: {},
      });
      await unshare(w.tx, s.id, h.toId);
    } else {
      await touch(w.tx, s.id, w.now);
    }
    await w.tx.handoverRequest.update({
      where: { id: h.id },
      data: { status: action === 'accept' ? 'ACCEPTED' : action === 'reject' ? 'REJECTED' : 'CANCELLED', respondedAt: w.now, responseNote },
    });
    const kind = action === 'accept' ? 'HANDED_OVER' : action === 'reject' ? 'HANDOVER_REJECTED' : 'HANDOVER_CANCELLED';
    w.rec.record({
      ticketId: s.id,
      typeId: s.typeId,
      kind,
      actorId: viewer.userId,
      visibility: action === 'accept' ? 'PUBLIC' : 'INTERNAL',
      data: { handoverId: h.id, fromId: h.fromId, toId: h.toId, ...(responseNote && { note: responseNote }) },
    });
    w.rec.notify([action === 'cancel' ? h.toId : h.fromId], `HANDOVER_${action.toUpperCase()}ED`.replace('CANCELED', 'CANCELLED'), { handoverId: h.id });
    return s.id;
  });
}

