// Input limits have one source (domain/limits.ts): every limit the printed SDL documents
// ("At most N characters." / "At most N items.") is the one enforced. For each, the
// maximum is accepted and one more is refused with an error naming the field — a typed
// ValidationFailed where a service checks it, VALIDATION_FAILED before the resolver
// elsewhere. Lengths count characters (code points): the values mix in an emoji, which
// is two UTF-16 units.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { hashPassword } from '../../src/services/auth/password.ts';
import { TEST_PASSWORD, actor, globalId, makeUser, sessionFor, uid } from '../support/builders.ts';
import { root } from '../support/paths.ts';
import { startTestApp, type GqlResult, type TestApp } from '../support/test-app.ts';
import { makeType } from '../support/tickets.ts';
import { collect, wsClient } from '../support/ws.ts';

// ───────────────────────────── the limits the printed SDL documents ─────────────────────────────

type Kind = 'text' | 'items' | 'item' | 'json';
interface Limit {
  /** `Type.field` of an input type, or `Root.field(arg)`. */
  coord: string;
  kind: Kind;
  max: number;
}

const TEXT = /At most (\d+) characters\./;
const JSON_TEXT = /At most (\d+) characters as JSON\./;
const ITEMS = /At most (\d+) items(?:, each at most (\d+) characters)?\./;

function limitsOf(description: string | null | undefined, coord: string): Limit[] {
  if (!description) return [];
  const json = JSON_TEXT.exec(description);
  if (json) return [{ coord, kind: 'json', max: Number(json[1]) }];
  const items = ITEMS.exec(description);
  if (items) return [{ coord, kind: 'items', max: Number(items[1]) }, ...(items[2] ? [{ coord, kind: 'item' as const, max: Number(items[2]) }] : [])];
  const text = TEXT.exec(description);
  return text ? [{ coord, kind: 'text', max: Number(text[1]) }] : [];
}

async function documentedLimits(): Promise<Limit[]> {
  const printed = buildSchema(await readFile(path.join(root, 'schema/schema.graphql'), 'utf8'));
  const out: Limit[] = [];
  for (const type of Object.values(printed.getTypeMap())) {
    if (isInputObjectType(type)) for (const f of Object.values(type.getFields())) out.push(...limitsOf(f.description, `${type.name}.${f.name}`));
    if (isObjectType(type) && ['Query', 'Mutation', 'Subscription'].includes(type.name)) {
      for (const f of Object.values(type.getFields())) for (const a of f.args) out.push(...limitsOf(a.description, `${type.name}.${f.name}(${a.name})`));
    }
  }
  return out;
}

// ───────────────────────────── requests that reach a field ─────────────────────────────

type Root = 'Query' | 'Mutation' | 'Subscription';
interface Route {
  root: Root;
  field: GraphQLField<unknown, unknown>;
  arg: GraphQLArgument;
  /** Field names from the argument down to the limited field. */
  path: string[];
}

const rootType = (r: Root) => ({ Query: schema.getQueryType(), Mutation: schema.getMutationType(), Subscription: schema.getSubscriptionType() })[r]!;

/** The first operation whose arguments lead to `coord`: mutations first, then queries. */
function routeTo(coord: string): Route {
  const rootArg = /^(\w+)\.(\w+)\((\w+)\)$/.exec(coord);
  if (rootArg) {
    const field = rootType(rootArg[1] as Root).getFields()[rootArg[2]!]!;
    return { root: rootArg[1] as Root, field, arg: field.args.find((a) => a.name === rootArg[3])!, path: [] };
  }
  const [typeName, fieldName] = coord.split('.') as [string, string];
  const find = (type: GraphQLInputType, seen: Set<string>): string[] | null => {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || seen.has(named.name)) return null;
    for (const f of Object.values(named.getFields())) {
      if (named.name === typeName && f.name === fieldName) return [f.name];
      const below = find(f.type, new Set([...seen, named.name]));
      if (below) return [f.name, ...below];
    }
    return null;
  };
  for (const r of ['Mutation', 'Query'] as const) {
    for (const field of Object.values(rootType(r).getFields())) {
      for (const arg of field.args) {
        const p = find(arg.type, new Set());
        if (p) return { root: r, field, arg, path: p };
      }
    }
  }
  throw new Error(`no operation takes ${coord}`);
}

let n = 0;
const fakeUuid = () => `01890000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
/** Records the settings updates name (they look the record up before checking the input). */
const real: Record<string, string> = {};
const idFor = (f: { extensions: { relayGlobalIDFor?: readonly { typename: string }[] | null } }) => {
  const typename = f.extensions.relayGlobalIDFor?.[0]?.typename;
  if (!typename) throw new Error('an ID input without a type to name');
  return typename;
};

/** Values the other inputs need to get past their own checks, by input type. */
const BASE: Record<string, Record<string, unknown>> = {
  CreateTicketInput: { replyMethod: 'IM', title: '标题' },
  FieldDefinitionInput: { key: 'note', label: '备注', kind: 'SINGLE_SELECT', options: [{ value: 'a', label: 'A' }], editableAfterSubmit: true, editableBy: ['MANAGER'] },
  FieldValueInput: { key: 'note', value: 'x' },
  AssignmentSettingsInput: { modes: ['MANAGER'] },
  CreateUserInput: { role: 'AGENT' },
  AddAttachmentInput: { contentType: 'text/plain', size: 10 },
};

/** A plausible value for an input, enough to get past the GraphQL layer. */
function fill(type: GraphQLInputType, name: string, holder: GraphQLInputField | GraphQLArgument): unknown {
  if (isNonNullType(type)) return fill(type.ofType, name, holder);
  if (isListType(type)) return [fill(type.ofType as GraphQLInputType, name, holder)];
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) if (isNonNullType(f.type)) out[f.name] = fill(f.type, f.name, f);
    return { ...out, ...BASE[type.name] };
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  switch (type.name) {
    case 'ID': {
      const typename = idFor(holder as never);
      return globalId(typename, real[typename] ?? fakeUuid());
    }
    case 'String':
      if (name === 'email') return `u${++n}@example.com`;
      if (name === 'currentPassword') return TEST_PASSWORD;
      return stringOf(name, 12);
    case 'Int':
      return name === 'score' ? 5 : name === 'acceptTimeoutSeconds' ? 600 : 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return '2099-01-01T00:00:00Z';
    default:
      return 'x';
  }
}

/** A string of exactly `length` characters that is otherwise valid for the field, and new (names are unique). */
function stringOf(field: string, length: number): string {
  const fresh = String(++n);
  if (field === 'email') return `${fresh}${'a'.repeat(length - 12 - fresh.length)}@example.com`;
  if (field === 'phone') return `1${'3'.repeat(length - 1)}`;
  if (field === 'contentType') return `text/${'x'.repeat(length - 5)}`;
  if (field === 'key') return `k${'x'.repeat(length - 1)}`;
  // New passwords must also pass the policy (not easy to guess): random characters.
  if (/password/i.test(field)) return randomBytes(length).toString('base64url').slice(0, length);
  // An emoji is one character and two UTF-16 units.
  return `😀${fresh}${'工'.repeat(length - 1 - fresh.length)}`;
}

/** JSON whose text is exactly `length` characters, without any string over the global cap. */
function jsonOfLength(length: number): unknown {
  const parts: string[] = [];
  let total = 2; // []
  while (total < length) {
    const room = length - total - (parts.length ? 3 : 2); // quotes, and a comma after the first
    const chunk = Math.min(1000, room);
    if (chunk < 0) throw new Error('cannot hit the length exactly');
    parts.push('j'.repeat(chunk));
    total += chunk + (parts.length > 1 ? 3 : 2);
  }
  expect(JSON.stringify(parts).length).toBe(length);
  return parts;
}

/** `count` distinct items of a list input. */
function itemsOf(type: GraphQLInputType, name: string, holder: GraphQLInputField | GraphQLArgument, count: number): unknown[] {
  const item = getNamedType(type);
  if (isEnumType(item)) {
    const values = item.getValues().map((v) => v.name);
    return Array.from({ length: count }, (_, i) => values[i % values.length]);
  }
  return Array.from({ length: count }, (_, i) => {
    const one = fill(item as GraphQLInputType, name, holder);
    if (item.name === 'String') return `${name}${i}`;
    if (item.name === 'ID') return globalId(idFor(holder as never), fakeUuid());
    if (item.name === 'FieldValueInput') return { ...(one as object), key: `k${i}` };
    if (item.name === 'FieldDefinitionInput') return { ...(one as object), key: `f${i}` };
    if (item.name === 'FieldOptionInput') return { value: `v${i}`, label: `选项 ${i}` };
    return one;
  });
}

/** The whole argument with the limited field set to a value of `size`. */
function argumentWith(route: Route, limit: Limit, size: number): unknown {
  const holders: (GraphQLInputField | GraphQLArgument)[] = [route.arg];
  let type = getNamedType(route.arg.type);
  for (const name of route.path) {
    if (!isInputObjectType(type)) throw new Error(`${limit.coord}: ${type.name} has no fields`);
    const f = type.getFields()[name]!;
    holders.push(f);
    type = getNamedType(f.type);
  }
  const target = holders.at(-1)!;
  const name = target.name;
  const value =
    limit.kind === 'json'
      ? jsonOfLength(size)
      : limit.kind === 'items'
        ? itemsOf(target.type, name, target, size)
        : limit.kind === 'item'
          ? [stringOf(name, size)]
          : stringOf(name, size);
  if (route.path.length === 0) return value;
  // Build the argument from the top, each level filled, the limited field replaced.
  const build = (depth: number): unknown => {
    const h = holders[depth]!;
    if (depth === holders.length - 1) return value;
    const t = getNamedType(h.type);
    const level = isInputObjectType(t) ? (fill(t, h.name, h) as Record<string, unknown>) : {};
    const inner = build(depth + 1);
    const childType = holders[depth + 1]!.type;
    const isList = isListType(isNonNullType(childType) ? childType.ofType : childType) && depth + 1 < holders.length - 1;
    return { ...level, [route.path[depth]!]: isList ? [inner] : inner };
  };
  return build(0);
}

/** The selection that shows a refusal: the typed ValidationFailed where the result has it. */
function resultSelection(field: GraphQLField<unknown, unknown>): string {
  const type = getNamedType(field.type);
  if (isUnionType(type)) {
    const typed = type.getTypes().some((t) => t.name === 'ValidationFailed');
    return `{ __typename ${typed ? '... on ValidationFailed { fieldErrors { field } }' : ''} }`;
  }
  return isObjectType(type) ? '{ __typename }' : '';
}

interface Answer {
  /** Paths of the fields the answer names as invalid, from the argument down. */
  invalid: string[];
  /** Codes of errors that are not VALIDATION_FAILED. */
  other: string[];
}

function answerOf(r: GqlResult, route: Route): Answer {
  const invalid: string[] = [];
  const other: string[] = [];
  for (const e of r.errors ?? []) {
    const code = String(e.extensions?.code);
    if (code !== 'VALIDATION_FAILED') other.push(`${code}: ${e.message}`);
    for (const f of (e.extensions?.fieldErrors as { field: string }[] | undefined) ?? []) invalid.push(f.field.split('.').slice(1).join('.'));
  }
  const typed = (r.data as Record<string, { __typename?: string; fieldErrors?: { field: string }[] }> | null | undefined)?.[route.field.name];
  // A service names fields relative to the input, sometimes under a prefix of its own.
  for (const f of typed?.fieldErrors ?? []) invalid.push(f.field);
  return { invalid, other };
}

/** Whether the answer names the limited field: the list itself, or its first item. */
function names(answer: Answer, route: Route, limit: Limit): boolean {
  const full = [...route.path.flatMap((p, i) => (i < route.path.length - 1 && isListField(route, i) ? [p, '0'] : [p])), ...(limit.kind === 'item' ? ['0'] : [])];
  const target = full.join('.');
  return answer.invalid.some((f) => f === target || (f !== '' && (target === f || target.endsWith(`.${f}`)) && f.split('.').at(-1) === full.at(-1)));
}

function isListField(route: Route, depth: number): boolean {
  let type = getNamedType(route.arg.type);
  for (let i = 0; i <= depth; i++) {
    if (!isInputObjectType(type)) return false;
    const f = type.getFields()[route.path[i]!]!;
    if (i === depth) return isListType(isNonNullType(f.type) ? f.type.ofType : f.type);
    type = getNamedType(f.type);
  }
  return false;
}

// ───────────────────────────────────────── the test ─────────────────────────────────────────

let t: TestApp;
let admin: { token: string };
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_ENABLED: false } });
  await t.listen();
  admin = await actor(t.db.prisma, 'ADMIN');
  const p = t.db.prisma;
  real.User = (await actor(p, 'AGENT')).user.id;
  real.Team = (await p.team.create({ data: { name: `组-${uid()}`, kind: 'SERVICE' } })).id;
  real.Organization = (await p.organization.create({ data: { name: `公司-${uid()}` } })).id;
  real.Contact = (await p.contact.create({ data: { name: '联系人' } })).id;
  real.TicketType = (await makeType(p, { modes: ['GRAB', 'MANAGER'] })).id;
});
afterAll(() => t.close());

async function send(route: Route, value: unknown): Promise<Answer> {
  const op = route.root.toLowerCase();
  const argType = String(route.arg.type);
  if (route.root === 'Subscription') return subscribe(route, value);
  const q = `${op} ($v: ${argType}) { ${route.field.name}(${route.arg.name}: $v) ${resultSelection(route.field)} }`;
  return answerOf(await t.gql(q, { v: value }, await tokenFor(value)), route);
}

/** Who sends it: the admin, or for a password change someone whose password is the one sent as current. */
async function tokenFor(value: unknown): Promise<string> {
  const current = (value as { currentPassword?: unknown } | null)?.currentPassword;
  if (typeof current !== 'string') return admin.token;
  const user = await makeUser(t.db.prisma, 'AGENT', { passwordHash: await hashPassword(current) });
  return sessionFor(t.db.prisma, user.id);
}

/** A subscription is refused at once, or starts and delivers. */
async function subscribe(route: Route, value: unknown): Promise<Answer> {
  const client = wsClient(t.url!, admin.token);
  const r = collect(client, `subscription ($v: ${String(route.arg.type)}) { ${route.field.name}(${route.arg.name}: $v) { seq } }`, { v: value });
  try {
    await new Promise((ok) => setTimeout(ok, 200));
    if (!r.errors.length) {
      await makeType(t.db.prisma, { modes: ['GRAB'] }).then((type) =>
        t.gql('mutation ($i: CreateTicketInput!) { createTicket(input: $i) { __typename } }', { i: { typeId: globalId('TicketType', type.id), title: `订阅 ${uid()}`, replyMethod: 'IM' } }, admin.token),
      );
      await r.until((xs) => xs.length > 0 || r.errors.length > 0);
    }
    const errors = r.errors.flatMap((e) => (Array.isArray(e) ? e : [e])) as { message: string; extensions?: Record<string, unknown> }[];
    return answerOf({ errors: errors.length ? errors : undefined, data: null }, route);
  } finally {
    r.close();
    await client.dispose();
  }
}

describe('input limits', () => {
  it('the printed SDL documents limits, and every documented one is reachable', async () => {
    const limits = await documentedLimits();
    expect(limits.length).toBeGreaterThan(60);
    for (const l of limits) expect(() => routeTo(l.coord), l.coord).not.toThrow();
    // The ones the issue was about, documented as the services enforce them.
    expect(limits).toEqual(expect.arrayContaining([
      { coord: 'CreateTicketInput.title', kind: 'text', max: 200 },
      { coord: 'ResolveTicketInput.resolution', kind: 'text', max: 20_000 },
    ]));
  });

  it('accepts the maximum and refuses one more, naming the field, for every documented limit', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    for (const limit of await documentedLimits()) {
      const route = routeTo(limit.coord);
      const at = await send(route, argumentWith(route, limit, limit.max));
      const over = await send(route, argumentWith(route, limit, limit.max + 1));
      const label = `${limit.coord} (${limit.kind} ${limit.max}) via ${route.field.name}`;
      if (names(at, route, limit) || at.other.length) failures.push(`${label}: the maximum was refused: ${JSON.stringify(at)}`);
      if (!names(over, route, limit) || over.other.length) failures.push(`${label}: one more was not refused by its limit: ${JSON.stringify(over)}`);
    }
    expect(failures).toEqual([]);
  });
});
