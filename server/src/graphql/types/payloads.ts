// Mutations answer with the ticket as it is after the change. Payloads carry only its id;
// their `ticket` field loads it with the client's whole selection merged into one
// statement (plugin-prisma), instead of a row first and its relations one by one.
import type { Prisma } from '../../infra/db/generated/client.ts';
import type { Context } from '../context.ts';

export interface WithTicket {
  ticketId: string;
}

export const TICKET_AFTER_CHANGE = 'The ticket after the change.';

export function loadTicketAfterChange(query: { include?: Prisma.TicketInclude; select?: Prisma.TicketSelect }, p: WithTicket, ctx: Context) {
  return ctx.prisma.ticket.findUniqueOrThrow({ ...query, where: { id: p.ticketId } });
}
