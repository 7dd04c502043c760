import { NotFound, ValidationFailed } from '../../domain/errors.ts';
import { API_SCOPES } from '../../domain/identity/viewer.ts';
import { builder } from '../builder.ts';
import { enumList, text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { UserRef } from './user.ts';

export const ApiScopeEnum = builder.enumType('ApiScope', {
  description: 'What an API token may do, on top of what its user\'s role allows.',
  values: Object.fromEntries(API_SCOPES.map((s) => [s.replace(':', '_').toUpperCase(), { value: s }])) as Record<
    string,
    { value: (typeof API_SCOPES)[number] }
  >,
});

export const ApiTokenRef = builder.prismaNode('ApiToken', {
  description: 'A token for an integration (CRM, chat, e-commerce). Only its prefix is kept in readable form.',
  id: { field: 'id' },
  authScopes: { admin: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the token, to tell tokens apart.' }),
    scopes: t.field({ type: [ApiScopeEnum], resolve: (tok) => tok.scopes.filter((s): s is (typeof API_SCOPES)[number] => (API_SCOPES as readonly string[]).includes(s)) }),
    user: t.relation('user', { description: 'The user the integration acts as.' }),
    createdBy: t.relation('createdBy'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryFields((t) => ({
  apiTokens: t.withAuth({ $all: { admin: true, scope: 'settings:read' } }).prismaField({
    type: ['ApiToken'],
    description: 'All API tokens, newest first. Admins only.',
    args: { includeRevoked: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (query, _root, { includeRevoked }, ctx) =>
      ctx.prisma.apiToken.findMany({
        ...query,
        where: includeRevoked ? {} : { revokedAt: null },
        orderBy: { createdAt: 'desc' },
      }),
  }),
}));

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({
    name: t.string({ ...text(LIMITS.apiToken.name, { checked: true }) }),
    userId: t.globalID({ for: UserRef, description: 'The user the integration acts as (its tickets and comments are attributed to it).' }),
    scopes: t.field({ type: [ApiScopeEnum], ...enumList(API_SCOPES) }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

builder.mutationFields((t) => ({
  createApiToken: t.withAuth({ $all: { admin: true, scope: 'settings:write' } }).field({
    type: builder.simpleObject('CreateApiTokenPayload', {
      fields: (f) => ({
        token: f.string({ description: 'The token itself. Shown only now; it cannot be recovered later.' }),
        apiToken: f.field({ type: ApiTokenRef }),
      }),
    }),
    description: 'Create an API token for an integrator. Admins only.',
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    errors: { types: [ValidationFailed], union: { name: 'CreateApiTokenResult' } },
    resolve: (_root, { input }, ctx) =>
      ctx.services.auth.createApiToken(ctx.viewer, {
        name: input.name,
        userId: input.userId.id,
        scopes: input.scopes,
        expiresAt: input.expiresAt ?? null,
      }),
  }),
  revokeApiToken: t.withAuth({ $all: { admin: true, scope: 'settings:write' } }).field({
    type: builder.simpleObject('RevokeApiTokenPayload', { fields: (f) => ({ apiToken: f.field({ type: ApiTokenRef }) }) }),
    description: 'Revoke a token: it stops working at once. Revoking twice is harmless.',
    args: {
      input: t.arg({
        type: builder.inputType('RevokeApiTokenInput', { fields: (f) => ({ id: f.globalID({ for: ApiTokenRef }) }) }),
        required: true,
      }),
    },
    errors: { types: [NotFound], union: { name: 'RevokeApiTokenResult' } },
    resolve: async (_root, { input }, ctx) => ({ apiToken: await ctx.services.auth.revokeApiToken(input.id.id) }),
  }),
}));
