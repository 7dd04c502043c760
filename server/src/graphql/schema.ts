// Importing the type modules registers them on the builder; the schema is built once.
import { getNamedType, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './types/errors.ts';
import './types/enums.ts';
import './types/user.ts';
import './types/session.ts';
import './types/login-lock.ts';
import './types/api-token.ts';
import './types/team.ts';
import './types/ticket-type.ts';
import './types/organization.ts';
import './types/contact.ts';
import './types/sla-policy.ts';
import './types/ticket.ts';
import './types/ticket-lifecycle.ts';
import './types/comment.ts';
import './types/assignment-offer.ts';
import './types/handover-request.ts';
import './types/assist-request.ts';
import './types/rating.ts';
import './types/queue.ts';
import './types/timeline-event.ts';
import './types/notification.ts';

export const schema = describeMechanicalTypes(builder.toSchema());

/**
 * Inputs, result unions, connections and edges follow fixed patterns; their
 * descriptions are written here once instead of by hand on each, so every type in
 * the SDL is described.
 */
function describeMechanicalTypes(s: GraphQLSchema): GraphQLSchema {
  const mutations = s.getMutationType()?.getFields() ?? {};
  const byTypeName = new Map<string, string>();
  for (const [name, field] of Object.entries(mutations)) {
    byTypeName.set(getNamedType(field.type).name, name);
    const input = field.args.find((a) => a.name === 'input');
    if (input) byTypeName.set(getNamedType(input.type).name, name);
  }
  for (const type of Object.values(s.getTypeMap())) {
    if (type.name.startsWith('__') || type.description) continue;
    const mutation = byTypeName.get(type.name);
    if (type.name.endsWith('Input') && mutation) type.description = `Input of \`${mutation}\`.`;
    else if (type.name.endsWith('Result') && mutation) type.description = `What \`${mutation}\` returns: its payload, or one of its typed failures.`;
    else if (type.name.endsWith('Payload')) type.description = 'The result of a successful mutation.';
    else if (type.name.endsWith('ConnectionEdge')) type.description = 'One item of a connection, with its cursor.';
    else if (type.name.endsWith('Connection')) type.description = 'A page of a list (Relay connection). Pass `pageInfo.endCursor` as `after` for the next page.';
  }
  return s;
}

/** The SDL committed as schema/schema.graphql: sorted, so diffs show real changes only. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
