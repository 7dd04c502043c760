import { InvalidTransition, NotAllowed, NotFound, StaleWrite } from '../../domain/errors.ts';
import { builder } from '../builder.ts';
import { text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { TicketPayload } from './ticket-lifecycle.ts';

const OfferStatusEnum = builder.enumType('OfferStatus', { description: 'Where an assignment offer stands.', values: ['PENDING', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'CANCELLED'] as const });
const OfferSourceEnum = builder.enumType('OfferSource', {
  description: 'Who made an assignment offer.',
  values: { AUTO: { description: 'Auto dispatch chose the agent.' }, MANAGER: { description: 'A manager dispatched.' } },
});

export const AssignmentOfferRef = builder.prismaNode('AssignmentOffer', {
  description: '待接单: a ticket offered to an agent, who accepts or declines before it expires.',
  id: { field: 'id' },
  authScopes: { internal: true },
  fields: (t) => ({
    ticket: t.relation('ticket'),
    agent: t.relation('agent'),
    source: t.expose('source', { type: OfferSourceEnum }),
    offeredBy: t.relation('offeredBy', { nullable: true }),
    status: t.expose('status', { type: OfferStatusEnum }),
    reasons: t.stringList({ description: 'Why auto dispatch chose this agent.', resolve: (o) => (Array.isArray(o.reasons) ? o.reasons.map(String) : []) }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    respondedAt: t.expose('respondedAt', { type: 'DateTime', nullable: true }),
    declineNote: t.exposeString('declineNote', { nullable: true }),
  }),
});

const offerInput = (name: string) =>
  builder.inputType(name, {
    fields: (f) => ({
      offerId: f.globalID({ for: AssignmentOfferRef }),
      expectedVersion: f.int({ required: false, description: 'The ticket\'s version you last saw.' }),
      ...(name === 'DeclineOfferInput' && { note: f.string({ required: false, ...text(LIMITS.offer.declineNote) }) }),
    }),
  });

const offerWrite = { $all: { internal: true, scope: 'tickets:write' } } as const;

builder.mutationFields((t) => ({
  acceptOffer: t.withAuth(offerWrite).field({
    type: TicketPayload,
    description: '接单: the offered agent becomes the assignee. Fails once the offer has expired.',
    args: { input: t.arg({ type: offerInput('AcceptOfferInput'), required: true }) },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, StaleWrite], union: { name: 'AcceptOfferResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.acceptOffer(ctx.viewer, input.offerId.id, input.expectedVersion),
    }),
  }),
  declineOffer: t.withAuth(offerWrite).field({
    type: TicketPayload,
    description: 'Decline an offer: auto-dispatched tickets go to the next candidate, manager-dispatched ones back to the pool.',
    args: { input: t.arg({ type: offerInput('DeclineOfferInput'), required: true }) },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, StaleWrite], union: { name: 'DeclineOfferResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.declineOffer(ctx.viewer, input.offerId.id, (input as { note?: string | null }).note, input.expectedVersion),
    }),
  }),
}));
