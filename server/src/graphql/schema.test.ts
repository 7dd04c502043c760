import { getNamedType, getNullableType, isInputObjectType, isIntrospectionType, isListType, isNonNullType, isObjectType, isSpecifiedScalarType, isUnionType } from 'graphql';
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

it('every mutation on an existing ticket takes expectedVersion and can answer StaleWrite', () => {
  const ticketMutations = Object.entries(schema.getMutationType()!.getFields()).filter(([name, field]) => {
    const input = getNamedType(field.args[0]?.type ?? field.type);
    if (!isInputObjectType(input)) return false;
    const fields = input.getFields();
    // Anything addressing a ticket, an offer, a handover or an assist request.
    return !['createTicket', 'addAttachment'].includes(name) && ['ticketId', 'offerId', 'handoverId', 'assistId'].some((f) => f in fields);
  });
  expect(ticketMutations.length).toBeGreaterThanOrEqual(20);
  for (const [name, field] of ticketMutations) {
    const input = getNamedType(field.args[0]!.type);
    expect(isInputObjectType(input) && 'expectedVersion' in input.getFields(), name).toBe(true);
    const result = getNamedType(field.type);
    expect(isUnionType(result) && result.getTypes().some((t) => t.name === 'StaleWrite'), name).toBe(true);
  }
});

it('a field some viewers may not read answers them null, or an empty list, never an error', () => {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map((t) => t?.name));
  const guarded: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type) || roots.has(type.name)) continue;
    for (const field of Object.values(type.getFields())) {
      const options = (field.extensions as { pothosOptions?: { authScopes?: unknown; unauthorizedResolver?: (...a: unknown[]) => unknown } }).pothosOptions;
      if (!options?.authScopes) continue;
      const name = `${type.name}.${field.name}`;
      guarded.push(name);
      expect(options.unauthorizedResolver, name).toBeTypeOf('function');
      const answer = options.unauthorizedResolver!();
      if (isListType(getNullableType(field.type))) expect(answer, name).toEqual([]);
      else {
        expect(isNonNullType(field.type), `${name} must be nullable`).toBe(false);
        expect(answer, name).toBeNull();
      }
    }
  }
  expect(guarded).toEqual(expect.arrayContaining(['Ticket.offers', 'Ticket.handovers', 'Ticket.assists', 'User.capacity', 'User.presence']));
});
