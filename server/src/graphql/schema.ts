// Importing the type modules registers them on the builder; the schema is built once.
import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.ts';
import './types/errors.ts';
import './types/enums.ts';
import './types/user.ts';
import './types/session.ts';
import './types/api-token.ts';
import './types/team.ts';
import './types/ticket-type.ts';
import './types/organization.ts';
import './types/contact.ts';
import './types/sla-policy.ts';

export const schema = builder.toSchema();

/** The SDL committed as schema/schema.graphql: sorted, so diffs show real changes only. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
