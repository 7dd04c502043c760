import DataLoader from 'dataloader';
import { LoginThrottled, NotAllowed, ValidationFailed } from '../../domain/errors.ts';
import { WORKING } from '../../domain/ticket/lifecycle.ts';
import { SETTINGS_ERRORS } from './errors.ts';
import { API_SCOPES, ROLES, isInternal } from '../../domain/identity/viewer.ts';
import { PRESENCES } from '../../services/settings/people.ts';
import { builder } from '../builder.ts';
import { enumList, list, text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { internalOnly, internalOnlyList } from '../internal-only.ts';
import { isUuid } from '../../domain/ids.ts';
import type { Context } from '../context.ts';
import { PASSWORD_ATTEMPT } from '../operation-limits.ts';
import { ContactRef } from './contact.ts';
import { TeamRef } from './team.ts';

export const RoleEnum = builder.enumType('Role', {
  description: 'What a person does in gongdan.',
  values: {
    CUSTOMER: { description: 'A customer contact using the portal.' },
    AGENT: { description: '客服: serves tickets.' },
    MANAGER: { description: '工单管理员: configures types and assignment, dispatches tickets.' },
    STAFF: { description: 'Internal staff who answer assist requests (转办) but do not serve tickets.' },
    ADMIN: { description: 'Everything a manager can do, plus users and API tokens.' },
  } satisfies Record<(typeof ROLES)[number], unknown>,
});

export const PresenceEnum = builder.enumType('Presence', {
  description: 'Whether an agent is available for auto dispatch.',
  values: PRESENCES,
});

/**
 * Open work per person, batched per request (one loader per `ctx.loaders`, which is fresh
 * per request and per subscription event): tickets in progress or waiting that they are
 * the assignee of, plus offers waiting for them, the load auto dispatch weighs.
 */
const openTicketCounts = new WeakMap<object, DataLoader<string, number>>();
function openTicketCountLoader(ctx: Context): DataLoader<string, number> {
  let loader = openTicketCounts.get(ctx.loaders);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const [tickets, offers] = await Promise.all([
        ctx.prisma.ticket.groupBy({ by: ['assigneeId'], where: { assigneeId: { in: [...ids] }, status: { in: [...WORKING] } }, _count: { _all: true } }),
        ctx.prisma.assignmentOffer.groupBy({ by: ['agentId'], where: { agentId: { in: [...ids] }, status: 'PENDING' }, _count: { _all: true } }),
      ]);
      const load = new Map<string, number>();
      for (const t of tickets) if (t.assigneeId) load.set(t.assigneeId, t._count._all);
      for (const o of offers) load.set(o.agentId, (load.get(o.agentId) ?? 0) + o._count._all);
      return ids.map((id) => load.get(id) ?? 0);
    });
    openTicketCounts.set(ctx.loaders, loader);
  }
  return loader;
}

/** Internal people see each other's details; customers see a name, and their own record. */
const seesDetails = (user: { id: string }, ctx: Context) =>
  !!ctx.viewer && (isInternal(ctx.viewer.role) || ctx.viewer.userId === user.id);

export const UserRef = builder.prismaNode('User', {
  description: 'A person: customer, agent, manager, staff or admin.',
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    role: t.expose('role', { type: RoleEnum }),
    email: t.exposeString('email', {
      nullable: true,
      description: 'Visible to internal users and to the user themself.',
      authScopes: (user, _args, ctx) => seesDetails(user, ctx),
      unauthorizedResolver: () => null,
    }),
    active: t.exposeBoolean('active'),
    skills: t.exposeStringList('skills', {
      description: 'Tags auto dispatch can match against. Empty for customers.',
      ...internalOnlyList,
    }),
    capacity: t.exposeInt('capacity', {
      nullable: true,
      description: 'Maximum open tickets auto dispatch gives this agent. Null for customers.',
      ...internalOnly,
    }),
    senior: t.exposeBoolean('senior', {
      nullable: true,
      description: 'Senior agents are preferred for VIP customers. Null for customers.',
      ...internalOnly,
    }),
    presence: t.expose('presence', {
      type: PresenceEnum,
      nullable: true,
      description: 'Online, away or offline. Null for customers.',
      ...internalOnly,
    }),
    presenceChangedAt: t.expose('presenceChangedAt', { type: 'DateTime', nullable: true, ...internalOnly }),
    openTicketCount: t.int({
      nullable: true,
      description: 'Open work: tickets in progress or waiting with this person as assignee, plus offers waiting for them (the load auto dispatch weighs). Null for customers.',
      ...internalOnly,
      resolve: (user, _args, ctx) => openTicketCountLoader(ctx).load(user.id),
    }),
    teams: t.field({
      type: [TeamRef],
      description: 'Teams this user belongs to (empty for customers and for tokens without SETTINGS_READ).',
      authScopes: { $all: { internal: true, scope: 'settings:read' } },
      unauthorizedResolver: () => [],
      select: (_args, _ctx, nested) => ({ teamMemberships: { select: { team: nested() } } }),
      resolve: (user) => user.teamMemberships.map((m) => m.team),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const UserFilter = builder.inputType('UserFilter', {
  description: 'Narrows `users`. All given conditions must hold.',
  fields: (t) => ({
    roles: t.field({ type: [RoleEnum], required: false, ...enumList(ROLES) }),
    active: t.boolean({ required: false }),
    search: t.string({
      required: false,
      ...text(LIMITS.user.search, { description: 'Matches name or email, case-insensitive.' }),
    }),
    skill: t.string({ required: false, ...text(LIMITS.user.skill) }),
  }),
});

builder.queryFields((t) => ({
  // Any token may ask whom it acts as.
  me: t.withAuth({ $all: { authenticated: true, scope: API_SCOPES } }).prismaField({
    type: 'User',
    description: 'The signed-in user (or the user an API token acts as).',
    resolve: (query, _root, _args, ctx) => ctx.prisma.user.findUniqueOrThrow({ ...query, where: { id: ctx.viewer.userId } }),
  }),
  user: t.withAuth({ $all: { authenticated: true, scope: 'settings:read' } }).prismaField({
    type: 'User',
    nullable: true,
    description: 'A user by id. Customers can look up only themselves.',
    args: { id: t.arg.globalID({ for: UserRef, required: true }) },
    resolve: (query, _root, { id }, ctx) => {
      if ((!isInternal(ctx.viewer.role) && id.id !== ctx.viewer.userId) || !isUuid(id.id)) return null;
      return ctx.prisma.user.findUnique({ ...query, where: { id: id.id } });
    },
  }),
  users: t.withAuth({ $all: { internal: true, scope: 'settings:read' } }).prismaConnection({
    type: 'User',
    cursor: 'id',
    description: 'People, for pickers and administration. Internal users only.',
    args: { filter: t.arg({ type: UserFilter, required: false }) },
    defaultSize: 50,
    maxSize: 200,
    resolve: (query, _root, { filter }, ctx) =>
      ctx.prisma.user.findMany({
        ...query,
        where: {
          ...(filter?.roles && { role: { in: filter.roles } }),
          ...(filter?.active != null && { active: filter.active }),
          ...(filter?.skill && { skills: { has: filter.skill } }),
          ...(filter?.search && {
            OR: [
              { name: { contains: filter.search, mode: 'insensitive' as const } },
              { email: { contains: filter.search, mode: 'insensitive' as const } },
            ],
          }),
        },
        orderBy: { id: 'asc' },
      }),
  }),
}));

const userInputFields = (required: boolean) =>
  builder.inputType(required ? 'CreateUserInput' : 'UpdateUserInput', {
    fields: (t) => ({
      ...(required ? {} : { id: t.globalID({ for: UserRef, required: true }) }),
      email: t.string({ required, ...text(LIMITS.user.email, { checked: true }) }),
      name: t.string({ required, ...text(LIMITS.user.name, { checked: true }) }),
      role: t.field({ type: RoleEnum, required }),
      active: t.boolean({ required: false }),
      password: t.string({
        required: false,
        ...text(LIMITS.user.password, {
          checked: true,
          description:
            'Sets a new password (and ends the user\'s sessions on update): at least 10 characters, not the email or name, not the current password, not a common or easily guessed one.',
        }),
      }),
      skills: t.stringList({ required: false, ...list(LIMITS.user.skills, { checked: true, itemMax: LIMITS.user.skill }) }),
      capacity: t.int({ required: false }),
      senior: t.boolean({ required: false }),
      contactId: t.globalID({ for: ContactRef, required: false, description: 'For CUSTOMER users: the contact they log in as.' }),
    }),
  });
const CreateUserInput = userInputFields(true);
const UpdateUserInput = userInputFields(false);

export const UserPayload = builder.simpleObject('UserPayload', {
  fields: (t) => ({ user: t.field({ type: UserRef }) }),
});



builder.mutationFields((t) => ({
  createUser: t.withAuth({ $all: { manager: true, scope: 'settings:write' } }).field({
    type: UserPayload,
    description: 'Managers create agents, staff and customers; admins create anyone.',
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    errors: { types: SETTINGS_ERRORS, union: { name: 'CreateUserResult' } },
    resolve: async (_root, { input }, ctx) => ({
      user: await ctx.services.people.createUser(ctx.viewer, {
        ...stripNulls(input),
        email: input.email,
        name: input.name,
        role: input.role,
        contactId: input.contactId?.id ?? null,
      }),
    }),
  }),
  updateUser: t.withAuth({ $all: { manager: true, scope: 'settings:write' } }).field({
    type: UserPayload,
    description: 'Change a user; deactivating or resetting the password ends their sessions.',
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
    errors: { types: SETTINGS_ERRORS, union: { name: 'UpdateUserResult' } },
    resolve: async (_root, { input }, ctx) => {
      const { id, contactId, ...rest } = input;
      return {
        user: await ctx.services.people.updateUser(ctx.viewer, id.id, {
          ...stripNulls(rest),
          ...(contactId && { contactId: contactId.id }),
        }),
      };
    },
  }),
  setPresence: t.withAuth({ $all: { internal: true, scope: 'tickets:write' } }).field({
    type: UserPayload,
    description: 'Go online, away or offline. Auto dispatch only picks ONLINE agents.',
    args: { input: t.arg({ type: builder.inputType('SetPresenceInput', { fields: (f) => ({ presence: f.field({ type: PresenceEnum, required: true }) }) }), required: true }) },
    errors: { types: [NotAllowed], union: { name: 'SetPresenceResult' } },
    resolve: async (_root, { input }, ctx) => ({ user: await ctx.services.people.setPresence(ctx.viewer, input.presence) }),
  }),
  changePassword: t.withAuth({ $all: { authenticated: true, scope: 'settings:write' } }).field({
    type: builder.simpleObject('ChangePasswordPayload', { fields: (f) => ({ ok: f.boolean() }) }),
    description:
      'Change your own password (sessions only; API tokens get NotAllowed). Your other sessions are logged out. The current password is a guess like a login: one per operation, counted and throttled the same way.',
    args: {
      input: t.arg({
        type: builder.inputType('ChangePasswordInput', {
          fields: (f) => ({
            currentPassword: f.string({ ...text(LIMITS.user.password, { trim: false }) }),
            newPassword: f.string({
              ...text(LIMITS.user.password, {
                checked: true,
                description: 'At least 10 characters, not your email or name, not the current password, not a common or easily guessed one.',
              }),
            }),
          }),
        }),
        required: true,
      }),
    },
    extensions: PASSWORD_ATTEMPT,
    errors: { types: [ValidationFailed, NotAllowed, LoginThrottled], union: { name: 'ChangePasswordResult' } },
    resolve: async (_root, { input }, ctx) => ({
      ok: await ctx.services.people.changeOwnPassword(ctx.viewer, input.currentPassword, input.newPassword, ctx.clientAddress),
    }),
  }),
}));

/** GraphQL sends null for "not given" on optional inputs; services take undefined. */
export function stripNulls<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as { [K in keyof T]?: Exclude<T[K], null> };
}
