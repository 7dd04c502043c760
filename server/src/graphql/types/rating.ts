import { InvalidTransition, NotAllowed, NotFound, StaleWrite, ValidationFailed } from '../../domain/errors.ts';
import { builder } from '../builder.ts';
import { text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { TicketRef } from './ticket.ts';
import { TicketPayload } from './ticket-lifecycle.ts';

builder.prismaNode('Rating', {
  description: 'The creator\'s satisfaction rating (工单评价), one per ticket.',
  id: { field: 'id' },
  fields: (t) => ({
    score: t.exposeInt('score', { description: '1 (bad) to 5 (excellent).' }),
    comment: t.exposeString('comment', { nullable: true }),
    rater: t.relation('rater'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const write = { $all: { authenticated: true, scope: 'tickets:write' } } as const;

builder.mutationFields((t) => ({
  rateTicket: t.withAuth(write).field({
    type: TicketPayload,
    description: 'The creator rates a resolved or closed ticket, once.',
    args: {
      input: t.arg({
        type: builder.inputType('RateTicketInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            score: f.int(),
            comment: f.string({ required: false, ...text(LIMITS.rating.comment, { checked: true }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'RateTicketResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.rate(ctx.viewer, { ticketId: input.ticketId.id, score: input.score, comment: input.comment, expectedVersion: input.expectedVersion }),
    }),
  }),
  inviteRating: t.withAuth({ $all: { internal: true, scope: 'tickets:write' } }).field({
    type: TicketPayload,
    description: 'The assignee invites the creator to rate (邀请评价).',
    args: {
      input: t.arg({
        type: builder.inputType('InviteRatingInput', {
          fields: (f) => ({ ticketId: f.globalID({ for: TicketRef }), expectedVersion: f.int({ required: false }) }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, StaleWrite], union: { name: 'InviteRatingResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.inviteRating(ctx.viewer, { ticketId: input.ticketId.id, expectedVersion: input.expectedVersion }),
    }),
  }),
}));
