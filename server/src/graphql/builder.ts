// The one Pothos builder. The schema is static (built once per process); everything
// that varies per app instance — the database, services, clock — comes in through
// the context, so tests can run many apps against many databases in one process.
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import ValidationPlugin from '@pothos/plugin-validation';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type PrismaTypes from '../infra/db/generated/pothos-types.ts';
import { getDatamodel } from '../infra/db/generated/pothos-types.ts';
import { ValidationFailed } from '../domain/errors.ts';
import { hasScope, isInternal, isManager, type ApiScope } from '../domain/identity/viewer.ts';
import type { Context } from './context.ts';
import { ForbiddenError, UnauthenticatedError } from './auth-errors.ts';
import { QUERY_LIMITS, complexityLimitError } from './operation-limits.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  AuthScopes: {
    authenticated: boolean;
    customer: boolean;
    internal: boolean;
    manager: boolean;
    admin: boolean;
    /** An API token scope, or a list of which any one will do. Sessions carry every scope. */
    scope: ApiScope | readonly ApiScope[];
  };
  AuthContexts: {
    authenticated: Context & { viewer: NonNullable<Context['viewer']> };
    customer: Context & { viewer: NonNullable<Context['viewer']> };
    internal: Context & { viewer: NonNullable<Context['viewer']> };
    manager: Context & { viewer: NonNullable<Context['viewer']> };
    admin: Context & { viewer: NonNullable<Context['viewer']> };
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  // scope-auth first so no other plugin's wrapper runs before authorization.
  plugins: [
    ScopeAuthPlugin,
    ErrorsPlugin,
    ValidationPlugin,
    PrismaPlugin,
    RelayPlugin,
    SimpleObjectsPlugin,
    ComplexityPlugin,
  ],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    // Subscriptions are authorized when they start (no credential → UNAUTHENTICATED at
    // once), not when their first event resolves; the streams re-check every event.
    authorizeOnSubscribe: true,
    authScopes: (ctx) => {
      const v = ctx.viewer;
      return {
        authenticated: !!v,
        customer: v?.role === 'CUSTOMER',
        internal: !!v && isInternal(v.role),
        manager: !!v && isManager(v.role),
        admin: v?.role === 'ADMIN',
        scope: (scope) => !!v && (typeof scope === 'string' ? hasScope(v, scope) : scope.some((s) => hasScope(v, s))),
      };
    },
    // Distinct, typed answers: no credential (or a bad one) vs. not permitted.
    unauthorizedError: (_parent, ctx) =>
      ctx.viewer ? new ForbiddenError() : new UnauthenticatedError(ctx.authFailure),
  },
  errors: {
    defaultTypes: [],
    directResult: true,
  },
  validation: {
    validationError: (result) =>
      new ValidationFailed(
        result.issues.map((i) => ({
          field: (i.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || 'input',
          message: i.message,
        })),
      ),
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // No generic node(id): each lookup goes through its own authorization, so a
    // caller can never probe for records it may not see.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodeTypeOptions: { description: 'An object with a global id.' },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list.' },
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    // Enforced before execution by the validation rule of operation-limits.ts; this
    // execution-time check is the backstop, with the same limits and error codes.
    limit: QUERY_LIMITS,
    complexityError: complexityLimitError,
  },
});

builder.addScalarType('DateTime', DateTimeResolver, {});
builder.addScalarType('JSON', JSONResolver, {});

builder.queryType({ description: 'Reads. Lists are Relay connections; queues are first-class fields.' });
builder.mutationType({
  description: 'Writes. Each takes one `input` and returns a payload or a union of typed failures.',
});
