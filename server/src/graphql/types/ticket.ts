import { displayNumber } from '../../services/tickets/common.ts';
import { relationsOf, visibleWhere } from '../../services/tickets/access.ts';
import { isUuid } from '../../domain/ids.ts';
import type { TicketState } from '../../services/tickets/snapshot.ts';
import { isInternal, isManager } from '../../domain/identity/viewer.ts';
import { availability, LIFECYCLE, TICKET_STATUSES, type Command, type Relation } from '../../domain/ticket/lifecycle.ts';
import { PRIORITIES } from '../../services/settings/ticket-types.ts';
import type { Prisma } from '../../infra/db/generated/client.ts';
import { builder } from '../builder.ts';
import { enumList, list, text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import type { Context } from '../context.ts';
import { VIEWER_SPECIFIC } from '../fanout.ts';
import { internalOnly, internalOnlyList } from '../internal-only.ts';
import { PriorityEnum } from './enums.ts';
import { OrganizationRef } from './organization.ts';
import { TicketTypeRef } from './ticket-type.ts';
import { UserRef } from './user.ts';
import { CommentRef } from './comment.ts';
import { AssignmentOfferRef } from './assignment-offer.ts';

export const TicketStatusEnum = builder.enumType('TicketStatus', {
  description: 'Where a ticket is in its lifecycle.',
  values: {
    NEW: { description: '待分配: in the pool, waiting for dispatch or a grab.' },
    PENDING_ACCEPT: { description: '待接单: offered to an agent who has to accept.' },
    PROCESSING: { description: '处理中: an assignee is working on it.' },
    WAITING_CUSTOMER: { description: '等待回复: waiting on the customer; the SLA clock is paused.' },
    WAITING_THIRD_PARTY: { description: 'Waiting on a third party.' },
    RESOLVED: { description: '已解决: resolved; the customer may confirm or reopen.' },
    CLOSED: { description: '已关闭: final.' },
  } satisfies Record<(typeof TICKET_STATUSES)[number], unknown>,
});

export const ChannelEnum = builder.enumType('Channel', {
  description: 'Where the ticket came from.',
  values: ['WEB', 'PORTAL', 'EMAIL', 'CHAT', 'PHONE', 'API', 'OFFLINE_MESSAGE'] as const,
});

export const ReplyMethodEnum = builder.enumType('ReplyMethod', {
  description: '回复方式: how progress and the resolution reach the creator.',
  values: { SMS: {}, EMAIL: {}, IM: { description: 'In-app notification.' } },
});

export const TicketRelationEnum = builder.enumType('TicketRelation', {
  description: 'How the viewer relates to a ticket.',
  values: ['CREATOR', 'ASSIGNEE', 'OWNER', 'SHARER', 'OFFERED', 'HANDOVER_TARGET', 'HANDOVER_REQUESTER', 'ASSIST_HANDLER', 'ELIGIBLE_AGENT', 'MANAGER'] as const,
});

const COMMANDS = Object.keys(LIFECYCLE).filter((c) => !['create', 'expireOffer', 'autoClose', 'offer', 'dispatchAssist'].includes(c)) as Command[];
export const TicketCommandEnum = builder.enumType('TicketCommand', {
  description: 'Something a person can do to a ticket (see `Ticket.actions`).',
  values: COMMANDS.map((c) => c.replace(/[A-Z]/g, (x) => `_${x}`).toUpperCase()),
});
const commandName = (c: Command) => c.replace(/[A-Z]/g, (x) => `_${x}`).toUpperCase();

export const HandlingPerspectiveEnum = builder.enumType('HandlingPerspective', {
  description: '工单处理用时 is measured two ways.',
  values: {
    CREATOR: { description: 'From creation to resolution: how long the customer waited.' },
    AGENT: { description: 'From when the current assignee took the ticket to resolution: the agent\'s working time.' },
  },
});

interface TicketActionShape {
  command: string;
  allowed: boolean;
  reason: string | null;
}
const TicketActionRef = builder.objectRef<TicketActionShape>('TicketAction').implement({
  description: 'Whether the viewer may run a command now, and if not, why (for enabling buttons).',
  fields: (t) => ({
    command: t.field({ type: TicketCommandEnum, resolve: (a) => a.command as never }),
    allowed: t.exposeBoolean('allowed'),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

/** What relations and actions need from the ticket, selected into the same query. */
const STATE_SELECT = {
  id: true,
  version: true,
  status: true,
  typeId: true,
  creatorId: true,
  assigneeId: true,
  ownerId: true,
  number: true,
  contact: { select: { userId: true } },
  sharers: { select: { userId: true } },
  rating: { select: { id: true } },
  offers: { where: { status: 'PENDING' }, select: { id: true, agentId: true, source: true } },
  handovers: { where: { status: 'PENDING' }, select: { id: true, fromId: true, toId: true } },
  assists: { where: { status: { in: ['OPEN', 'POOLED'] } }, select: { id: true, handlerId: true, teamId: true, requesterId: true, status: true } },
} satisfies Prisma.TicketSelect;
type StateRow = Prisma.TicketGetPayload<{ select: typeof STATE_SELECT }>;

/** What Ticket.actions needs besides the state: who may edit which fields after submit. */
const ACTIONS_SELECT = {
  ...STATE_SELECT,
  type: { select: { fields: { where: { archived: false, editableAfterSubmit: true }, select: { editableBy: true } } } },
} satisfies Prisma.TicketSelect;

function mayEditField(editableBy: readonly string[], rel: ReadonlySet<Relation>, role: Parameters<typeof isManager>[0]): boolean {
  return editableBy.some((e) => (e === 'CREATOR' && rel.has('creator')) || (e === 'ASSIGNEE' && rel.has('assignee')) || (e === 'MANAGER' && isManager(role)));
}

function toState(t: StateRow): TicketState {
  const offer = t.offers[0] ?? null;
  const openAssists = t.assists.map((a) => ({ ...a, status: a.status as 'OPEN' | 'POOLED' }));
  return {
    id: t.id,
    version: t.version,
    status: t.status,
    typeId: t.typeId,
    creatorId: t.creatorId,
    assigneeId: t.assigneeId,
    ownerId: t.ownerId,
    number: t.number,
    contactUserId: t.contact?.userId ?? null,
    offerId: offer?.id ?? null,
    offerSource: offer?.source ?? null,
    offeredTo: offer?.agentId ?? null,
    handovers: t.handovers,
    handoverTargets: t.handovers.map((h) => h.toId),
    sharerIds: t.sharers.map((x) => x.userId),
    openAssists,
    assists: openAssists.map((a) => ({ handlerId: a.handlerId, teamId: a.teamId, pooled: a.status === 'POOLED' })),
  };
}

async function viewerRelations(t: StateRow, ctx: Context): Promise<Set<Relation>> {
  const v = ctx.viewer!;
  const pooled = t.assists.filter((a) => a.status === 'POOLED' && a.teamId).map((a) => a.teamId!);
  const [elig, managed] = await Promise.all([
    ctx.loaders.typeEligibility.load(t.typeId),
    // Team management matters only for pooled assists; most tickets have none.
    pooled.length && !isManager(v.role) ? ctx.loaders.managedTeamIds.load(v.userId) : Promise.resolve(new Set(isManager(v.role) ? pooled : [])),
  ]);
  return relationsOf(v, toState(t), elig, { teamManagerOf: managed, user: { id: v.userId, role: v.role, active: true } });
}


export const TicketRef = builder.prismaNode('Ticket', {
  description: '工单: a customer\'s request, from creation to closing.',
  id: { field: 'id' },
  fields: (t) => ({
    number: t.string({
      description: 'Human-readable number, e.g. T-000123.',
      select: { number: true },
      resolve: (tk) => displayNumber(tk.number),
    }),
    title: t.exposeString('title'),
    description: t.exposeString('description', { description: 'Markdown.' }),
    type: t.relation('type'),
    priority: t.expose('priority', { type: PriorityEnum }),
    status: t.expose('status', { type: TicketStatusEnum }),
    tags: t.exposeStringList('tags'),
    channel: t.expose('channel', { type: ChannelEnum }),
    creator: t.relation('creator'),
    organization: t.relation('organization', { nullable: true, description: 'The customer organisation.', ...internalOnly }),
    contact: t.relation('contact', { nullable: true, ...internalOnly }),
    owner: t.relation('owner', { nullable: true, description: '客服负责人: the dedicated agent of the customer.' }),
    assignee: t.relation('assignee', { nullable: true, description: '受理人: the one agent responsible.' }),
    sharers: t.field({
      type: [UserRef],
      description: 'Read-only watchers, e.g. the agent who handed the ticket over.',
      select: (_a, _c, nested) => ({ sharers: { select: { user: nested() }, orderBy: { createdAt: 'asc' } } }),
      resolve: (tk) => tk.sharers.map((s) => s.user),
    }),
    eligibleAgents: t.prismaField({
      type: ['User'],
      description: 'Active people who may be this ticket\'s assignee under its type\'s assignment settings (for dispatch and handover pickers), by name.',
      ...internalOnlyList,
      select: { typeId: true },
      resolve: async (query, tk, _args, ctx) => {
        const elig = await ctx.loaders.typeEligibility.load(tk.typeId);
        if (!elig) return [];
        // The same rule as isEligible (services/tickets/access.ts), as a filter.
        const where: Prisma.UserWhereInput =
          elig.agentIds === null ? { role: 'AGENT', active: true } : { id: { in: [...elig.agentIds] }, role: { in: ['AGENT', 'MANAGER', 'ADMIN'] }, active: true };
        return ctx.prisma.user.findMany({ ...query, where, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
      },
    }),
    replyMethod: t.expose('replyMethod', { type: ReplyMethodEnum, nullable: true }),
    replyAddress: t.exposeString('replyAddress', { nullable: true }),
    resolution: t.exposeString('resolution', { nullable: true, description: 'The resolution reply (办结回复).' }),
    version: t.exposeInt('version', { description: 'Increments on every change; pass as expectedVersion to avoid overwriting.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    lastActivityAt: t.expose('lastActivityAt', { type: 'DateTime' }),
    firstRespondedAt: t.expose('firstRespondedAt', { type: 'DateTime', nullable: true }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true, description: 'When the current assignee took the ticket.' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
    firstResponseDueAt: t.expose('firstResponseDueAt', { type: 'DateTime', nullable: true }),
    resolutionDueAt: t.expose('resolutionDueAt', { type: 'DateTime', nullable: true }),
    slaPaused: t.boolean({ select: { slaPausedAt: true }, resolve: (tk) => tk.slaPausedAt !== null, description: 'The SLA clock is paused (waiting on the customer).' }),
    firstResponseTime: t.int({
      nullable: true,
      description: 'First response time (响应时间) in seconds: from creation to the first public reply of an agent.',
      select: { createdAt: true, firstRespondedAt: true },
      resolve: (tk) => (tk.firstRespondedAt ? Math.round((tk.firstRespondedAt.getTime() - tk.createdAt.getTime()) / 1000) : null),
    }),
    handlingTime: t.int({
      nullable: true,
      description: '工单处理用时 in seconds, once resolved: for the creator from creation, for the agent from when the current assignee took it.',
      args: { perspective: t.arg({ type: HandlingPerspectiveEnum, required: true }) },
      select: { createdAt: true, acceptedAt: true, resolvedAt: true },
      resolve: (tk, { perspective }) => {
        const start = perspective === 'CREATOR' ? tk.createdAt : tk.acceptedAt;
        if (!tk.resolvedAt || !start) return null;
        return Math.round((tk.resolvedAt.getTime() - start.getTime()) / 1000);
      },
    }),
    fieldValues: t.relation('fieldValues', {
      description: 'Custom field values. Customers see customer-visible fields only.',
      query: (_args, ctx) => ({
        where: ctx.viewer && isInternal(ctx.viewer.role) ? {} : { field: { customerVisible: true } },
        orderBy: { field: { position: 'asc' } },
      }),
    }),
    comments: t.relatedConnection('comments', {
      cursor: 'id',
      description: 'The conversation, oldest first. Customers see public comments only.',
      query: (_args, ctx) => ({
        where: ctx.viewer && isInternal(ctx.viewer.role) ? {} : { visibility: 'PUBLIC' as const },
        orderBy: { createdAt: 'asc' as const },
      }),
      maxSize: 200,
    }),
    lastComment: t.field({
      type: CommentRef,
      nullable: true,
      description: 'The latest comment the viewer may see.',
      select: (_args, ctx, nested) => ({
        comments: nested({
          where: ctx.viewer && isInternal(ctx.viewer.role) ? {} : { visibility: 'PUBLIC' as const },
          orderBy: { createdAt: 'desc' as const },
          take: 1,
        }),
      }),
      resolve: (tk) => tk.comments[0] ?? null,
    }),
    timeline: t.relatedConnection('events', {
      cursor: 'id',
      description: 'Everything that happened, oldest first (处理记录). Customers see public events only.',
      query: (_args, ctx) => ({
        where: ctx.viewer && isInternal(ctx.viewer.role) ? {} : { visibility: 'PUBLIC' as const },
        orderBy: { seq: 'asc' as const },
      }),
      maxSize: 500,
    }),
    offers: t.relation('offers', { description: 'Assignment offers, newest first. Empty for customers.', query: { orderBy: { createdAt: 'desc' } }, ...internalOnlyList }),
    handovers: t.relation('handovers', { description: 'Handover requests (移交), newest first. Empty for customers.', query: { orderBy: { createdAt: 'desc' } }, ...internalOnlyList }),
    assists: t.relation('assists', { description: 'Assist requests (转办), newest first. Empty for customers.', query: { orderBy: { createdAt: 'desc' } }, ...internalOnlyList }),
    pendingOffer: t.field({
      type: AssignmentOfferRef,
      nullable: true,
      description: 'The offer waiting for acceptance, if any.',
      ...internalOnly,
      select: (_a, _c, nested) => ({ offers: nested({ where: { status: 'PENDING' as const }, take: 1 }) }),
      resolve: (tk) => tk.offers[0] ?? null,
    }),
    rating: t.relation('rating', { nullable: true }),
    ratingInvitedAt: t.expose('ratingInvitedAt', { type: 'DateTime', nullable: true }),
    // Viewer-specific (graphql/fanout.ts): reads the viewer's user id, so a subscription
    // selecting it is executed per subscriber, never shared within a permission class.
    viewerRelations: t.field({
      type: [TicketRelationEnum],
      description: 'How you relate to this ticket.',
      extensions: VIEWER_SPECIFIC,
      select: STATE_SELECT,
      resolve: async (tk, _args, ctx) => {
        if (!ctx.viewer) return [];
        const r = await viewerRelations(tk, ctx);
        const out: string[] = [];
        if (r.has('creator')) out.push('CREATOR');
        if (r.has('assignee')) out.push('ASSIGNEE');
        if (tk.ownerId === ctx.viewer.userId) out.push('OWNER');
        if (tk.sharers.some((s) => s.userId === ctx.viewer!.userId)) out.push('SHARER');
        if (r.has('offeredAgent')) out.push('OFFERED');
        if (r.has('handoverTarget')) out.push('HANDOVER_TARGET');
        if (r.has('handoverRequester')) out.push('HANDOVER_REQUESTER');
        if (r.has('assistHandler')) out.push('ASSIST_HANDLER');
        if (r.has('eligibleAgent')) out.push('ELIGIBLE_AGENT');
        if (r.has('manager')) out.push('MANAGER');
        return out as never;
      },
    }),
    // Viewer-specific, like viewerRelations.
    actions: t.field({
      type: [TicketActionRef],
      description: 'Every command with whether you may run it now and, if not, why.',
      extensions: VIEWER_SPECIFIC,
      select: ACTIONS_SELECT,
      resolve: async (tk, _args, ctx) => {
        if (!ctx.viewer) return [];
        const rel = await viewerRelations(tk, ctx);
        // Dispatch is a manager's, and only for the pool.
        if (isManager(ctx.viewer.role)) rel.add('system');
        // UPDATE_FIELDS: the viewer may edit at least one field of the template after submit
        // (the rule of services/tickets/progress.ts updateFields, for the form as a whole).
        if (tk.type.fields.some((f) => mayEditField(f.editableBy, rel, ctx.viewer!.role))) rel.add('fieldEditor');
        return COMMANDS.map((c) => {
          const a = availability(c, tk.status, rel);
          if (a.allowed && c === 'rate' && tk.rating) return { command: commandName(c), allowed: false, reason: 'Already rated' };
          if (a.allowed && c === 'requestHandover' && tk.handovers.length) return { command: commandName(c), allowed: false, reason: 'A handover is already pending' };
          return { command: commandName(c), ...a };
        });
      },
    }),
  }),
});

builder.prismaObject('TicketFieldValue', {
  description: 'The value of one custom field on a ticket.',
  fields: (t) => ({
    field: t.relation('field'),
    key: t.string({ select: { field: { select: { key: true } } }, resolve: (v) => v.field.key }),
    value: t.field({ type: 'JSON', description: 'Shaped by the field kind: string, number, boolean or list of strings.', resolve: (v) => v.value }),
  }),
});

export const TicketFilter = builder.inputType('TicketFilter', {
  description: 'Narrows ticket lists. All given conditions must hold.',
  fields: (t) => ({
    statuses: t.field({ type: [TicketStatusEnum], required: false, ...enumList(TICKET_STATUSES) }),
    typeIds: t.globalIDList({ for: TicketTypeRef, required: false, ...list(LIMITS.filter.typeIds) }),
    priorities: t.field({ type: [PriorityEnum], required: false, ...enumList(PRIORITIES) }),
    tags: t.stringList({ required: false, ...list(LIMITS.filter.tags, { itemMax: LIMITS.filter.tag, description: 'Tickets with any of these tags.' }) }),
    assigneeId: t.globalID({ for: UserRef, required: false }),
    organizationId: t.globalID({ for: OrganizationRef, required: false }),
    search: t.string({ required: false, ...text(LIMITS.filter.search, { description: 'Matches the title or the number (T-000123).' }) }),
    createdAfter: t.field({ type: 'DateTime', required: false }),
    createdBefore: t.field({ type: 'DateTime', required: false }),
  }),
});

export type TicketFilterArg = {
  statuses?: (typeof TICKET_STATUSES)[number][] | null;
  typeIds?: { id: string }[] | null;
  priorities?: ('URGENT' | 'HIGH' | 'NORMAL' | 'LOW')[] | null;
  tags?: string[] | null;
  assigneeId?: { id: string } | null;
  organizationId?: { id: string } | null;
  search?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
};

/** Ids that can name a record: anything that is not a UUID matches nothing (and never reaches PostgreSQL). */
const uuids = (xs: { id: string }[]) => xs.map((x) => x.id).filter(isUuid);

export function filterWhere(f: TicketFilterArg | null | undefined): Prisma.TicketWhereInput {
  if (!f) return {};
  const number = f.search ? /^(?:T-?)?0*(\d{1,9})$/i.exec(f.search.trim()) : null;
  return {
    ...(f.statuses?.length && { status: { in: f.statuses } }),
    ...(f.typeIds?.length && { typeId: { in: uuids(f.typeIds) } }),
    ...(f.priorities?.length && { priority: { in: f.priorities } }),
    ...(f.tags?.length && { tags: { hasSome: f.tags } }),
    ...(f.assigneeId && { assigneeId: { in: uuids([f.assigneeId]) } }),
    ...(f.organizationId && { organizationId: { in: uuids([f.organizationId]) } }),
    ...((f.createdAfter || f.createdBefore) && { createdAt: { ...(f.createdAfter && { gte: f.createdAfter }), ...(f.createdBefore && { lt: f.createdBefore }) } }),
    ...(f.search && {
      OR: [{ title: { contains: f.search.trim(), mode: 'insensitive' as const } }, ...(number ? [{ number: Number(number[1]) }] : [])],
    }),
  };
}

export const TicketOrderEnum = builder.enumType('TicketOrder', {
  description: 'Sort order of ticket lists.',
  values: {
    NEWEST: { description: 'Most recently created first.' },
    OLDEST: { description: 'Oldest first.' },
    PRIORITY: { description: 'Most urgent first, then oldest.' },
    RECENT_ACTIVITY: { description: 'Most recent activity first.' },
  },
});

export function orderBy(o: 'NEWEST' | 'OLDEST' | 'PRIORITY' | 'RECENT_ACTIVITY' | null | undefined): Prisma.TicketOrderByWithRelationInput[] {
  switch (o ?? 'NEWEST') {
    case 'OLDEST':
      return [{ createdAt: 'asc' }, { id: 'asc' }];
    case 'PRIORITY':
      return [{ priority: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }];
    case 'RECENT_ACTIVITY':
      return [{ lastActivityAt: 'desc' }, { id: 'desc' }];
    default:
      return [{ createdAt: 'desc' }, { id: 'desc' }];
  }
}

/** The viewer's visibility filter, with the agent's eligible types loaded once per request. */
export async function visibleFor(ctx: Context): Promise<Prisma.TicketWhereInput> {
  const v = ctx.viewer!;
  return visibleWhere(v, v.role === 'AGENT' ? await ctx.loaders.eligibleTypeIds.load(v.userId) : []);
}

const read = { $all: { authenticated: true, scope: 'tickets:read' } } as const;

builder.queryFields((t) => ({
  ticket: t.withAuth(read).prismaField({
    type: 'Ticket',
    nullable: true,
    description: 'A ticket by id; null when it does not exist or you may not see it.',
    args: { id: t.arg.globalID({ for: TicketRef, required: true }) },
    resolve: async (query, _r, { id }, ctx) =>
      isUuid(id.id) ? ctx.prisma.ticket.findFirst({ ...query, where: { AND: [{ id: id.id }, await visibleFor(ctx)] } }) : null,
  }),
  ticketByNumber: t.withAuth(read).prismaField({
    type: 'Ticket',
    nullable: true,
    description: 'A ticket by its number, e.g. "T-000123" (or 123).',
    args: { number: t.arg.string({ required: true, ...text(LIMITS.ticket.number) }) },
    resolve: async (query, _r, { number }, ctx) => {
      const m = /^(?:T-?)?0*(\d{1,9})$/i.exec(number.trim());
      return m ? ctx.prisma.ticket.findFirst({ ...query, where: { AND: [{ number: Number(m[1]) }, await visibleFor(ctx)] } }) : null;
    },
  }),
  tickets: t.withAuth(read).prismaConnection(
    {
      type: 'Ticket',
      cursor: 'id',
      description: 'Tickets you may see: customers their own, agents those of their types and those they are involved in, managers all.',
      args: { filter: t.arg({ type: TicketFilter, required: false }), orderBy: t.arg({ type: TicketOrderEnum, required: false }) },
      defaultSize: 20,
      maxSize: 200,
      totalCount: async (_c, { filter }, ctx) => ctx.prisma.ticket.count({ where: { AND: [filterWhere(filter), await visibleFor(ctx)] } }),
      resolve: async (query, _r, { filter, orderBy: o }, ctx) =>
        ctx.prisma.ticket.findMany({ ...query, where: { AND: [filterWhere(filter), await visibleFor(ctx)] }, orderBy: orderBy(o) }),
    },
    { name: 'TicketConnection' },
  ),
}));
