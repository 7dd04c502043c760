import { isIntrospectionType, isSpecifiedScalarType } from 'graphql';
import { expect, it } from 'vitest';
import { schema } from './schema.ts';

it('every type in the public schema has a description', () => {
  const missing = Object.values(schema.getTypeMap())
    .filter((t) => !isIntrospectionType(t) && !isSpecifiedScalarType(t) && !t.description)
    .map((t) => t.name);
  expect(missing).toEqual([]);
});

it('every mutation takes exactly one required `input` (or none) and documents itself', () => {
  for (const [name, field] of Object.entries(schema.getMutationType()!.getFields())) {
    expect(field.description, name).toBeTruthy();
    if (name === 'logout') continue;
    expect(field.args.map((a) => a.name), name).toEqual(['input']);
    expect(String(field.args[0]!.type).endsWith('!'), name).toBe(true);
  }
});
