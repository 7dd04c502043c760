// Selections generated from the schema, for tests that must reach every field.
import {
  getNamedType,
  isEnumType,
  isInterfaceType,
  isLeafType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLNamedType,
} from 'graphql';

/**
 * One selection per field of `type`, down to `depth`, each type at most once on a path,
 * with literal values for required arguments (fields whose required arguments cannot
 * be made up are left out) and `first: 2` on connections.
 */
export function fieldsOf(type: GraphQLNamedType, depth: number, skip: ReadonlySet<string>, path: ReadonlySet<string> = new Set([type.name])): string[] {
  if (isUnionType(type)) {
    return ['__typename', ...type.getTypes().filter((m) => !path.has(m.name)).map((m) => `... on ${m.name} { ${fieldsOf(m, depth, skip, new Set([...path, m.name])).join(' ')} }`)];
  }
  if (!isObjectType(type) && !isInterfaceType(type)) return [];
  const parts: string[] = [];
  for (const f of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
    if (skip.has(`${type.name}.${f.name}`)) continue;
    const args: string[] = [];
    let makeable = true;
    for (const a of f.args) {
      const named = getNamedType(a.type);
      if (a.name === 'first') args.push('first: 2');
      else if (!isNonNullType(a.type) || a.defaultValue !== undefined) continue;
      else if (isEnumType(named)) args.push(`${a.name}: ${named.getValues()[0]!.name}`);
      else if (isScalarType(named) && ['Int', 'Float'].includes(named.name)) args.push(`${a.name}: 1`);
      else if (isScalarType(named) && named.name === 'Boolean') args.push(`${a.name}: false`);
      else if (isScalarType(named) && named.name === 'String') args.push(`${a.name}: "x"`);
      else makeable = false;
    }
    if (!makeable) continue;
    const call = `${f.name}${args.length ? `(${args.join(', ')})` : ''}`;
    const named = getNamedType(f.type);
    if (isLeafType(named)) parts.push(call);
    else if (depth > 0 && !path.has(named.name)) {
      const sub = fieldsOf(named, depth - 1, skip, new Set([...path, named.name]));
      if (sub.length) parts.push(`${call} { ${sub.join(' ')} }`);
    }
  }
  return parts;
}

/** Selections grouped so that each document stays under the breadth limit (300 fields). */
export function chunked(parts: string[], budget = 200): string[] {
  const out: string[][] = [[]];
  let used = 0;
  for (const part of parts) {
    const cost = part.match(/[A-Za-z_]\w*/g)?.length ?? 1;
    if (used + cost > budget && out.at(-1)!.length) {
      out.push([]);
      used = 0;
    }
    out.at(-1)!.push(part);
    used += cost;
  }
  return out.map((c) => c.join(' '));
}
