// The lifecycle mutations of a ticket. Each decodes its input, calls the ticket
// service and returns the ticket after the change, or a typed failure.
import { z } from 'zod';
import {
  InvalidTransition,
  NotAllowed,
  NotEligible,
  NotFound,
  StaleWrite,
  TicketAlreadyTaken,
  ValidationFailed,
} from '../../domain/errors.ts';
import { charCount, LIMITS } from '../../domain/limits.ts';
import { builder } from '../builder.ts';
import { list, text } from '../limits.ts';
import { PriorityEnum } from './enums.ts';
import { OrganizationRef } from './organization.ts';
import { ContactRef } from './contact.ts';
import { TICKET_AFTER_CHANGE, loadTicketAfterChange, type WithTicket } from './payloads.ts';
import { ChannelEnum, ReplyMethodEnum, TicketRef, TicketStatusEnum } from './ticket.ts';
import { TicketTypeRef } from './ticket-type.ts';
import { UserRef } from './user.ts';

export const TicketPayload = builder.objectRef<WithTicket>('TicketPayload').implement({
  description: TICKET_AFTER_CHANGE,
  fields: (t) => ({
    ticket: t.prismaField({ type: 'Ticket', description: TICKET_AFTER_CHANGE, resolve: (q, p, _a, ctx) => loadTicketAfterChange(q, p, ctx) }),
  }),
});

const write = { $all: { authenticated: true, scope: 'tickets:write' } } as const;
const internalWrite = { $all: { internal: true, scope: 'tickets:write' } } as const;

const FieldValueInput = builder.inputType('FieldValueInput', {
  description: 'A value for a custom field, by the field\'s key. Null or empty clears an optional field.',
  fields: (t) => ({
    key: t.string({ ...text(LIMITS.fieldValue.key) }),
    // Any JSON; the field's kind decides what is valid. Bounded here before that check runs.
    value: t.field({
      type: 'JSON',
      required: false,
      description: `Shaped by the field kind. At most ${LIMITS.fieldValue.json} characters as JSON.`,
      validate: z.unknown().refine((v) => charCount(JSON.stringify(v ?? null)) <= LIMITS.fieldValue.json, `at most ${LIMITS.fieldValue.json} characters as JSON`),
    }),
  }),
});

const CreateTicketInput = builder.inputType('CreateTicketInput', {
  fields: (t) => ({
    typeId: t.globalID({ for: TicketTypeRef }),
    title: t.string({ ...text(LIMITS.ticket.title, { checked: true, description: 'One line.' }) }),
    description: t.string({ required: false, ...text(LIMITS.ticket.description, { checked: true, description: 'Markdown.' }) }),
    priority: t.field({ type: PriorityEnum, required: false, description: 'Defaults to the type\'s default priority.' }),
    tags: t.stringList({ required: false, ...list(LIMITS.ticket.tags, { checked: true, itemMax: LIMITS.ticket.tag }) }),
    fieldValues: t.field({ type: [FieldValueInput], required: false, ...list(LIMITS.ticket.fieldValues) }),
    organizationId: t.globalID({ for: OrganizationRef, required: false }),
    contactId: t.globalID({ for: ContactRef, required: false }),
    replyMethod: t.field({ type: ReplyMethodEnum, required: false, description: 'Defaults to EMAIL when the contact has an address, else IM.' }),
    replyAddress: t.string({ required: false, ...text(LIMITS.ticket.replyAddress, { checked: true, description: 'Email or phone for EMAIL/SMS; defaults to the contact\'s.' }) }),
    channel: t.field({ type: ChannelEnum, required: false }),
    parentId: t.globalID({ for: TicketRef, required: false }),
    idempotencyKey: t.string({
      required: false,
      ...text(LIMITS.ticket.idempotencyKey, { checked: true, description: 'Retrying with the same key returns the same ticket instead of a duplicate (scoped to you).' }),
    }),
  }),
});


builder.mutationFields((t) => ({
  createTicket: t.withAuth(write).field({
    type: builder.objectRef<WithTicket & { replayed: boolean }>('CreateTicketPayload').implement({
      description: 'The new ticket (or the one an earlier request with the same idempotencyKey created).',
      fields: (f) => ({
        ticket: f.prismaField({ type: 'Ticket', description: 'The ticket.', resolve: (q, p, _a, ctx) => loadTicketAfterChange(q, p, ctx) }),
        replayed: f.exposeBoolean('replayed', { description: 'True when an earlier request with the same idempotencyKey created the ticket.' }),
      }),
    }),
    description: '新建工单. Validated against the type\'s field template; lands in the pool and is routed by the type\'s assignment settings.',
    args: { input: t.arg({ type: CreateTicketInput, required: true }) },
    errors: { types: [ValidationFailed, NotAllowed, NotFound], union: { name: 'CreateTicketResult' } },
    resolve: async (_r, { input }, ctx) => {
      const { ticketId: id, replayed } = await ctx.services.tickets.create(ctx.viewer, {
        typeId: input.typeId.id,
        title: input.title,
        description: input.description,
        priority: input.priority,
        tags: input.tags,
        fieldValues: input.fieldValues?.map((v) => ({ key: v.key, value: v.value })),
        organizationId: input.organizationId?.id,
        contactId: input.contactId?.id,
        replyMethod: input.replyMethod,
        replyAddress: input.replyAddress,
        channel: input.channel,
        parentId: input.parentId?.id,
        idempotencyKey: input.idempotencyKey,
      });
      return { ticketId: id, replayed };
    },
  }),

  grabTicket: t.withAuth(internalWrite).field({
    type: TicketPayload,
    description: '抢单: take a pool ticket. Of concurrent grabs exactly one wins; the others get TicketAlreadyTaken.',
    args: {
      input: t.arg({
        type: builder.inputType('GrabTicketInput', {
          fields: (f) => ({ ticketId: f.globalID({ for: TicketRef }), expectedVersion: f.int({ required: false }) }),
        }),
        required: true,
      }),
    },
    errors: { types: [TicketAlreadyTaken, NotFound, NotAllowed, NotEligible, InvalidTransition, StaleWrite], union: { name: 'GrabTicketResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.grab(ctx.viewer, input.ticketId.id, input.expectedVersion),
    }),
  }),

  dispatchTicket: t.withAuth({ $all: { manager: true, scope: 'tickets:write' } }).field({
    type: TicketPayload,
    description: '派单: a manager sends a pool ticket to an eligible agent (who must accept first if the type says so).',
    args: {
      input: t.arg({
        type: builder.inputType('DispatchTicketInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            agentId: f.globalID({ for: UserRef }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [TicketAlreadyTaken, NotFound, NotAllowed, NotEligible, InvalidTransition, StaleWrite], union: { name: 'DispatchTicketResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.dispatch(ctx.viewer, { ticketId: input.ticketId.id, agentId: input.agentId.id, expectedVersion: input.expectedVersion }),
    }),
  }),

  reassignTicket: t.withAuth({ $all: { manager: true, scope: 'tickets:write' } }).field({
    type: TicketPayload,
    description:
      '改派: a manager gives a ticket in progress to another eligible agent at once (管理员通过移交变更指派). The status stays; the previous assignee becomes a read-only sharer; a pending handover ends.',
    args: {
      input: t.arg({
        type: builder.inputType('ReassignTicketInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            agentId: f.globalID({ for: UserRef, description: 'The new assignee: an eligible agent of the ticket\'s type.' }),
            reason: f.string({ ...text(LIMITS.reassign.reason, { checked: true, description: 'Why (internal: kept in the timeline, not shown to the customer).' }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, NotEligible, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'ReassignTicketResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.reassign(ctx.viewer, { ticketId: input.ticketId.id, agentId: input.agentId.id, reason: input.reason, expectedVersion: input.expectedVersion }),
    }),
  }),

  returnTicketToPool: t.withAuth({ $all: { manager: true, scope: 'tickets:write' } }).field({
    type: TicketPayload,
    description:
      '退回待分配: a manager sends a ticket in progress back to the pool, without an assignee. Its assists and a pending handover end; the previous assignee becomes a read-only sharer.',
    args: {
      input: t.arg({
        type: builder.inputType('ReturnTicketToPoolInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            reason: f.string({ ...text(LIMITS.reassign.reason, { checked: true, description: 'Why (internal: kept in the timeline, not shown to the customer).' }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'ReturnTicketToPoolResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.returnToPool(ctx.viewer, { ticketId: input.ticketId.id, reason: input.reason, expectedVersion: input.expectedVersion }),
    }),
  }),

  setTicketStatus: t.withAuth(internalWrite).field({
    type: TicketPayload,
    description: 'The assignee moves between PROCESSING, WAITING_CUSTOMER (pauses SLA) and WAITING_THIRD_PARTY.',
    args: {
      input: t.arg({
        type: builder.inputType('SetTicketStatusInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            status: f.field({ type: TicketStatusEnum }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, StaleWrite], union: { name: 'SetTicketStatusResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.setStatus(ctx.viewer, { ticketId: input.ticketId.id, status: input.status, expectedVersion: input.expectedVersion }),
    }),
  }),

  resolveTicket: t.withAuth(internalWrite).field({
    type: TicketPayload,
    description: '办结: the assignee resolves with a reply, which is sent to the creator by their reply method.',
    args: {
      input: t.arg({
        type: builder.inputType('ResolveTicketInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            resolution: f.string({ ...text(LIMITS.ticket.resolution, { checked: true, description: 'The reply sent to the creator.' }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'ResolveTicketResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.resolve(ctx.viewer, { ticketId: input.ticketId.id, resolution: input.resolution, expectedVersion: input.expectedVersion }),
    }),
  }),

  reopenTicket: t.withAuth(write).field({
    type: TicketPayload,
    description: '"Not solved": the creator (or the assignee, or a manager) reopens a resolved ticket; the assignee stays.',
    args: {
      input: t.arg({
        type: builder.inputType('ReopenTicketInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            reason: f.string({ required: false, ...text(LIMITS.ticket.reason, { checked: true }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'ReopenTicketResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.reopen(ctx.viewer, { ticketId: input.ticketId.id, reason: input.reason, expectedVersion: input.expectedVersion }),
    }),
  }),

  confirmResolution: t.withAuth(write).field({
    type: TicketPayload,
    description: '用户确认: the creator confirms a resolved ticket is solved, which closes it. (Saying "not solved" is reopenTicket.)',
    args: {
      input: t.arg({
        type: builder.inputType('ConfirmResolutionInput', {
          fields: (f) => ({ ticketId: f.globalID({ for: TicketRef }), expectedVersion: f.int({ required: false }) }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, StaleWrite], union: { name: 'ConfirmResolutionResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.confirmResolution(ctx.viewer, { ticketId: input.ticketId.id, expectedVersion: input.expectedVersion }),
    }),
  }),

  closeTicket: t.withAuth({ $all: { manager: true, scope: 'tickets:write' } }).field({
    type: TicketPayload,
    description: 'A manager closes a ticket. CLOSED is final.',
    args: {
      input: t.arg({
        type: builder.inputType('CloseTicketInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            reason: f.string({ required: false, ...text(LIMITS.ticket.reason, { checked: true }) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'CloseTicketResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.close(ctx.viewer, { ticketId: input.ticketId.id, reason: input.reason, expectedVersion: input.expectedVersion }),
    }),
  }),

  updateTicketFields: t.withAuth(write).field({
    type: TicketPayload,
    description: 'Edit custom fields the type allows to be edited after submit, if you are one of their editors.',
    args: {
      input: t.arg({
        type: builder.inputType('UpdateTicketFieldsInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            values: f.field({ type: [FieldValueInput], ...list(LIMITS.ticket.fieldValues) }),
            expectedVersion: f.int({ required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'UpdateTicketFieldsResult' } },
    resolve: async (_r, { input }, ctx) => ({
      ticketId: await ctx.services.tickets.updateFields(ctx.viewer, {
          ticketId: input.ticketId.id,
          values: input.values.map((v) => ({ key: v.key, value: v.value })),
          expectedVersion: input.expectedVersion,
        }),
    }),
  }),
}));
