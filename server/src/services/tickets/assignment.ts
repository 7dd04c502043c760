// Getting a ticket from the pool to an assignee: auto dispatch, manager dispatch,
// offers that wait for the agent's acceptance (二次确认), and grabbing. Every
// assignment is a conditional UPDATE on the ticket whose WHERE holds the
// precondition (still NEW, still unassigned): the database decides races.
import {
  InvalidTransition,
  NotAllowed,
  NotEligible,
  NotFound,
  StaleWrite,
  TicketAlreadyTaken,
} from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { isManager, type Viewer } from '../../domain/identity/viewer.ts';
import { route, type Candidate, type Decision } from '../../domain/assignment/strategies.ts';
import { checkActor, WORKING } from '../../domain/ticket/lifecycle.ts';
import type { QueueSnapshot } from '../../domain/ticket/queues.ts';
import { cancelJob, scheduleJob } from '../../infra/jobs/scheduler.ts';
import type { PrismaClient } from '../../infra/db/generated/client.ts';
import { runUnitOfWork, type Tx, type Work } from '../../infra/uow.ts';
import { isEligible, loadTypeEligibility, relationsOf, type TypeEligibility } from './access.ts';
import { assertVisible, loadUser, requireType, type TicketDeps } from './common.ts';
import { loadState, type TicketState } from './snapshot.ts';

export const POOL_SNAPSHOT: QueueSnapshot = { status: 'NEW', assigneeId: null, offeredTo: null, handoverTargets: [], assists: [] };

export const offerExpiryKey = (offerId: string) => `offer-expire:${offerId}`;

/** Candidates for auto dispatch with their current load. */
async function loadCandidates(w: Work, elig: TypeEligibility): Promise<Candidate[]> {
  const users = await w.tx.user.findMany({
    where:
      elig.agentIds === null
        ? { role: 'AGENT', active: true }
        : { id: { in: [...elig.agentIds] }, role: { in: ['AGENT', 'MANAGER', 'ADMIN'] }, active: true },
    select: { id: true, name: true, presence: true, capacity: true, senior: true, skills: true, lastAssignedAt: true },
  });
  const ids = users.map((u) => u.id);
  const [tickets, offers] = await Promise.all([
    w.tx.ticket.groupBy({ by: ['assigneeId'], where: { assigneeId: { in: ids }, status: { in: [...WORKING] } }, _count: { _all: true } }),
    w.tx.assignmentOffer.groupBy({ by: ['agentId'], where: { agentId: { in: ids }, status: 'PENDING' }, _count: { _all: true } }),
  ]);
  const load = new Map<string, number>();
  for (const t of tickets) if (t.assigneeId) load.set(t.assigneeId, t._count._all);
  for (const o of offers) load.set(o.agentId, (load.get(o.agentId) ?? 0) + o._count._all);
  return users.map((u) => ({
    id: u.id,
    name: u.name,
    online: u.presence === 'ONLINE',
    openTickets: load.get(u.id) ?? 0,
    capacity: u.capacity,
    senior: u.senior,
    skills: u.skills,
    lastAssignedAt: u.lastAssignedAt,
  }));
}

/**
 * 自动派单 for a ticket in the pool: pick an agent and offer or assign. When nobody is
 * available the ticket stays in the pool and the timeline says why: ROUTED for a new
 * ticket; RETURNED_TO_POOL, with the type's managers told, for one whose offers all
 * ended (`afterOffers`).
 */
export async function autoDispatch(deps: TicketDeps, w: Work, ticketId: string, elig: TypeEligibility, afterOffers = false): Promise<Decision> {
  const t = await w.tx.ticket.findUniqueOrThrow({
    where: { id: ticketId },
    select: { ownerId: true, tags: true, organization: { select: { tier: true } }, offers: { where: { status: { in: ['DECLINED', 'EXPIRED'] } }, select: { agentId: true } } },
  });
  const decision = route(
    {
      candidates: await loadCandidates(w, elig),
      dedicatedAgentId: t.ownerId,
      tier: t.organization?.tier ?? null,
      wantedSkills: t.tags,
      exclude: new Set(t.offers.map((o) => o.agentId)),
    },
    deps.strategies,
  );
  if (!decision.agentId) {
    if (afterOffers) await returnedToPool(w, ticketId, elig.typeId, null, { reasons: decision.reasons });
    else w.rec.record({ ticketId, typeId: elig.typeId, kind: 'ROUTED', actorId: null, visibility: 'INTERNAL', data: { agentId: null, reasons: decision.reasons } });
    return decision;
  }
  await assign(w, {
    ticketId,
    elig,
    agentId: decision.agentId,
    source: 'AUTO',
    actorId: null,
    reasons: decision.reasons,
  });
  return decision;
}

interface AssignArgs {
  ticketId: string;
  elig: TypeEligibility;
  agentId: string;
  source: 'AUTO' | 'MANAGER';
  actorId: string | null;
  reasons: string[];
  expectedVersion?: number | null;
}

/**
 * Dispatch or offer a pool ticket to an agent: when the type wants this kind of dispatch
 * confirmed (自动派单后 / 管理员派单后需人员确认接单) it waits in PENDING_ACCEPT for them,
 * otherwise they are the assignee at once.
 */
async function assign(w: Work, a: AssignArgs): Promise<void> {
  const { tx, now, rec } = w;
  rec.track(a.ticketId, POOL_SNAPSHOT);
  const offer = a.elig.acceptAfter[a.source];
  const r = await tx.ticket.updateMany({
    where: { id: a.ticketId, status: 'NEW', assigneeId: null, ...(a.expectedVersion != null && { version: a.expectedVersion }) },
    data: offer
      ? { status: 'PENDING_ACCEPT', version: { increment: 1 }, lastActivityAt: now }
      : { status: 'PROCESSING', assigneeId: a.agentId, acceptedAt: now, version: { increment: 1 }, lastActivityAt: now },
  });
  if (r.count === 0) await explainLostRace(w.tx, a.ticketId, 'dispatch', a.expectedVersion);
  await tx.user.update({ where: { id: a.agentId }, data: { lastAssignedAt: now } });
  if (!offer) await unshare(tx, a.ticketId, a.agentId);
  if (offer) {
    const expiresAt = new Date(now.getTime() + a.elig.acceptTimeoutSeconds * 1000);
    const o = await tx.assignmentOffer.create({
      data: { ticketId: a.ticketId, agentId: a.agentId, source: a.source, offeredById: a.actorId, reasons: a.reasons, expiresAt, createdAt: now },
    });
    await scheduleJob(tx, { kind: 'offer.expire', dedupeKey: offerExpiryKey(o.id), ticketId: a.ticketId, runAt: expiresAt, payload: { offerId: o.id } });
    rec.record({
      ticketId: a.ticketId,
      typeId: a.elig.typeId,
      kind: 'OFFERED',
      actorId: a.actorId,
      visibility: 'INTERNAL',
      data: { agentId: a.agentId, offerId: o.id, source: a.source, expiresAt: expiresAt.toISOString(), reasons: a.reasons },
    });
    rec.notify([a.agentId], 'OFFER', { offerId: o.id, expiresAt: expiresAt.toISOString() });
  } else {
    rec.record({
      ticketId: a.ticketId,
      typeId: a.elig.typeId,
      kind: 'DISPATCHED',
      actorId: a.actorId,
      visibility: 'PUBLIC',
      data: { agentId: a.agentId, source: a.source, reasons: a.reasons },
    });
    rec.notify([a.agentId], 'ASSIGNED');
  }
}

/** Whoever becomes the assignee is no read-only sharer of the ticket (any more). */
export async function unshare(tx: Tx, ticketId: string, userId: string): Promise<void> {
  await tx.ticketSharer.deleteMany({ where: { ticketId, userId } });
}

/** After a conditional write matched nothing: tell the caller precisely why. */
export async function explainLostRace(db: Tx | PrismaClient, ticketId: string, command: 'grab' | 'dispatch', expectedVersion?: number | null): Promise<never> {
  const t = await db.ticket.findUnique({
    where: { id: ticketId },
    select: { status: true, version: true, acceptedAt: true, assignee: { select: { id: true, name: true } } },
  });
  if (!t) throw new NotFound('Ticket');
  if (t.assignee) throw new TicketAlreadyTaken(t.assignee, t.acceptedAt);
  if (expectedVersion != null && t.version !== expectedVersion) throw new StaleWrite(t.version);
  throw new InvalidTransition(t.status, command);
}

/** 管理员派单: a manager sends a pool ticket to an eligible agent. */
export function dispatch(deps: TicketDeps, viewer: Viewer, input: { ticketId: string; agentId: string; expectedVersion?: number | null }) {
  return runUnitOfWork(deps, async (w) => {
    if (!isManager(viewer.role)) throw new NotAllowed('Only managers dispatch tickets');
    await assertVisible(w.tx, viewer, input.ticketId);
    const t = await w.tx.ticket.findUniqueOrThrow({ where: { id: input.ticketId }, select: { typeId: true } });
    const elig = await requireType(w.tx, t.typeId);
    const agent = await loadUser(w.tx, input.agentId);
    if (!agent) throw new NotEligible('No such agent');
    if (!isEligible(elig, agent)) throw new NotEligible(`${agent.name} is not an eligible agent for this ticket type`);
    await assign(w, {
      ticketId: input.ticketId,
      elig,
      agentId: agent.id,
      source: 'MANAGER',
      actorId: viewer.userId,
      reasons: [`dispatched by a manager`],
      expectedVersion: input.expectedVersion,
    });
    return input.ticketId;
  });
}

/** The offered agent takes the ticket. Racing the expiry timer, exactly one wins. */
export function acceptOffer(deps: TicketDeps, viewer: Viewer, offerId: string, expectedVersion?: number | null) {
  return runUnitOfWork(deps, async (w) => {
    const offer = await findOffer(w, viewer, offerId);
    const before = await loadState(w.tx, offer.ticketId, { lock: true, expectedVersion });
    if (offer.status !== 'PENDING') throw new InvalidTransition(before.status, 'acceptOffer', `The offer is ${offer.status.toLowerCase()}`);
    w.rec.track(before.id, before);
    checkActor('acceptOffer', relationsOf(viewer, before, null));
    if (offer.expiresAt <= w.now) throw new InvalidTransition('EXPIRED', 'acceptOffer', 'The offer has expired');
    const o = await w.tx.assignmentOffer.updateMany({ where: { id: offerId, status: 'PENDING' }, data: { status: 'ACCEPTED', respondedAt: w.now } });
    if (o.count === 0 || before.status !== 'PENDING_ACCEPT' || before.offerId !== offerId) {
      throw new InvalidTransition(before.status, 'acceptOffer', 'The offer is no longer open');
    }
    await w.tx.ticket.update({
      where: { id: offer.ticketId },
      data: { status: 'PROCESSING', assigneeId: viewer.userId, acceptedAt: w.now, version: { increment: 1 }, lastActivityAt: w.now },
    });
    await cancelJob(w.tx, offerExpiryKey(offerId), w.now);
    await unshare(w.tx, offer.ticketId, viewer.userId);
    w.rec.record({ ticketId: offer.ticketId, typeId: before.typeId, kind: 'OFFER_ACCEPTED', actorId: viewer.userId, visibility: 'PUBLIC', data: { offerId, agentId: viewer.userId } });
    return offer.ticketId;
  });
}

export function declineOffer(deps: TicketDeps, viewer: Viewer, offerId: string, note?: string | null, expectedVersion?: number | null) {
  return runUnitOfWork(deps, async (w) => {
    const offer = await findOffer(w, viewer, offerId);
    const before = await loadState(w.tx, offer.ticketId, { lock: true, expectedVersion });
    if (offer.status !== 'PENDING') throw new InvalidTransition(before.status, 'declineOffer', `The offer is ${offer.status.toLowerCase()}`);
    checkActor('declineOffer', relationsOf(viewer, before, null));
    await endOffer(deps, w, before, offerId, 'DECLINED', viewer.userId, note ?? null);
    return offer.ticketId;
  });
}

/** Timer: the agent did not answer in time. AUTO offers go to the next candidate, MANAGER ones back to the pool. */
export async function expireOffer(deps: TicketDeps, w: Work, offerId: string): Promise<void> {
  const offer = await w.tx.assignmentOffer.findUnique({ where: { id: offerId } });
  if (!offer) throw new NotFound('AssignmentOffer');
  const before = await loadState(w.tx, offer.ticketId, { lock: true });
  await endOffer(deps, w, before, offerId, 'EXPIRED', null, null);
}

async function endOffer(
  deps: TicketDeps,
  w: Work,
  before: TicketState,
  offerId: string,
  outcome: 'DECLINED' | 'EXPIRED',
  actorId: string | null,
  note: string | null,
) {
  w.rec.track(before.id, before);
  const o = await w.tx.assignmentOffer.updateMany({
    where: { id: offerId, status: 'PENDING' },
    data: { status: outcome, respondedAt: w.now, declineNote: note },
  });
  if (o.count === 0 || before.status !== 'PENDING_ACCEPT' || before.offerId !== offerId) {
    throw new InvalidTransition(before.status, outcome === 'DECLINED' ? 'declineOffer' : 'expireOffer', 'The offer is no longer open');
  }
  await w.tx.ticket.update({
    where: { id: before.id },
    data: { status: 'NEW', assigneeId: null, version: { increment: 1 }, lastActivityAt: w.now },
  });
  if (outcome === 'DECLINED') await cancelJob(w.tx, offerExpiryKey(offerId), w.now);
  // The ticket is back in the pool at this point, whatever routing does next.
  w.rec.record(
    {
      ticketId: before.id,
      typeId: before.typeId,
      kind: outcome === 'DECLINED' ? 'OFFER_DECLINED' : 'OFFER_EXPIRED',
      actorId,
      visibility: 'INTERNAL',
      data: { offerId, agentId: before.offeredTo, ...(note && { note }) },
    },
    POOL_SNAPSHOT,
  );
  const elig = await loadTypeEligibility(w.tx, before.typeId);
  if (before.offerSource === 'AUTO' && elig?.modes.includes('AUTO')) {
    // Re-dispatch to the next candidate; those who passed are excluded.
    await autoDispatch(deps, w, before.id, elig, true);
  } else {
    await returnedToPool(w, before.id, before.typeId, actorId, {});
  }
}

/** RETURNED_TO_POOL after the offers ended: nobody took it, so the type's managers hear of it. */
async function returnedToPool(w: Work, ticketId: string, typeId: string, actorId: string | null, data: Record<string, unknown>) {
  w.rec.record({ ticketId, typeId, kind: 'RETURNED_TO_POOL', actorId, visibility: 'INTERNAL', data });
  w.rec.notify(await typeManagers(w), 'RETURNED_TO_POOL');
}

/**
 * Who manages a type's pool: the 工单管理员 (MANAGER), who dispatch by hand. Types have
 * no managers of their own, so that is every active manager.
 */
async function typeManagers(w: Work): Promise<string[]> {
  const ms = await w.tx.user.findMany({ where: { role: 'MANAGER', active: true }, select: { id: true } });
  return ms.map((m) => m.id);
}

/** An offer on a ticket the viewer may see; whether they may act on it is the table's call. */
async function findOffer(w: Work, viewer: Viewer, offerId: string) {
  const offer = isUuid(offerId) ? await w.tx.assignmentOffer.findUnique({ where: { id: offerId } }) : null;
  if (!offer) throw new NotFound('AssignmentOffer');
  await assertVisible(w.tx, viewer, offer.ticketId).catch(() => {
    throw new NotFound('AssignmentOffer');
  });
  return offer;
}
