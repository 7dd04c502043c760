import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { describe, expect, it } from 'vitest';
import { schema } from './schema.ts';
import { PUBLIC_FIELD, fieldsWithoutScopeRule, publicFields, requiresApiScope } from './scope-rules.ts';

describe('the scope rule walk', () => {
  it('lists the root fields of a schema that a token could use without a scope check', () => {
    type Tiny = { AuthScopes: { authenticated: boolean; internal: boolean; scope: string | readonly string[] } };
    // The options type carries the app's plugin options too (prisma); this schema uses scope-auth only.
    const options = { plugins: [ScopeAuthPlugin], scopeAuth: { authScopes: () => ({ authenticated: true, internal: true, scope: () => true }) } };
    const b = new SchemaBuilder<Tiny>(options as unknown as ConstructorParameters<typeof SchemaBuilder<Tiny>>[0]);
    b.queryType({});
    b.mutationType({});
    b.queryFields((t) => ({
      guarded: t.withAuth({ $all: { authenticated: true, scope: 'tickets:read' } }).boolean({ resolve: () => true }),
      scopeOnly: t.withAuth({ scope: 'settings:read' }).boolean({ resolve: () => true }),
      nestedAll: t.withAuth({ $any: { $all: { internal: true, scope: 'a' }, scope: 'b' } }).boolean({ resolve: () => true }),
      // A scope map is $any: internal alone lets a token through.
      loophole: t.withAuth({ internal: true, scope: 'tickets:read' }).boolean({ resolve: () => true }),
      roleOnly: t.withAuth({ internal: true }).boolean({ resolve: () => true }),
      unreadable: t.boolean({ authScopes: () => ({ scope: 'tickets:read' }), resolve: () => true }),
      open: t.boolean({ resolve: () => true }),
    }));
    b.mutationFields((t) => ({
      signIn: t.boolean({ extensions: PUBLIC_FIELD, resolve: () => true }),
      write: t.withAuth({ $all: { authenticated: true, scope: 'tickets:write' } }).boolean({ resolve: () => true }),
      anyWrite: t.withAuth({ scope: ['tickets:write', 'settings:write'] }).boolean({ resolve: () => true }),
      // A mutation a read-only token could call.
      readScoped: t.withAuth({ $all: { authenticated: true, scope: 'tickets:read' } }).boolean({ resolve: () => true }),
    }));
    const tiny = b.toSchema();
    expect(fieldsWithoutScopeRule(tiny).sort()).toEqual(['Mutation.readScoped', 'Query.loophole', 'Query.open', 'Query.roleOnly', 'Query.unreadable']);
    expect(publicFields(tiny)).toEqual(['Mutation.signIn']);
  });

  it('reads $any and $all the way scope-auth evaluates them', () => {
    expect(requiresApiScope({ scope: 'x' })).toBe(true);
    expect(requiresApiScope({ $all: { manager: true, scope: 'x' } })).toBe(true);
    expect(requiresApiScope({ $any: { scope: 'x', $all: { scope: 'y', admin: true } } })).toBe(true);
    expect(requiresApiScope({ manager: true, scope: 'x' })).toBe(false);
    expect(requiresApiScope({ $all: { manager: true, $any: { admin: true, scope: 'x' } } })).toBe(false);
    expect(requiresApiScope({})).toBe(false);
    expect(requiresApiScope(undefined)).toBe(false);
    const write = (s: string) => s.endsWith(':write');
    expect(requiresApiScope({ $all: { internal: true, scope: 'tickets:write' } }, write)).toBe(true);
    expect(requiresApiScope({ $all: { internal: true, scope: 'tickets:read' } }, write)).toBe(false);
    expect(requiresApiScope({ scope: ['tickets:write', 'tickets:read'] }, write)).toBe(false);
    expect(requiresApiScope({ scope: [] })).toBe(false);
  });
});

describe('the gongdan schema', () => {
  it('every Query and Subscription field requires an API token scope, every Mutation a write scope, except login', () => {
    expect(fieldsWithoutScopeRule(schema)).toEqual([]);
    expect(publicFields(schema)).toEqual(['Mutation.login']);
  });
});
