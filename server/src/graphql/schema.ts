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

export const schema = builder.toSchema();

/** The SDL committed as schema/schema.graphql: sorted, so diffs show real changes only. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
