// Managers change who holds a ticket in progress (seed 000 §2.4: "工单管理员和工单受理人仍可
// 通过【移交】功能，变更工单指派"): a reassignment is a handover a manager decides at once,
// so, as after a handover (§6.3), the previous assignee stays on as a read-only sharer
// and the status does not change. Or a manager sends the ticket back to the pool. Both
// need a reason, which the timeline keeps (internal). Neither waits for the new agent's
// confirmation: the confirmation switches are about dispatching from the pool.
import { NotEligible, type FieldError } from '../../domain/errors.ts';
import type { Viewer } from '../../domain/identity/viewer.ts';
import { LIMITS } from '../../domain/limits.ts';
import { authorize } from '../../domain/ticket/lifecycle.ts';
import { runUnitOfWork, type Work } from '../../infra/uow.ts';
import { isEligible, relationsOf } from './access.ts';
import { unshare } from './assignment.ts';
import { loadUser, lockForCommand, requireType, text, throwIfErrors, type TicketDeps } from './common.ts';
import { resumeSla } from './progress.ts';
import type { TicketState } from './snapshot.ts';

function reasonOf(reason: string): string {
  const errors: FieldError[] = [];
  const v = text(errors, 'reason', reason, { required: true, max: LIMITS.reassign.reason });
  throwIfErrors(errors);
  return v!;
}

/** 改派: the ticket goes to another eligible agent; the previous one becomes a sharer. */
export function reassign(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; agentId: string; reason: string; expectedVersion?: number | null }) {
  const reason = reasonOf(input.reason);
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('reassign', s.status, relationsOf(viewer, s, null));
    const elig = await requireType(w.tx, s.typeId);
    const agent = await loadUser(w.tx, input.agentId);
    if (!agent) throw new NotEligible('No such agent');
    if (agent.id === s.assigneeId) throw new NotEligible(`${agent.name} is already the assignee`);
    if (!isEligible(elig, agent)) throw new NotEligible(`${agent.name} is not an eligible agent for this ticket type`);
    w.rec.track(s.id, s);
    await w.tx.ticket.update({
      where: { id: s.id },
      data: { assigneeId: agent.id, acceptedAt: w.now, version: { increment: 1 }, lastActivityAt: w.now },
    });
    await w.tx.user.update({ where: { id: agent.id }, data: { lastAssignedAt: w.now } });
    await share(w, s, s.assigneeId, 'REASSIGNED');
    await unshare(w.tx, s.id, agent.id);
    const cancelled = await cancelHandovers(w, s);
    w.rec.record({
      ticketId: s.id,
      typeId: s.typeId,
      kind: 'REASSIGNED',
      actorId: viewer.userId,
      visibility: 'INTERNAL',
      data: { fromId: s.assigneeId, toId: agent.id, reason },
    });
    w.rec.notify([s.assigneeId], 'REASSIGNED', { toId: agent.id });
    w.rec.notify([agent.id], 'ASSIGNED');
    w.rec.notify(cancelled, 'HANDOVER_CANCELLED');
    return s.id;
  });
}

/** 退回待分配: the ticket waits in the pool again, with nobody working on it. */
export function returnToPool(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; reason: string; expectedVersion?: number | null }) {
  const reason = reasonOf(input.reason);
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('returnToPool', s.status, relationsOf(viewer, s, null));
    w.rec.track(s.id, s);
    // Assists help the assignee, and a handover hands over what they hold: both end.
    const cancelled = await cancelHandovers(w, s);
    if (s.openAssists.length) {
      await w.tx.assistRequest.updateMany({ where: { ticketId: s.id, status: { in: ['OPEN', 'POOLED'] } }, data: { status: 'CANCELLED', completedAt: w.now } });
    }
    await w.tx.ticket.update({
      where: { id: s.id },
      data: {
        status: 'NEW',
        assigneeId: null,
        acceptedAt: null,
        version: { increment: 1 },
        lastActivityAt: w.now,
        ...(s.status === 'WAITING_CUSTOMER' && (await resumeSla(w.tx, s.id, w.now))),
      },
    });
    await share(w, s, s.assigneeId, 'RETURNED_TO_POOL');
    w.rec.record({
      ticketId: s.id,
      typeId: s.typeId,
      kind: 'RETURNED_TO_POOL',
      actorId: viewer.userId,
      visibility: 'INTERNAL',
      data: { fromId: s.assigneeId, reason },
    });
    w.rec.notify([s.assigneeId, ...s.openAssists.map((a) => a.handlerId), ...cancelled], 'RETURNED_TO_POOL');
    return s.id;
  });
}

/** Whoever held the ticket keeps read access to what they worked on. */
async function share(w: Work, s: TicketState, userId: string | null, why: string) {
  if (!userId) return;
  await w.tx.ticketSharer.upsert({
    where: { ticketId_userId: { ticketId: s.id, userId } },
    create: { ticketId: s.id, userId, reason: why, createdAt: w.now },
    update: {},
  });
}

/** Ends pending handovers (asked by the previous assignee); returns who was asked. */
async function cancelHandovers(w: Work, s: TicketState): Promise<string[]> {
  if (!s.handovers.length) return [];
  await w.tx.handoverRequest.updateMany({ where: { ticketId: s.id, status: 'PENDING' }, data: { status: 'CANCELLED', respondedAt: w.now } });
  return s.handovers.map((h) => h.toId);
}
