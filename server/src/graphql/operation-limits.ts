// What one GraphQL operation may ask for, and what its inputs may contain. Checked on
// every transport (HTTP, SSE, websockets), before anything executes:
//
// - depth, breadth and cost, counted the way the Pothos complexity plugin counts them
//   (each field 1, lists ×10), plus the number of aliases, all with fragments expanded.
//   They depend on the document only, so they are a validation rule and their result
//   is cached with the rest of validation. The complexity plugin (builder.ts) keeps the
//   same limits as a backstop at execution time.
// - password guesses: at most one field that checks a password (login, changePassword)
//   per operation, so aliases cannot turn one counted request into many argon2 checks.
// - strings PostgreSQL cannot store (U+0000, unpaired UTF-16 surrogates) and absurdly
//   nested variables are refused as bad input instead of failing deep in a query.
// - errors about the request itself (variables that do not coerce, malformed global
//   ids) get `extensions.code: BAD_USER_INPUT`, so every error a client can cause has a code.
import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { PothosValidationError } from '@pothos/core';

/** Depth, breadth and cost limits of one operation (also given to the complexity plugin). */
export const QUERY_LIMITS = { depth: 12, breadth: 300, complexity: 20_000 } as const;
/** Lists multiply the cost of what is selected inside them (Pothos' default). */
const LIST_MULTIPLIER = 10;
/** Input objects of the schema nest four levels at most; JSON values are kept shallow too. */
export const MAX_VARIABLE_DEPTH = 32;
/**
 * Documents: the largest of the board has ~120 tokens per operation and GraphiQL's
 * introspection ~160. The cap bounds parsing and validation time (graphql-js compares
 * same-named fields pairwise), the nesting cap the recursion of parser and validation.
 */
export const MAX_DOCUMENT_TOKENS = 10_000;
export const MAX_DOCUMENT_NESTING = 64;
/** Longer than any text field takes (descriptions: 40 000): cursors, ids, JSON strings included. */
export const MAX_STRING_LENGTH = 65_536;

export interface OperationLimits {
  depth: number;
  breadth: number;
  complexity: number;
  aliases: number;
}

export type LimitCode = 'QUERY_TOO_DEEP' | 'QUERY_TOO_BROAD' | 'QUERY_TOO_COMPLEX' | 'TOO_MANY_ALIASES' | 'TOO_MANY_PASSWORD_ATTEMPTS';

/** Field extensions of the fields that check a password (`extensions: PASSWORD_ATTEMPT`). */
export const PASSWORD_ATTEMPT = { gongdanPasswordAttempt: true } as const;
/** Password checks per operation: each is a guess, and each costs an argon2 verification. */
export const MAX_PASSWORD_ATTEMPTS = 1;
const isPasswordAttempt = (field: GraphQLField<unknown, unknown>) =>
  (field.extensions as { gongdanPasswordAttempt?: unknown } | undefined)?.gongdanPasswordAttempt === true;

export function limitError(code: LimitCode, actual: number, limit: number, operation?: string): GraphQLError {
  const op = operation ? `Operation "${operation}"` : 'The operation';
  const text: Record<LimitCode, string> = {
    QUERY_TOO_DEEP: `${op} is nested too deeply: depth ${actual}, the limit is ${limit}.`,
    QUERY_TOO_BROAD: `${op} selects too many fields: ${actual}, the limit is ${limit}.`,
    QUERY_TOO_COMPLEX: `${op} is too expensive: cost ${actual}, the limit is ${limit} (each field costs 1, lists multiply by ${LIST_MULTIPLIER}).`,
    TOO_MANY_ALIASES: `${op} uses too many aliases: ${actual}, the limit is ${limit}.`,
    TOO_MANY_PASSWORD_ATTEMPTS: `${op} tries ${actual} passwords (login, changePassword): at most ${limit} per operation.`,
  };
  return new GraphQLError(text[code], { extensions: { code, limit, actual } });
}

/** The complexity plugin's error (builder.ts): the same codes as the validation rule. */
export function complexityLimitError(kind: string, r: { depth: number; breadth: number; complexity: number }): GraphQLError {
  if (kind === 'Depth') return limitError('QUERY_TOO_DEEP', r.depth, QUERY_LIMITS.depth);
  if (kind === 'Breadth') return limitError('QUERY_TOO_BROAD', r.breadth, QUERY_LIMITS.breadth);
  return limitError('QUERY_TOO_COMPLEX', r.complexity, QUERY_LIMITS.complexity);
}

interface Measure {
  depth: number;
  breadth: number;
  complexity: number;
  aliases: number;
  /** Fields that check a password. */
  passwordAttempts: number;
  /** Lists nested in lists inside introspection (types → fields → args is 3). */
  introspectionLists: number;
}
const ZERO: Measure = { depth: 0, breadth: 0, complexity: 0, aliases: 0, passwordAttempts: 0, introspectionLists: 0 };
/**
 * Introspection is measured differently: its lists are bounded by the schema (~150
 * types), so they do not multiply the cost and nesting does not count as depth
 * (GraphiQL's query nests type references ~14 levels). What makes it expensive is lists
 * inside lists (types → fields → type → fields → …), so that nesting is capped instead.
 */
export const MAX_INTROSPECTION_LISTS = 3;

function fieldDef(type: GraphQLCompositeType, node: FieldNode, isRoot: boolean): GraphQLField<unknown, unknown> | undefined {
  const name = node.name.value;
  if (name === TypeNameMetaFieldDef.name) return undefined;
  // Introspection is measured too, in its own way (MAX_INTROSPECTION_LISTS).
  if (isRoot && name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
  if (isRoot && name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** Cost and multiplier of a field, from the complexity plugin's field extension. */
function fieldCost(field: GraphQLField<unknown, unknown>): { cost: number; multiplier: number } {
  const defaultMultiplier = isList(field.type) ? LIST_MULTIPLIER : 1;
  const option = (field.extensions as { complexity?: unknown } | undefined)?.complexity;
  if (typeof option === 'number') return { cost: option, multiplier: defaultMultiplier };
  if (option && typeof option === 'object') {
    const o = option as { field?: number; multiplier?: number };
    return { cost: o.field ?? 1, multiplier: o.multiplier ?? defaultMultiplier };
  }
  // Complexity functions would need argument values; none are used, so the default applies.
  return { cost: 1, multiplier: defaultMultiplier };
}

/**
 * Measures every operation of the document. Results are memoised per (selection set,
 * type), so fragments spread many times are measured once and a document that expands
 * exponentially is still measured in linear time (and its numbers explode, as they should).
 */
function measureDocument(context: ValidationContext, limits: OperationLimits): void {
  const schema = context.getSchema();
  const doc = context.getDocument();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<SelectionSetNode, Map<GraphQLCompositeType, Measure>>();
  const active = new Set<SelectionSetNode>();

  const selectionSet = (set: SelectionSetNode, type: GraphQLCompositeType, isRoot: boolean, introspection: boolean): Measure => {
    const cached = memo.get(set)?.get(type);
    if (cached) return cached;
    // A fragment cycle: NoFragmentCyclesRule reports it.
    if (active.has(set)) return ZERO;
    active.add(set);
    const m = { ...ZERO };
    const add = (x: Measure) => {
      m.depth = Math.max(m.depth, x.depth);
      m.introspectionLists = Math.max(m.introspectionLists, x.introspectionLists);
      m.breadth += x.breadth;
      m.complexity += x.complexity;
      m.aliases += x.aliases;
      m.passwordAttempts += x.passwordAttempts;
    };
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const def = fieldDef(type, sel, isRoot);
        const inIntrospection = introspection || def === SchemaMetaFieldDef || def === TypeMetaFieldDef;
        const { cost, multiplier } = def ? fieldCost(def) : { cost: 1, multiplier: 1 };
        const named = def ? getNamedType(def.type) : undefined;
        const sub = sel.selectionSet && named && isCompositeType(named) ? selectionSet(sel.selectionSet, named, false, inIntrospection) : ZERO;
        add({
          depth: inIntrospection ? 0 : 1 + sub.depth,
          breadth: 1 + sub.breadth,
          complexity: cost + sub.complexity * (inIntrospection ? 1 : Math.max(multiplier, 0)),
          aliases: (sel.alias ? 1 : 0) + sub.aliases,
          passwordAttempts: (def && isPasswordAttempt(def) ? 1 : 0) + sub.passwordAttempts,
          introspectionLists: inIntrospection ? (def && isList(def.type) ? 1 : 0) + sub.introspectionLists : 0,
        });
      } else {
        const fragment = sel.kind === Kind.FRAGMENT_SPREAD ? fragments.get(sel.name.value) : sel;
        if (!fragment) continue; // KnownFragmentNamesRule reports it.
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        const fragmentType = condition && isCompositeType(condition) ? condition : type;
        add(selectionSet(fragment.selectionSet, fragmentType, isRoot, introspection));
      }
    }
    active.delete(set);
    if (!memo.has(set)) memo.set(set, new Map());
    memo.get(set)!.set(type, m);
    return m;
  };

  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = schema.getRootType(d.operation);
    if (!root) continue; // validation reports the missing root type.
    const m = selectionSet(d.selectionSet, root, true, false);
    const name = d.name?.value;
    if (m.depth > limits.depth) context.reportError(limitError('QUERY_TOO_DEEP', m.depth, limits.depth, name));
    if (m.breadth > limits.breadth) context.reportError(limitError('QUERY_TOO_BROAD', m.breadth, limits.breadth, name));
    if (m.complexity > limits.complexity) context.reportError(limitError('QUERY_TOO_COMPLEX', m.complexity, limits.complexity, name));
    if (m.aliases > limits.aliases) context.reportError(limitError('TOO_MANY_ALIASES', m.aliases, limits.aliases, name));
    if (m.passwordAttempts > MAX_PASSWORD_ATTEMPTS) {
      context.reportError(limitError('TOO_MANY_PASSWORD_ATTEMPTS', m.passwordAttempts, MAX_PASSWORD_ATTEMPTS, name));
    }
    if (m.introspectionLists > MAX_INTROSPECTION_LISTS) {
      context.reportError(
        new GraphQLError(`Introspection nests lists ${m.introspectionLists} levels deep, the limit is ${MAX_INTROSPECTION_LISTS}.`, {
          extensions: { code: 'QUERY_TOO_COMPLEX', limit: MAX_INTROSPECTION_LISTS, actual: m.introspectionLists },
        }),
      );
    }
  }
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { spec: true, status: 400 } } });
}

/**
 * How deeply `{ [ (` nest in a GraphQL source, skipping strings and comments. Stops
 * counting once past `max`: it exists to refuse a document before the recursive
 * parser sees it.
 */
export function bracketNesting(source: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        i += 3;
        while (i < source.length && !source.startsWith('"""', i)) i += source.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i++;
        while (i < source.length && source[i] !== '"' && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      }
    } else if (c === '{' || c === '[' || c === '(') {
      deepest = Math.max(deepest, ++depth);
      if (deepest > max) return deepest;
    } else if (c === '}' || c === ']' || c === ')') {
      depth--;
    }
  }
  return deepest;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or null. */
export function unstorableText(s: string): string | null {
  if (s.length > MAX_STRING_LENGTH) return `is longer than ${MAX_STRING_LENGTH} characters`;
  if (s.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate';
  return null;
}

/** Validation rule: the limits above, and string literals that cannot be stored. */
export function operationLimitsRule(limits: OperationLimits): ValidationRule {
  // A stable name: yoga keys its validation cache by the names of the rules.
  const rule = (context: ValidationContext): ASTVisitor => ({
    Document: { enter: () => measureDocument(context, limits) },
    StringValue: (node) => {
      const problem = unstorableText(node.value);
      // The lexer already rejects unpaired surrogates; NUL arrives as the \u0000 escape.
      if (problem) context.reportError(new GraphQLError(`A string ${problem}, which is not accepted.`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }));
    },
  });
  Object.defineProperty(rule, 'name', { value: 'gongdanOperationLimits' });
  return rule;
}

/** Walks variable values without recursion (a hostile body may nest very deeply). */
export function checkVariables(values: unknown): string | null {
  const stack: [unknown, number, string][] = [[values, 0, '']];
  while (stack.length) {
    const [v, depth, at] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = unstorableText(v);
      if (problem) return `Variable ${at} ${problem}, which is not accepted.`;
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_VARIABLE_DEPTH) return `Variables nest deeper than ${MAX_VARIABLE_DEPTH} levels (at ${at}).`;
      if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, depth + 1, `${at || '$'}[${i}]`]));
      else {
        for (const [k, x] of Object.entries(v)) {
          const problem = unstorableText(k);
          if (problem) return `A key in variable ${at || '$'} ${problem}, which is not accepted.`;
          stack.push([x, depth + 1, at ? `${at}.${k}` : `$${k}`]);
        }
      }
    }
  }
  return null;
}

/** The envelop plugin: bounds the document before parsing, adds the rule, checks variables before execution. */
export function useOperationLimits(limits: OperationLimits): Plugin {
  const rule = operationLimitsRule(limits);
  const guard = ({ args, setResultAndStopExecution }: { args: { variableValues?: unknown }; setResultAndStopExecution: (r: { errors: GraphQLError[] }) => void }) => {
    const problem = args.variableValues == null ? null : checkVariables(args.variableValues);
    if (problem) setResultAndStopExecution({ errors: [badInput(problem)] });
  };
  return {
    onParse: ({ parseFn, setParseFn }) => {
      setParseFn((source, options) => {
        const nesting = bracketNesting(typeof source === 'string' ? source : source.body, MAX_DOCUMENT_NESTING);
        if (nesting > MAX_DOCUMENT_NESTING) {
          throw new GraphQLError(`The document nests brackets more than ${MAX_DOCUMENT_NESTING} levels deep.`, {
            extensions: { code: 'QUERY_TOO_DEEP', limit: MAX_DOCUMENT_NESTING, http: { spec: true, status: 400 } },
          });
        }
        return parseFn(source, { ...options, maxTokens: Math.min(options?.maxTokens ?? MAX_DOCUMENT_TOKENS, MAX_DOCUMENT_TOKENS) });
      });
    },
    onValidate: ({ validateFn, setValidationFn }) => {
      // The limits first, alone: a document that breaks them is refused without running
      // the other rules (graphql-js compares same-named fields pairwise, which is slow).
      setValidationFn((schema, documentAST, rules, typeInfo, options) => {
        const refused = validateFn(schema, documentAST, [rule], typeInfo, options);
        return refused.length ? refused : validateFn(schema, documentAST, rules, typeInfo, options);
      });
    },
    onExecute: guard,
    onSubscribe: guard,
  };
}

const MAX_ECHO = 200;

/**
 * For maskError: errors a client caused with its input, which graphql-js and Pothos
 * raise without a code (variables that do not coerce, global ids that are malformed or
 * of another type). They get BAD_USER_INPUT, and an echoed id is shortened. Anything
 * else returns null and is left to the caller.
 */
export function inputError(error: unknown): GraphQLError | null {
  if (!(error instanceof GraphQLError)) return null;
  const original = error.originalError;
  // Pothos' decoding of arguments: global ids that are malformed or of another type, cursors.
  const fromDecoding = original instanceof PothosValidationError;
  // Request errors (variables that do not coerce, an operation that cannot be chosen):
  // raised before execution, so without a path, and caused by nothing but GraphQL itself.
  const requestError = !error.path && !error.extensions?.code && (!original || original instanceof GraphQLError);
  if (!fromDecoding && !requestError) return null;
  const message = error.message.length > MAX_ECHO ? `${error.message.slice(0, MAX_ECHO)}…` : error.message;
  return new GraphQLError(fromDecoding ? message.replace(/^ID: /, 'Invalid ID: ') : message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  });
}
