import { InvalidTransition, NotAllowed, NotFound, StaleWrite, ValidationFailed } from '../../domain/errors.ts';
import { builder } from '../builder.ts';
import { list, text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import type { Comment } from '../../infra/db/generated/client.ts';
import { TICKET_AFTER_CHANGE, loadTicketAfterChange, type WithTicket } from './payloads.ts';
import { TicketRef } from './ticket.ts';
import { UserRef } from './user.ts';

export const CommentVisibilityEnum = builder.enumType('CommentVisibility', {
  description: 'Who sees a comment.',
  values: {
    PUBLIC: { description: '公开评论: the customer sees it.' },
    INTERNAL: { description: '内部评论: internal staff only.' },
  },
});

export const CommentRef = builder.prismaNode('Comment', {
  description: 'A public comment or an internal note on a ticket.',
  id: { field: 'id' },
  fields: (t) => ({
    body: t.exposeString('body', { description: 'Markdown.' }),
    visibility: t.expose('visibility', { type: CommentVisibilityEnum }),
    author: t.relation('author'),
    mentions: t.prismaField({
      type: ['User'],
      description: 'People @mentioned. Internal: customers get an empty list.',
      authScopes: { internal: true },
      unauthorizedResolver: () => [],
      select: { mentionedUserIds: true },
      resolve: (query, c, _a, ctx) => (c.mentionedUserIds.length ? ctx.prisma.user.findMany({ ...query, where: { id: { in: c.mentionedUserIds } } }) : []),
    }),
    attachments: t.relation('attachments'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const AttachmentRef = builder.prismaNode('Attachment', {
  description: 'Metadata of an uploaded file; the bytes live in object storage under storageKey.',
  id: { field: 'id' },
  fields: (t) => ({
    fileName: t.exposeString('fileName'),
    contentType: t.exposeString('contentType'),
    size: t.exposeInt('size', { description: 'Bytes.' }),
    storageKey: t.exposeString('storageKey', { description: 'Where the bytes are kept. Assigned by the server.' }),
    uploader: t.relation('uploader'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const AddCommentInput = builder.inputType('AddCommentInput', {
  fields: (t) => ({
    ticketId: t.globalID({ for: TicketRef }),
    body: t.string({ ...text(LIMITS.comment.body, { checked: true }) }),
    visibility: t.field({ type: CommentVisibilityEnum, required: false, defaultValue: 'PUBLIC' }),
    mentionUserIds: t.globalIDList({ for: UserRef, required: false, ...list(LIMITS.comment.mentions, { checked: true }) }),
    attachmentIds: t.globalIDList({ for: AttachmentRef, required: false, ...list(LIMITS.comment.attachments, { checked: true }) }),
    expectedVersion: t.int({ required: false }),
  }),
});

builder.mutationFields((t) => ({
  addComment: t.withAuth({ $all: { authenticated: true, scope: 'tickets:write' } }).field({
    type: builder.objectRef<WithTicket & { comment: Comment }>('AddCommentPayload').implement({
      description: 'The new comment and the ticket after it.',
      fields: (f) => ({
        ticket: f.prismaField({ type: 'Ticket', description: TICKET_AFTER_CHANGE, resolve: (q, p, _a, ctx) => loadTicketAfterChange(q, p, ctx) }),
        comment: f.field({ type: CommentRef, resolve: (p) => p.comment }),
      }),
    }),
    description: 'Comment publicly or add an internal note; @mentions notify. Customers comment publicly on their own tickets.',
    args: { input: t.arg({ type: AddCommentInput, required: true }) },
    errors: { types: [NotFound, NotAllowed, InvalidTransition, ValidationFailed, StaleWrite], union: { name: 'AddCommentResult' } },
    resolve: async (_r, { input }, ctx) => {
      const commentId = await ctx.services.tickets.addComment(ctx.viewer, {
        ticketId: input.ticketId.id,
        body: input.body,
        visibility: input.visibility ?? 'PUBLIC',
        mentionUserIds: input.mentionUserIds?.map((x) => x.id),
        attachmentIds: input.attachmentIds?.map((x) => x.id),
        expectedVersion: input.expectedVersion,
      });
      const comment = await ctx.prisma.comment.findUniqueOrThrow({ where: { id: commentId } });
      return { ticketId: comment.ticketId, comment };
    },
  }),
  addAttachment: t.withAuth({ $all: { authenticated: true, scope: 'tickets:write' } }).field({
    type: builder.simpleObject('AddAttachmentPayload', { fields: (f) => ({ attachment: f.field({ type: AttachmentRef }) }) }),
    description: 'Record an uploaded file on a ticket; reference it from addComment.attachmentIds. The server assigns its storageKey.',
    args: {
      input: t.arg({
        type: builder.inputType('AddAttachmentInput', {
          fields: (f) => ({
            ticketId: f.globalID({ for: TicketRef }),
            fileName: f.string({ ...text(LIMITS.attachment.fileName, { checked: true }) }),
            contentType: f.string({ ...text(LIMITS.attachment.contentType, { checked: true, description: 'A media type, e.g. image/png.' }) }),
            size: f.int({ description: 'Bytes.' }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [NotFound, ValidationFailed], union: { name: 'AddAttachmentResult' } },
    resolve: async (_r, { input }, ctx) => ({
      attachment: await ctx.services.tickets.addAttachment(ctx.viewer, { ...input, ticketId: input.ticketId.id }),
    }),
  }),
}));
