// Mutations answer with the ticket as it is after the change.
import type { Context } from '../context.ts';

export function ticketPayload(ctx: Context, ticketId: string) {
  return ctx.prisma.ticket.findUniqueOrThrow({ where: { id: ticketId } });
}
