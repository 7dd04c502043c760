import { builder } from '../builder.ts';
import { text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { isUuid } from '../../domain/ids.ts';
import { SETTINGS_ERRORS } from './errors.ts';
import { OrganizationRef } from './organization.ts';
import { UserRef } from './user.ts';

export const ContactRef = builder.prismaNode('Contact', {
  description: 'A person at a customer (联系人), optionally with a portal login and a dedicated agent.',
  id: { field: 'id' },
  authScopes: { internal: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    email: t.exposeString('email', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    organization: t.relation('organization', { nullable: true }),
    dedicatedAgent: t.relation('dedicatedAgent', {
      nullable: true,
      description: 'Wins over the organisation\'s dedicated agent when a ticket\'s owner is filled in.',
    }),
    user: t.relation('user', { nullable: true, description: 'The portal login of this contact.' }),
  }),
});

builder.queryFields((t) => ({
  contacts: t.withAuth({ $all: { internal: true, scope: 'settings:read' } }).prismaConnection({
    type: 'Contact',
    cursor: 'id',
    args: {
      organizationId: t.arg.globalID({ for: OrganizationRef, required: false }),
      search: t.arg.string({ required: false, ...text(LIMITS.contact.search) }),
    },
    defaultSize: 50,
    maxSize: 200,
    resolve: (query, _root, { organizationId, search }, ctx) =>
      ctx.prisma.contact.findMany({
        ...query,
        where: {
          ...(organizationId && { organizationId: { in: [organizationId.id].filter(isUuid) } }),
          ...(search && {
            OR: [
              { name: { contains: search, mode: 'insensitive' as const } },
              { email: { contains: search, mode: 'insensitive' as const } },
              { phone: { contains: search } },
            ],
          }),
        },
        orderBy: { id: 'asc' },
      }),
  }),
}));

const ContactPayload = builder.simpleObject('ContactPayload', { fields: (t) => ({ contact: t.field({ type: ContactRef }) }) });
const settingsWrite = { $all: { manager: true, scope: 'settings:write' } } as const;

const contactFields = (name: 'CreateContactInput' | 'UpdateContactInput') =>
  builder.inputType(name, {
    fields: (f) => ({
      ...(name === 'UpdateContactInput' ? { id: f.globalID({ for: ContactRef, required: true }) } : {}),
      name: f.string({ required: name === 'CreateContactInput', ...text(LIMITS.contact.name, { checked: true }) }),
      email: f.string({ required: false, ...text(LIMITS.contact.email, { checked: true }) }),
      phone: f.string({ required: false, ...text(LIMITS.contact.phone, { checked: true }) }),
      organizationId: f.globalID({ for: OrganizationRef, required: false }),
      dedicatedAgentId: f.globalID({ for: UserRef, required: false }),
    }),
  });

builder.mutationFields((t) => ({
  createContact: t.withAuth(settingsWrite).field({
    type: ContactPayload,
    description: 'Add a contact (联系人), optionally in an organisation and with a dedicated agent.',
    args: { input: t.arg({ type: contactFields('CreateContactInput'), required: true }) },
    errors: { types: SETTINGS_ERRORS, union: { name: 'CreateContactResult' } },
    resolve: async (_root, { input }, ctx) => ({
      contact: await ctx.services.customers.createContact({
        name: input.name as string,
        email: input.email ?? null,
        phone: input.phone ?? null,
        organizationId: input.organizationId?.id ?? null,
        dedicatedAgentId: input.dedicatedAgentId?.id ?? null,
      }),
    }),
  }),
  updateContact: t.withAuth(settingsWrite).field({
    type: ContactPayload,
    description: 'Change a contact. Explicit nulls clear email, phone, organisation or dedicated agent.',
    args: { input: t.arg({ type: contactFields('UpdateContactInput'), required: true }) },
    errors: { types: SETTINGS_ERRORS, union: { name: 'UpdateContactResult' } },
    resolve: async (_root, { input }, ctx) => ({
      contact: await ctx.services.customers.updateContact((input.id as { id: string }).id, {
        ...(input.name != null && { name: input.name }),
        ...(input.email !== undefined && { email: input.email }),
        ...(input.phone !== undefined && { phone: input.phone }),
        ...(input.organizationId !== undefined && { organizationId: input.organizationId?.id ?? null }),
        ...(input.dedicatedAgentId !== undefined && { dedicatedAgentId: input.dedicatedAgentId?.id ?? null }),
      }),
    }),
  }),
}));
