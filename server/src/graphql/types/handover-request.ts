import { InvalidTransition, NotAllowed, NotEligible, NotFound, StaleWrite, ValidationFailed } from '../../domain/errors.ts';
import { builder } from '../builder.ts';
import { text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { TicketRef } from './ticket.ts';
import { TicketPayload } from './ticket-lifecycle.ts';
import type { HandoverRequest } from '../../infra/db/generated/client.ts';
import { TICKET_AFTER_CHANGE, loadTicketAfterChange, type WithTicket } from './payloads.ts';
import { UserRef } from './user.ts';

const HandoverStatusEnum = builder.enumType('HandoverStatus', { description: 'Where a handover request stands.', values: ['PENDING', 'ACCEPTED', 'REJECTED', 'CANCELLED'] as const });

export const HandoverRequestRef = builder.prismaNode('HandoverRequest', {
  description: '移交: the assignee asks another agent to take the ticket over.',
  id: { field: 'id' },
  authScopes: { internal: true },
  fields: (t) => ({
    ticket: t.relation('ticket'),
    from: t.relation('from', { description: 'The assignee who asked.' }),
    to: t.relation('to', { description: 'The agent asked to take over.' }),
    reason: t.exposeString('reason'),
    status: t.expose('status', { type: HandoverStatusEnum }),
    responseNote: t.exposeString('responseNote', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    respondedAt: t.expose('respondedAt', { type: 'DateTime', nullable: true }),
  }),
});

const write = { $all: { internal: true, scope: 'tickets:write' } } as const;
const HandoverPayload = builder.objectRef<WithTicket & { handover: HandoverRequest }>('HandoverPayload').implement({
  description: 'The handover request and the ticket after it.',
  fields: (f) => ({
    ticket: f.prismaField({ type: 'Ticket', description: TICKET_AFTER_CHANGE, resolve: (q, p, _a, ctx) => loadTicketAfterChange(q, p, ctx) }),
    handover: f.field({ type: HandoverRequestRef, resolve: (p) => p.handover }),
  }),
});
const handoverIdInput = (name: string, withNote: boolean) =>
  builder.inputType(name, {
    fields: (f) => ({
      handoverId: f.globalID({ for: HandoverRequestRef }),
      expectedVersion: f.int({ required: false, description: 'The ticket\'s version you last saw.' }),
      ...(withNote && { note: f.string({ required: false, ...text(LIMITS.handover.note, { checked: true }) }) }),
    }),
  });

builder.mutationFields((t) => ({
  requestHandover: t.withAuth(write).field({
    type: HandoverPayload,
    description: 'The assignee asks an eligible agent to take the ticket over. The status stays as it is.',
    args: {
      input: t.arg({
        type: builder.inputType('RequestHandoverInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            toUserId: f.globalID({ for: UserRef }),
            reason: f.string({ ...text(LIMITS.handover.reason, { checked: true }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, NotEligible, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'RequestHandoverResult' } },
    resolve: async (_r, { input }, ctx) => {
      const id = await ctx.services.tickets.requestHandover(ctx.viewer, {
        ticketId: input.ticketId.id,
        toUserId: input.toUserId.id,
        reason: input.reason,
        expectedVersion: input.expectedVersion,
      });
      const handover = await ctx.prisma.handoverRequest.findUniqueOrThrow({ where: { id } });
      return { handover, ticketId: handover.ticketId };
    },
  }),
  acceptHandover: t.withAuth(write).field({
    type: TicketPayload,
    description: 'The target takes over; the requester stays on as a read-only sharer. Fails if the requester is no longer the assignee.',
    args: { input: t.arg({ type: handoverIdInput('AcceptHandoverInput', false), required: true }) },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, StaleWrite], union: { name: 'AcceptHandoverResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.acceptHandover(ctx.viewer, input.handoverId.id, input.expectedVersion),
    }),
  }),
  rejectHandover: t.withAuth(write).field({
    type: TicketPayload,
    description: 'The target declines; nothing changes on the ticket.',
    args: { input: t.arg({ type: handoverIdInput('RejectHandoverInput', true), required: true }) },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'RejectHandoverResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.rejectHandover(ctx.viewer, input.handoverId.id, (input as { note?: string | null }).note, input.expectedVersion),
    }),
  }),
  cancelHandover: t.withAuth(write).field({
    type: TicketPayload,
    description: 'The requester withdraws a pending handover.',
    args: { input: t.arg({ type: handoverIdInput('CancelHandoverInput', false), required: true }) },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, StaleWrite], union: { name: 'CancelHandoverResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.cancelHandover(ctx.viewer, input.handoverId.id, input.expectedVersion),
    }),
  }),
}));
