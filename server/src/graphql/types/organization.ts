import { builder } from '../builder.ts';
import { text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { isUuid } from '../../domain/ids.ts';
import { SETTINGS_ERRORS } from './errors.ts';
import { CustomerTierEnum } from './enums.ts';
import { UserRef } from './user.ts';

export const OrganizationRef = builder.prismaNode('Organization', {
  description: 'A customer company, with its tier and dedicated agent (专属客服).',
  id: { field: 'id' },
  authScopes: { internal: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    tier: t.expose('tier', { type: CustomerTierEnum }),
    dedicatedAgent: t.relation('dedicatedAgent', { nullable: true }),
    notes: t.exposeString('notes', { nullable: true }),
    // The directory, also when reached through a ticket: a ticket's own contact is on the ticket.
    contacts: t.relation('contacts', {
      description: 'The organisation\'s contacts. Empty for API tokens without SETTINGS_READ.',
      query: { orderBy: { name: 'asc' } },
      authScopes: { scope: 'settings:read' },
      // `never`: plugin-prisma types this resolver as the relation's own shape, not a list.
      unauthorizedResolver: (): never => [] as never,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const directory = { $all: { internal: true, scope: 'settings:read' } } as const;

builder.queryFields((t) => ({
  organizations: t.withAuth(directory).prismaConnection({
    type: 'Organization',
    cursor: 'id',
    description: 'Customer organisations. Internal users only.',
    args: {
      search: t.arg.string({ required: false, ...text(LIMITS.organization.search) }),
      tier: t.arg({ type: CustomerTierEnum, required: false }),
    },
    defaultSize: 50,
    maxSize: 200,
    resolve: (query, _root, { search, tier }, ctx) =>
      ctx.prisma.organization.findMany({
        ...query,
        where: {
          ...(search && { name: { contains: search, mode: 'insensitive' as const } }),
          ...(tier && { tier }),
        },
        orderBy: { id: 'asc' },
      }),
  }),
  organization: t.withAuth(directory).prismaField({
    type: 'Organization',
    nullable: true,
    args: { id: t.arg.globalID({ for: OrganizationRef, required: true }) },
    resolve: (query, _root, { id }, ctx) => (isUuid(id.id) ? ctx.prisma.organization.findUnique({ ...query, where: { id: id.id } }) : null),
  }),
}));

const OrganizationPayload = builder.simpleObject('OrganizationPayload', {
  fields: (t) => ({ organization: t.field({ type: OrganizationRef }) }),
});
const settingsWrite = { $all: { manager: true, scope: 'settings:write' } } as const;

builder.mutationFields((t) => ({
  createOrganization: t.withAuth(settingsWrite).field({
    type: OrganizationPayload,
    description: 'Add a customer organisation with its tier and dedicated agent.',
    args: {
      input: t.arg({
        type: builder.inputType('CreateOrganizationInput', {
          fields: (f) => ({
            name: f.string({ ...text(LIMITS.organization.name, { checked: true }) }),
            tier: f.field({ type: CustomerTierEnum, required: false }),
            dedicatedAgentId: f.globalID({ for: UserRef, required: false }),
            notes: f.string({ required: false, ...text(LIMITS.organization.notes, { checked: true }) }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: SETTINGS_ERRORS, union: { name: 'CreateOrganizationResult' } },
    resolve: async (_root, { input }, ctx) => ({
      organization: await ctx.services.customers.createOrganization({
        name: input.name,
        tier: input.tier ?? 'NORMAL',
        dedicatedAgentId: input.dedicatedAgentId?.id ?? null,
        notes: input.notes ?? null,
      }),
    }),
  }),
  updateOrganization: t.withAuth(settingsWrite).field({
    type: OrganizationPayload,
    description: 'Change an organisation. Pass dedicatedAgentId: null to remove the dedicated agent.',
    args: {
      input: t.arg({
        type: builder.inputType('UpdateOrganizationInput', {
          fields: (f) => ({
            id: f.globalID({ for: OrganizationRef }),
            name: f.string({ required: false, ...text(LIMITS.organization.name, { checked: true }) }),
            tier: f.field({ type: CustomerTierEnum, required: false }),
            dedicatedAgentId: f.globalID({ for: UserRef, required: false }),
            notes: f.string({ required: false, ...text(LIMITS.organization.notes, { checked: true }) }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: SETTINGS_ERRORS, union: { name: 'UpdateOrganizationResult' } },
    resolve: async (_root, { input }, ctx) => ({
      organization: await ctx.services.customers.updateOrganization(input.id.id, {
        ...(input.name != null && { name: input.name }),
        ...(input.tier != null && { tier: input.tier }),
        ...(input.dedicatedAgentId !== undefined && { dedicatedAgentId: input.dedicatedAgentId?.id ?? null }),
        ...(input.notes !== undefined && { notes: input.notes }),
      }),
    }),
  }),
}));
