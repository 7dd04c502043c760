// Who may see a ticket, and how a person relates to it. Visibility is expressed twice
// on purpose: as a Prisma `where` for lists (so lists filter in SQL) and as a predicate
// over loaded facts (for single tickets and for subscription events).
import type { Prisma, PrismaClient } from '../../infra/db/generated/client.ts';
import { isManager, isServiceRole, type Viewer } from '../../domain/identity/viewer.ts';
import { addSharer, type Relation } from '../../domain/ticket/lifecycle.ts';
import type { TicketState } from './snapshot.ts';
import type { Tx } from '../../infra/uow.ts';

type Db = PrismaClient | Tx;

/** A ticket type's assignment settings, as eligibility checks need them. */
export interface TypeEligibility {
  typeId: string;
  active: boolean;
  modes: ('AUTO' | 'MANAGER' | 'GRAB')[];
  /** 二次确认, per kind of dispatch: whether the chosen agent must accept first. */
  acceptAfter: { AUTO: boolean; MANAGER: boolean };
  acceptTimeoutSeconds: number;
  autoCloseAfterSeconds: number | null;
  /** Explicitly listed agents plus members of listed service teams; null = every agent. */
  agentIds: ReadonlySet<string> | null;
  assistTeamIds: ReadonlySet<string>;
}

/** What eligibility needs of a type, for a Prisma `include` (one statement with relationJoins). */
export const TYPE_ELIGIBILITY_INCLUDE = {
  eligibleAgents: { select: { userId: true } },
  eligibleTeams: { select: { team: { select: { members: { select: { userId: true } } } } } },
  assistTeams: { select: { teamId: true } },
} satisfies Prisma.TicketTypeInclude;

export function toTypeEligibility(t: Prisma.TicketTypeGetPayload<{ include: typeof TYPE_ELIGIBILITY_INCLUDE }>): TypeEligibility {
  const listed = t.eligibleAgents.length > 0 || t.eligibleTeams.length > 0;
  return {
    typeId: t.id,
    active: t.active,
    modes: t.assignmentModes,
    acceptAfter: { AUTO: t.acceptAfterAutoDispatch, MANAGER: t.acceptAfterManagerDispatch },
    acceptTimeoutSeconds: t.acceptTimeoutSeconds,
    autoCloseAfterSeconds: t.autoCloseAfterSeconds,
    agentIds: listed
      ? new Set([...t.eligibleAgents.map((a) => a.userId), ...t.eligibleTeams.flatMap((x) => x.team.members.map((m) => m.userId))])
      : null,
    assistTeamIds: new Set(t.assistTeams.map((a) => a.teamId)),
  };
}

export async function loadTypeEligibility(db: Db, typeId: string): Promise<TypeEligibility | null> {
  const t = await db.ticketType.findUnique({ where: { id: typeId }, include: TYPE_ELIGIBILITY_INCLUDE });
  return t ? toTypeEligibility(t) : null;
}

/** Whether `user` may serve tickets of the type (be assignee, receive a handover). */
export function isEligible(e: TypeEligibility, user: { id: string; role: string; active: boolean }): boolean {
  if (!user.active) return false;
  // With nobody listed, the type is served by every agent (管理员派单的可选人员: 所有客服人员).
  if (e.agentIds === null) return user.role === 'AGENT';
  return e.agentIds.has(user.id) && isServiceRole(user.role as Viewer['role']);
}

/** Ids of the types `userId` is eligible for; `all` when the user's role serves tickets everywhere. */
export async function eligibleTypeIds(db: Db, userId: string): Promise<string[]> {
  const types = await db.ticketType.findMany({
    where: {
      OR: [
        { eligibleAgents: { none: {} }, eligibleTeams: { none: {} } },
        { eligibleAgents: { some: { userId } } },
        { eligibleTeams: { some: { team: { members: { some: { userId } } } } } },
      ],
    },
    select: { id: true },
  });
  return types.map((t) => t.id);
}

/** The tickets `viewer` may see, as a Prisma filter. */
export function visibleWhere(viewer: Viewer, eligibleTypes: string[]): Prisma.TicketWhereInput {
  const me = viewer.userId;
  if (isManager(viewer.role)) return {};
  if (viewer.role === 'CUSTOMER') return { OR: [{ creatorId: me }, { contact: { userId: me } }] };
  const involvement: Prisma.TicketWhereInput[] = [
    { assigneeId: me },
    { creatorId: me },
    { ownerId: me },
    { sharers: { some: { userId: me } } },
    { offers: { some: { agentId: me } } },
    { handovers: { some: { toId: me } } },
    { assists: { some: { OR: [{ handlerId: me }, { requesterId: me }, { team: { members: { some: { userId: me } } } }] } } },
  ];
  // Agents see every ticket of the types they serve; staff see what they are involved in.
  if (viewer.role !== 'STAFF') involvement.push({ typeId: { in: eligibleTypes } });
  return { OR: involvement };
}

/** How `viewer` relates to a ticket, for the lifecycle table. */
export function relationsOf(
  viewer: Viewer,
  s: TicketState,
  elig: TypeEligibility | null,
  extra: { teamManagerOf?: ReadonlySet<string>; user?: { id: string; role: string; active: boolean } } = {},
): Set<Relation> {
  const me = viewer.userId;
  const r = new Set<Relation>(['anyone']);
  if (viewer.role !== 'CUSTOMER') r.add('internal');
  if (isManager(viewer.role)) r.add('manager');
  if (s.creatorId === me || s.contactUserId === me) r.add('creator');
  if (s.assigneeId === me) r.add('assignee');
  if (s.offeredTo === me) r.add('offeredAgent');
  if (s.handovers.some((h) => h.toId === me)) r.add('handoverTarget');
  if (s.handovers.some((h) => h.fromId === me)) r.add('handoverRequester');
  if (s.openAssists.some((a) => a.status === 'OPEN' && a.handlerId === me)) r.add('assistHandler');
  if (s.openAssists.some((a) => a.status === 'POOLED' && a.teamId && extra.teamManagerOf?.has(a.teamId))) r.add('assistTeamManager');
  const user = extra.user ?? { id: me, role: viewer.role, active: true };
  if (elig && elig.modes.includes('GRAB') && isEligible(elig, user)) r.add('eligibleAgent');
  return addSharer(r, s.sharerIds.includes(me));
}

/** What the visibility rule looks at, loaded for one ticket. */
export interface VisibilityFacts {
  typeId: string;
  creatorId: string;
  contactUserId: string | null;
  assigneeId: string | null;
  ownerId: string | null;
  sharerIds: string[];
  offeredAgentIds: string[];
  handoverTargetIds: string[];
  /** Handlers, requesters and members of teams of the ticket's assists. */
  assistPeopleIds: string[];
}

export const VISIBILITY_SELECT = {
  typeId: true,
  creatorId: true,
  assigneeId: true,
  ownerId: true,
  contact: { select: { userId: true } },
  sharers: { select: { userId: true } },
  offers: { select: { agentId: true } },
  handovers: { select: { toId: true } },
  assists: { select: { handlerId: true, requesterId: true, team: { select: { members: { select: { userId: true } } } } } },
} satisfies Prisma.TicketSelect;

export function toVisibilityFacts(t: Prisma.TicketGetPayload<{ select: typeof VISIBILITY_SELECT }>): VisibilityFacts {
  return {
    typeId: t.typeId,
    creatorId: t.creatorId,
    contactUserId: t.contact?.userId ?? null,
    assigneeId: t.assigneeId,
    ownerId: t.ownerId,
    sharerIds: t.sharers.map((s) => s.userId),
    offeredAgentIds: t.offers.map((o) => o.agentId),
    handoverTargetIds: t.handovers.map((h) => h.toId),
    assistPeopleIds: t.assists.flatMap((a) => [a.handlerId, a.requesterId, ...(a.team?.members.map((m) => m.userId) ?? [])]).filter((x): x is string => !!x),
  };
}

/** The same rule as visibleWhere, over loaded facts (subscriptions re-check it per event). */
export function canSee(viewer: Viewer, f: VisibilityFacts, eligibleForType: boolean): boolean {
  const me = viewer.userId;
  if (isManager(viewer.role)) return true;
  if (viewer.role === 'CUSTOMER') return f.creatorId === me || f.contactUserId === me;
  if (viewer.role !== 'STAFF' && eligibleForType) return true;
  return (
    f.assigneeId === me ||
    f.creatorId === me ||
    f.ownerId === me ||
    f.sharerIds.includes(me) ||
    f.offeredAgentIds.includes(me) ||
    f.handoverTargetIds.includes(me) ||
    f.assistPeopleIds.includes(me)
  );
}

/** The assist teams each of `userIds` manages (their pools they dispatch). */
export async function managedTeamsByUser(db: Db, userIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const rows = await db.teamMember.findMany({ where: { userId: { in: [...userIds] }, isManager: true }, select: { userId: true, teamId: true } });
  const teams = new Map<string, Set<string>>();
  for (const r of rows) {
    let set = teams.get(r.userId);
    if (!set) teams.set(r.userId, (set = new Set()));
    set.add(r.teamId);
  }
  return teams;
}
