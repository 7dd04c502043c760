// API token scopes are enforced per root field: a token reaches data only through
// Query, Mutation and Subscription fields, so each of those must require a scope
// — and every mutation a write scope (sessions of people carry every scope, so this
// limits tokens only). The walk below reads the scope-auth rules Pothos keeps on the
// built schema and lists the root fields that break this; a schema test keeps the list
// empty.
import type { GraphQLField, GraphQLSchema } from 'graphql';

/** Field extension for the few root fields that need no credential at all (login). */
export const PUBLIC_FIELD = { publicField: true } as const;

type Rule = Record<string, unknown>;

const isRule = (v: unknown): v is Rule => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether every way of satisfying a scope-auth rule passes a `scope` check. A scope map
 * is $any by default (any one key suffices), so `{ internal: true, scope: … }` does not
 * require the scope; `{ $all: { internal: true, scope: … } }` does.
 */
export function requiresApiScope(rule: unknown, accept: (scope: string) => boolean = () => true, mode: 'any' | 'all' = 'any'): boolean {
  if (!isRule(rule)) return false; // a function (or nothing) cannot be read: not a rule we can vouch for
  const keys = Object.keys(rule).filter((k) => rule[k] !== undefined && rule[k] !== false);
  if (keys.length === 0) return false;
  const keyRequires = (k: string): boolean => {
    const v = rule[k];
    if (k === 'scope') return typeof v === 'string' ? accept(v) : Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && accept(s));
    if (k === '$all') return requiresApiScope(v, accept, 'all');
    if (k === '$any') return requiresApiScope(v, accept, 'any');
    return false;
  };
  return mode === 'all' ? keys.some(keyRequires) : keys.every(keyRequires);
}

/** Writes need a write scope: a token with read scopes only can call no mutation. */
const isWriteScope = (scope: string) => scope.endsWith(':write');

function authScopesOf(field: GraphQLField<unknown, unknown>): unknown {
  return (field.extensions as { pothosOptions?: { authScopes?: unknown } } | undefined)?.pothosOptions?.authScopes;
}

const isPublic = (field: GraphQLField<unknown, unknown>) => (field.extensions as { publicField?: unknown } | undefined)?.publicField === true;

function rootFields(schema: GraphQLSchema): [string, GraphQLField<unknown, unknown>][] {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
    type ? Object.values(type.getFields()).map((f) => [`${type.name}.${f.name}`, f] as [string, GraphQLField<unknown, unknown>]) : [],
  );
}

/**
 * Root fields an API token could use without a scope check (and not marked public):
 * queries and subscriptions without any scope, mutations without a write scope.
 */
export function fieldsWithoutScopeRule(schema: GraphQLSchema): string[] {
  const mutations = schema.getMutationType()?.name;
  return rootFields(schema)
    .filter(([name, f]) => !isPublic(f) && !requiresApiScope(authScopesOf(f), name.startsWith(`${mutations}.`) ? isWriteScope : undefined))
    .map(([name]) => name);
}

/** Root fields marked as needing no credential. */
export function publicFields(schema: GraphQLSchema): string[] {
  return rootFields(schema)
    .filter(([, f]) => isPublic(f))
    .map(([name]) => name);
}
