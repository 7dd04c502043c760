import { InvalidTransition, NotAllowed, NotEligible, NotFound, StaleWrite, ValidationFailed } from '../../domain/errors.ts';
import { builder } from '../builder.ts';
import { text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import type { AssistRequest } from '../../infra/db/generated/client.ts';
import type { Context } from '../context.ts';
import { TICKET_AFTER_CHANGE, loadTicketAfterChange, type WithTicket } from './payloads.ts';
import { TeamRef } from './team.ts';
import { TicketRef } from './ticket.ts';
import { UserRef } from './user.ts';

const AssistStatusEnum = builder.enumType('AssistStatus', {
  description: 'Where an assist request stands.',
  values: {
    POOLED: { description: 'Waiting in the team\'s assist pool (待分配转办).' },
    OPEN: { description: 'With a handler.' },
    COMPLETED: {},
    FORWARDED: { description: 'Passed on; see `next`.' },
    CANCELLED: { description: 'The ticket was resolved or closed first.' },
  },
});

export const AssistRequestRef = builder.prismaNode('AssistRequest', {
  description: '转办: a request for help from a colleague or an assist team. The assignee does not change.',
  id: { field: 'id' },
  authScopes: { internal: true },
  fields: (t) => ({
    ticket: t.relation('ticket'),
    requester: t.relation('requester'),
    team: t.relation('team', { nullable: true }),
    handler: t.relation('handler', { nullable: true }),
    note: t.exposeString('note'),
    status: t.expose('status', { type: AssistStatusEnum }),
    reply: t.exposeString('reply', { nullable: true }),
    previous: t.relation('previous', { nullable: true, description: 'The request this one was forwarded from.' }),
    next: t.relation('next', { nullable: true, description: 'Where this request was forwarded to.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
  }),
});

const write = { $all: { internal: true, scope: 'tickets:write' } } as const;
const AssistPayload = builder.objectRef<WithTicket & { assist: AssistRequest }>('AssistPayload').implement({
  description: 'The assist request and the ticket after it.',
  fields: (f) => ({
    ticket: f.prismaField({ type: 'Ticket', description: TICKET_AFTER_CHANGE, resolve: (q, p, _a, ctx) => loadTicketAfterChange(q, p, ctx) }),
    assist: f.field({ type: AssistRequestRef, resolve: (p) => p.assist }),
  }),
});
const ERRORS = [NotFound, NotAllowed, NotEligible, InvalidTransition, ValidationFailed, StaleWrite];

async function payload(ctx: Context, assistId: string) {
  const assist = await ctx.prisma.assistRequest.findUniqueOrThrow({ where: { id: assistId } });
  return { assist, ticketId: assist.ticketId };
}

builder.mutationFields((t) => ({
  requestAssist: t.withAuth(write).field({
    type: AssistPayload,
    description: 'Ask a person or an assist team for help. Give exactly one of toUserId, toTeamId.',
    args: {
      input: t.arg({
        type: builder.inputType('RequestAssistInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            toUserId: f.globalID({ for: UserRef, required: false }),
            toTeamId: f.globalID({ for: TeamRef, required: false }),
            note: f.string({ ...text(LIMITS.assist.note, { checked: true }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: ERRORS, union: { name: 'RequestAssistResult' } },
    resolve: async (_r, { input }, ctx) =>
      payload(
        ctx,
        await ctx.services.tickets.requestAssist(ctx.viewer, {
          ticketId: input.ticketId.id,
          toUserId: input.toUserId?.id,
          toTeamId: input.toTeamId?.id,
          note: input.note,
          expectedVersion: input.expectedVersion,
        }),
      ),
  }),
  dispatchAssist: t.withAuth(write).field({
    type: AssistPayload,
    description: 'A team manager gives a pooled assist request to a member of the team.',
    args: {
      input: t.arg({
        type: builder.inputType('DispatchAssistInput', {
          fields: (f) => ({
            assistId: f.globalID({ for: AssistRequestRef }),
            toUserId: f.globalID({ for: UserRef }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: ERRORS, union: { name: 'DispatchAssistResult' } },
    resolve: async (_r, { input }, ctx) =>
      payload(
        ctx,
        await ctx.services.tickets.dispatchAssist(ctx.viewer, { assistId: input.assistId.id, toUserId: input.toUserId.id, expectedVersion: input.expectedVersion }),
      ),
  }),
  completeAssist: t.withAuth(write).field({
    type: AssistPayload,
    description: '完成转办: the handler answers; the assignee is told.',
    args: {
      input: t.arg({
        type: builder.inputType('CompleteAssistInput', {
          fields: (f) => ({
            assistId: f.globalID({ for: AssistRequestRef }),
            reply: f.string({ ...text(LIMITS.assist.reply, { checked: true }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: ERRORS, union: { name: 'CompleteAssistResult' } },
    resolve: async (_r, { input }, ctx) =>
      payload(
        ctx,
        await ctx.services.tickets.completeAssist(ctx.viewer, { assistId: input.assistId.id, reply: input.reply, expectedVersion: input.expectedVersion }),
      ),
  }),
  forwardAssist: t.withAuth(write).field({
    type: AssistPayload,
    description: 'The handler passes the request on to a person or team (再次转办). Returns the new request.',
    args: {
      input: t.arg({
        type: builder.inputType('ForwardAssistInput', {
          fields: (f) => ({
            assistId: f.globalID({ for: AssistRequestRef }),
            toUserId: f.globalID({ for: UserRef, required: false }),
            toTeamId: f.globalID({ for: TeamRef, required: false }),
            note: f.string({ ...text(LIMITS.assist.note, { checked: true }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: ERRORS, union: { name: 'ForwardAssistResult' } },
    resolve: async (_r, { input }, ctx) =>
      payload(
        ctx,
        await ctx.services.tickets.forwardAssist(ctx.viewer, {
          assistId: input.assistId.id,
          toUserId: input.toUserId?.id,
          toTeamId: input.toTeamId?.id,
          note: input.note,
          expectedVersion: input.expectedVersion,
        }),
      ),
  }),
}));
