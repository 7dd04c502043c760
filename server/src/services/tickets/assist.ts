// 转办: asking a colleague or an assist team for help without changing the assignee.
// Team requests are assigned round robin inside the team (rule AUTO) or wait in the
// team's assist pool for a team manager (rule MANAGER). The handler completes with a
// reply, or forwards the request on. The ticket's status never changes.
import { InvalidTransition, NotAllowed, NotEligible, NotFound, ValidationFailed } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { LIMITS } from '../../domain/limits.ts';
import { isInternal, isManager, type Viewer } from '../../domain/identity/viewer.ts';
import { authorize } from '../../domain/ticket/lifecycle.ts';
import { runUnitOfWork, type Work } from '../../infra/uow.ts';
import { relationsOf, loadTypeEligibility, managedTeamsByUser } from './access.ts';
import { assertVisible, loadUser, lockForCommand, text, throwIfErrors, type TicketDeps } from './common.ts';
import { loadState, touch, type TicketState } from './snapshot.ts';

export interface AssistTarget {
  toUserId?: string | null;
  toTeamId?: string | null;
}

function checkTarget(t: AssistTarget) {
  if (!!t.toUserId === !!t.toTeamId) throw ValidationFailed.one('toUserId', 'give exactly one of toUserId or toTeamId');
}

export function requestAssist(deps: TicketDeps, viewer: Viewer, input: AssistTarget & { ticketId: string; note: string; expectedVersion?: number | null }) {
  const errors: { field: string; message: string }[] = [];
  const note = text(errors, 'note', input.note, { required: true, max: LIMITS.assist.note });
  throwIfErrors(errors);
  checkTarget(input);
  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('requestAssist', s.status, relationsOf(viewer, s, null));
    w.rec.track(s.id, s);
    const id = await openAssist(w, s, viewer.userId, input, note!, null);
    await touch(w.tx, s.id, w.now);
    return id;
  });
}

/** Creates the request and routes it: to a person, round robin in an AUTO team, or a team's pool. */
async function openAssist(w: Work, s: TicketState, requesterId: string, target: AssistTarget, note: string, previousId: string | null): Promise<string> {
  let handlerId: string | null = null;
  let teamId: string | null = null;
  let teamName: string | null = null;
  if (target.toUserId) {
    const u = await loadUser(w.tx, target.toUserId);
    if (!u || !u.active || !isInternal(u.role as Viewer['role'])) throw new NotEligible('Assists go to active internal people');
    if (u.id === requesterId) throw new NotEligible('You cannot ask yourself for help');
    handlerId = u.id;
  } else {
    const team = isUuid(target.toTeamId) ? await w.tx.team.findUnique({ where: { id: target.toTeamId! }, include: { members: { include: { user: true } } } }) : null;
    if (!team || team.kind !== 'ASSIST') throw new NotEligible('No such assist team');
    const elig = await loadTypeEligibility(w.tx, s.typeId);
    if (elig && elig.assistTeamIds.size > 0 && !elig.assistTeamIds.has(team.id)) {
      throw new NotEligible(`Tickets of this type are not transferred to ${team.name}`);
    }
    teamId = team.id;
    teamName = team.name;
    if (team.assistRule === 'AUTO') {
      const pick = team.members
        .filter((m) => m.user.active && m.userId !== requesterId)
        .sort((a, b) => (a.lastAssistedAt?.getTime() ?? 0) - (b.lastAssistedAt?.getTime() ?? 0) || a.userId.localeCompare(b.userId))[0];
      if (pick) {
        handlerId = pick.userId;
        await w.tx.teamMember.update({ where: { teamId_userId: { teamId: team.id, userId: pick.userId } }, data: { lastAssistedAt: w.now } });
      }
    }
  }
  const a = await w.tx.assistRequest.create({
    data: { ticketId: s.id, requesterId, teamId, handlerId, note, status: handlerId ? 'OPEN' : 'POOLED', previousId, createdAt: w.now },
  });
  w.rec.record({
    ticketId: s.id,
    typeId: s.typeId,
    kind: previousId ? 'ASSIST_FORWARDED' : 'ASSIST_REQUESTED',
    actorId: requesterId,
    visibility: 'INTERNAL',
    data: { assistId: a.id, handlerId, teamId, teamName, note, ...(previousId && { previousId }) },
  });
  if (handlerId) w.rec.notify([handlerId], 'ASSIST_REQUEST', { assistId: a.id });
  else if (teamId) w.rec.notify(await teamManagers(w, teamId), 'ASSIST_POOLED', { assistId: a.id });
  return a.id;
}

async function teamManagers(w: Work, teamId: string): Promise<string[]> {
  const ms = await w.tx.teamMember.findMany({ where: { teamId, isManager: true }, select: { userId: true } });
  return ms.map((m) => m.userId);
}

async function findAssist(w: Work, viewer: Viewer, assistId: string, expectedVersion?: number | null) {
  const a = isUuid(assistId) ? await w.tx.assistRequest.findUnique({ where: { id: assistId } }) : null;
  if (!a) throw new NotFound('AssistRequest');
  const s = await loadState(w.tx, a.ticketId, { lock: true, expectedVersion });
  const managed = a.teamId
    ? ((await managedTeamsByUser(w.tx, [viewer.userId])).get(viewer.userId) ?? new Set<string>())
    : new Set<string>();
  // Team managers may not see the ticket otherwise: the pooled request is how they get to it.
  if (!(a.teamId && managed.has(a.teamId))) {
    await assertVisible(w.tx, viewer, a.ticketId).catch(() => {
      throw new NotFound('AssistRequest');
    });
  }
  return { a, s, managed };
}

/** A team manager (or a manager) hands a pooled request to a member of the team. */
export function dispatchAssist(deps: TicketDeps, viewer: Viewer, input: { assistId: string; toUserId: string; expectedVersion?: number | null }) {
  return runUnitOfWork(deps, async (w) => {
    const { a, s, managed } = await findAssist(w, viewer, input.assistId, input.expectedVersion);
    if (a.status !== 'POOLED') throw new InvalidTransition(s.status, 'dispatchAssist', `The assist request is ${a.status.toLowerCase()}`);
    const rel = relationsOf(viewer, s, null, { teamManagerOf: isManager(viewer.role) ? new Set([a.teamId!]) : managed });
    authorize('dispatchAssist', s.status, rel);
    const member = isUuid(input.toUserId)
      ? await w.tx.teamMember.findUnique({ where: { teamId_userId: { teamId: a.teamId!, userId: input.toUserId } }, include: { user: true } })
      : null;
    if (!member || !member.user.active) throw new NotEligible('Assists in the pool go to members of the team');
    w.rec.track(s.id, s);
    const r = await w.tx.assistRequest.updateMany({ where: { id: a.id, status: 'POOLED' }, data: { status: 'OPEN', handlerId: member.userId } });
    if (r.count === 0) throw new InvalidTransition(s.status, 'dispatchAssist', 'The assist request was dispatched meanwhile');
    await w.tx.teamMember.update({ where: { teamId_userId: { teamId: a.teamId!, userId: member.userId } }, data: { lastAssistedAt: w.now } });
    await touch(w.tx, s.id, w.now);
    w.rec.record({ ticketId: s.id, typeId: s.typeId, kind: 'ASSIST_DISPATCHED', actorId: viewer.userId, visibility: 'INTERNAL', data: { assistId: a.id, handlerId: member.userId } });
    w.rec.notify([member.userId], 'ASSIST_REQUEST', { assistId: a.id });
    return a.id;
  });
}

/** The handler answers; the assignee (and the requester) are told. */
export function completeAssist(deps: TicketDeps, viewer: Viewer, input: { assistId: string; reply: string; expectedVersion?: number | null }) {
  const errors: { field: string; message: string }[] = [];
  const reply = text(errors, 'reply', input.reply, { required: true, max: LIMITS.assist.reply });
  throwIfErrors(errors);
  return runUnitOfWork(deps, async (w) => {
    const { a, s } = await findAssist(w, viewer, input.assistId, input.expectedVersion);
    if (a.status !== 'OPEN' || a.handlerId !== viewer.userId) {
      if (a.status !== 'OPEN') throw new InvalidTransition(s.status, 'completeAssist', `The assist request is ${a.status.toLowerCase()}`);
      throw new NotAllowed('Only the person handling the assist can complete it');
    }
    authorize('completeAssist', s.status, relationsOf(viewer, s, null));
    w.rec.track(s.id, s);
    await w.tx.assistRequest.update({ where: { id: a.id }, data: { status: 'COMPLETED', reply, completedAt: w.now } });
    await touch(w.tx, s.id, w.now);
    w.rec.record({ ticketId: s.id, typeId: s.typeId, kind: 'ASSIST_COMPLETED', actorId: viewer.userId, visibility: 'INTERNAL', data: { assistId: a.id, reply } });
    w.rec.notify([s.assigneeId, a.requesterId], 'ASSIST_COMPLETED', { assistId: a.id });
    return a.id;
  });
}

/** The handler passes the request on (再次转办); the new request continues it. */
export function forwardAssist(deps: TicketDeps, viewer: Viewer, input: AssistTarget & { assistId: string; note: string; expectedVersion?: number | null }) {
  const errors: { field: string; message: string }[] = [];
  const note = text(errors, 'note', input.note, { required: true, max: LIMITS.assist.note });
  throwIfErrors(errors);
  checkTarget(input);
  return runUnitOfWork(deps, async (w) => {
    const { a, s } = await findAssist(w, viewer, input.assistId, input.expectedVersion);
    if (a.status !== 'OPEN') throw new InvalidTransition(s.status, 'forwardAssist', `The assist request is ${a.status.toLowerCase()}`);
    if (a.handlerId !== viewer.userId) throw new NotAllowed('Only the person handling the assist can forward it');
    authorize('forwardAssist', s.status, relationsOf(viewer, s, null));
    w.rec.track(s.id, s);
    await w.tx.assistRequest.update({ where: { id: a.id }, data: { status: 'FORWARDED', completedAt: w.now } });
    const id = await openAssist(w, s, viewer.userId, input, note!, a.id);
    await touch(w.tx, s.id, w.now);
    return id;
  });
}
