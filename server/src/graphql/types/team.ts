import { builder } from '../builder.ts';
import { list, text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { SETTINGS_ERRORS } from './errors.ts';
import { UserRef, stripNulls } from './user.ts';

export const TeamKindEnum = builder.enumType('TeamKind', {
  description: 'What a team is for.',
  values: {
    SERVICE: { description: 'Agents who serve ticket types.' },
    ASSIST: { description: '转办团队: receives assist requests.' },
  },
});

export const AssistRuleEnum = builder.enumType('AssistRule', {
  description: 'How an assist team distributes requests sent to it.',
  values: {
    AUTO: { description: 'Round robin among the members.' },
    MANAGER: { description: 'Requests wait in the team\'s assist pool for a team manager to dispatch.' },
  },
});

export const TeamRef = builder.prismaNode('Team', {
  description: 'A service team (eligible agents for ticket types) or an assist team (转办团队).',
  id: { field: 'id' },
  authScopes: { internal: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    kind: t.expose('kind', { type: TeamKindEnum }),
    assistRule: t.expose('assistRule', { type: AssistRuleEnum }),
    members: t.relation('members', {
      description: 'The team\'s members. Empty for API tokens without SETTINGS_READ.',
      query: { orderBy: { createdAt: 'asc' } },
      authScopes: { scope: 'settings:read' },
      // `never`: plugin-prisma types this resolver as the relation's own shape, not a list.
      unauthorizedResolver: (): never => [] as never,
    }),
  }),
});

builder.prismaObject('TeamMember', {
  description: 'Membership of a user in a team.',
  fields: (t) => ({
    user: t.relation('user'),
    isManager: t.exposeBoolean('isManager', { description: 'Team managers dispatch the team\'s assist pool.' }),
  }),
});

builder.queryFields((t) => ({
  teams: t.withAuth({ $all: { internal: true, scope: 'settings:read' } }).prismaField({
    type: ['Team'],
    description: 'All teams, by name.',
    args: { kind: t.arg({ type: TeamKindEnum, required: false }) },
    resolve: (query, _root, { kind }, ctx) =>
      ctx.prisma.team.findMany({ ...query, where: kind ? { kind } : {}, orderBy: { name: 'asc' } }),
  }),
}));

const TeamPayload = builder.simpleObject('TeamPayload', { fields: (t) => ({ team: t.field({ type: TeamRef }) }) });
const settingsWrite = { $all: { manager: true, scope: 'settings:write' } } as const;

builder.mutationFields((t) => ({
  createTeam: t.withAuth(settingsWrite).field({
    type: TeamPayload,
    description: 'Create a service team or an assist team (转办团队).',
    args: {
      input: t.arg({
        type: builder.inputType('CreateTeamInput', {
          fields: (f) => ({
            name: f.string({ ...text(LIMITS.team.name, { checked: true }) }),
            description: f.string({ required: false, ...text(LIMITS.team.description, { checked: true }) }),
            kind: f.field({ type: TeamKindEnum }),
            assistRule: f.field({ type: AssistRuleEnum, required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: SETTINGS_ERRORS, union: { name: 'CreateTeamResult' } },
    resolve: async (_root, { input }, ctx) => ({
      team: await ctx.services.people.createTeam({ ...stripNulls(input), name: input.name, kind: input.kind }),
    }),
  }),
  updateTeam: t.withAuth(settingsWrite).field({
    type: TeamPayload,
    description: 'Rename a team or change its kind or assist rule.',
    args: {
      input: t.arg({
        type: builder.inputType('UpdateTeamInput', {
          fields: (f) => ({
            id: f.globalID({ for: TeamRef }),
            name: f.string({ required: false, ...text(LIMITS.team.name, { checked: true }) }),
            description: f.string({ required: false, ...text(LIMITS.team.description, { checked: true }) }),
            kind: f.field({ type: TeamKindEnum, required: false }),
            assistRule: f.field({ type: AssistRuleEnum, required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: SETTINGS_ERRORS, union: { name: 'UpdateTeamResult' } },
    resolve: async (_root, { input }, ctx) => {
      const { id, ...rest } = input;
      return { team: await ctx.services.people.updateTeam(id.id, stripNulls(rest)) };
    },
  }),
  setTeamMembers: t.withAuth(settingsWrite).field({
    type: TeamPayload,
    description: 'Replace the member list of a team.',
    args: {
      input: t.arg({
        type: builder.inputType('SetTeamMembersInput', {
          fields: (f) => ({
            teamId: f.globalID({ for: TeamRef }),
            members: f.field({
              type: [
                builder.inputType('TeamMemberInput', {
                  description: 'A member of a team.',
                  fields: (m) => ({
                    userId: m.globalID({ for: UserRef }),
                    isManager: m.boolean({ required: false, defaultValue: false }),
                  }),
                }),
              ],
              ...list(LIMITS.team.members),
            }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: SETTINGS_ERRORS, union: { name: 'SetTeamMembersResult' } },
    resolve: async (_root, { input }, ctx) => ({
      team: await ctx.services.people.setTeamMembers(
        input.teamId.id,
        input.members.map((m) => ({ userId: m.userId.id, isManager: m.isManager ?? false })),
      ),
    }),
  }),
}));
