// 工单评论: public comments (the customer sees them) and internal notes, with
// @mentions that notify and attachment metadata. The first public reply of an agent
// is the ticket's first response. A customer's reply brings a ticket that waited on
// them (or was resolved) back to PROCESSING.
import { randomUUID } from 'node:crypto';
import { NotAllowed, ValidationFailed } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { LIMITS } from '../../domain/limits.ts';
import { isInternal, type Viewer } from '../../domain/identity/viewer.ts';
import { authorize } from '../../domain/ticket/lifecycle.ts';
import { cancelJob } from '../../infra/jobs/scheduler.ts';
import { runUnitOfWork } from '../../infra/uow.ts';
import { relationsOf } from './access.ts';
import { assertVisible, lockForCommand, text, throwIfErrors, type TicketDeps } from './common.ts';
import { autoCloseKey, resumeSla } from './progress.ts';

const COMMENT_LIMITS = LIMITS.comment;

export interface AddCommentInput {
  ticketId: string;
  body: string;
  visibility: 'PUBLIC' | 'INTERNAL';
  mentionUserIds?: string[] | null;
  attachmentIds?: string[] | null;
  expectedVersion?: number | null;
}

export function addComment(deps: TicketDeps, viewer: Viewer, input: AddCommentInput) {
  const errors: { field: string; message: string }[] = [];
  const body = text(errors, 'body', input.body, { required: true, max: COMMENT_LIMITS.body });
  const mentions = [...new Set(input.mentionUserIds ?? [])];
  const attachments = [...new Set(input.attachmentIds ?? [])];
  if (mentions.length > COMMENT_LIMITS.mentions) errors.push({ field: 'mentionUserIds', message: `at most ${COMMENT_LIMITS.mentions}` });
  if (attachments.length > COMMENT_LIMITS.attachments) errors.push({ field: 'attachmentIds', message: `at most ${COMMENT_LIMITS.attachments}` });
  throwIfErrors(errors);
  const customer = !isInternal(viewer.role);
  if (customer && input.visibility !== 'PUBLIC') throw new NotAllowed('Customers write public comments only');
  // A mention notifies internal people, so it is theirs to use: a customer could otherwise
  // page any agent or staff member (and learn who exists).
  if (customer && mentions.length) throw new NotAllowed('Customers cannot @mention people');

  return runUnitOfWork(deps, async (w) => {
    const s = await lockForCommand(w.tx, viewer, input.ticketId, input.expectedVersion);
    authorize('comment', s.status, relationsOf(viewer, s, null));
    w.rec.track(s.id, s);

    // Mentions notify internal people only; an internal note never reaches a customer.
    const mentioned = mentions.length
      ? await w.tx.user.findMany({ where: { id: { in: mentions.filter(isUuid) }, role: { not: 'CUSTOMER' }, active: true }, select: { id: true } })
      : [];
    if (mentioned.length !== mentions.length) {
      throw ValidationFailed.one('mentionUserIds', 'only active internal people can be mentioned');
    }
    const files = attachments.length
      ? await w.tx.attachment.findMany({ where: { id: { in: attachments.filter(isUuid) }, ticketId: s.id, commentId: null } })
      : [];
    if (files.length !== attachments.length) throw ValidationFailed.one('attachmentIds', 'unknown attachment, or already on another comment');

    const comment = await w.tx.comment.create({
      data: { ticketId: s.id, authorId: viewer.userId, body: body!, visibility: input.visibility, mentionedUserIds: mentioned.map((m) => m.id), createdAt: w.now },
    });
    if (files.length) await w.tx.attachment.updateMany({ where: { id: { in: files.map((f) => f.id) } }, data: { commentId: comment.id } });

    const data: Record<string, unknown> = { lastActivityAt: w.now, version: { increment: 1 } };
    if (input.visibility === 'PUBLIC' && !customer) {
      // The first public answer from the service side. An agent who logged a phone call
      // and then answers it has responded too.
      const t = await w.tx.ticket.findUniqueOrThrow({ where: { id: s.id }, select: { firstRespondedAt: true } });
      if (!t.firstRespondedAt) data.firstRespondedAt = w.now;
    }
    let statusChange: { from: string; to: string } | null = null;
    if (customer && (s.status === 'WAITING_CUSTOMER' || s.status === 'RESOLVED')) {
      // The customer answered: back to work (and the SLA clock runs again).
      statusChange = { from: s.status, to: 'PROCESSING' };
      data.status = 'PROCESSING';
      if (s.status === 'WAITING_CUSTOMER') Object.assign(data, await resumeSla(w.tx, s.id, w.now));
      if (s.status === 'RESOLVED') {
        data.resolvedAt = null;
        await cancelJob(w.tx, autoCloseKey(s.id), w.now);
      }
    }
    await w.tx.ticket.update({ where: { id: s.id }, data });
    w.rec.record({
      ticketId: s.id,
      typeId: s.typeId,
      kind: 'COMMENTED',
      actorId: viewer.userId,
      visibility: input.visibility,
      data: { commentId: comment.id, visibility: input.visibility, attachmentIds: files.map((f) => f.id) },
    });
    w.rec.notify(mentioned.map((m) => m.id), 'MENTION', { commentId: comment.id });
    // The people working the ticket hear about replies.
    const watchers = customer
      ? [s.assigneeId, ...s.openAssists.map((a) => a.handlerId)]
      : input.visibility === 'PUBLIC'
        ? [s.creatorId, s.contactUserId]
        : [s.assigneeId];
    w.rec.notify(watchers, 'COMMENT', { commentId: comment.id });
    if (statusChange) {
      w.rec.record({
        ticketId: s.id,
        typeId: s.typeId,
        kind: statusChange.from === 'RESOLVED' ? 'REOPENED' : 'STATUS_CHANGED',
        actorId: viewer.userId,
        visibility: 'PUBLIC',
        data: { ...statusChange, reason: 'customer replied' },
      });
    }
    return comment.id;
  });
}

export interface AddAttachmentInput {
  ticketId: string;
  fileName: string;
  contentType: string;
  size: number;
}

/**
 * Records an uploaded file's metadata (the bytes live in object storage). The storage key
 * is the server's, opaque and new for every file: a client naming one could point its
 * attachment at another ticket's file.
 */
export async function addAttachment(deps: TicketDeps, viewer: Viewer, input: AddAttachmentInput) {
  const errors: { field: string; message: string }[] = [];
  const fileName = text(errors, 'fileName', input.fileName, { required: true, max: LIMITS.attachment.fileName });
  const contentType = text(errors, 'contentType', input.contentType, { required: true, max: LIMITS.attachment.contentType });
  if (contentType && !/^[\w.+-]+\/[\w.+-]+$/.test(contentType)) errors.push({ field: 'contentType', message: 'is not a media type' });
  if (!Number.isInteger(input.size) || input.size < 0 || input.size > 100 * 1024 * 1024) {
    errors.push({ field: 'size', message: 'must be between 0 and 100 MiB' });
  }
  throwIfErrors(errors);
  await assertVisible(deps.prisma, viewer, input.ticketId);
  return deps.prisma.attachment.create({
    data: { ticketId: input.ticketId, uploaderId: viewer.userId, fileName: fileName!, contentType: contentType!, size: input.size, storageKey: `attachments/${input.ticketId}/${randomUUID()}`, createdAt: deps.clock.now() },
  });
}

