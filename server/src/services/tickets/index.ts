// The ticket use cases behind one facade, and the handlers of their durable timers.
import type { Viewer } from '../../domain/identity/viewer.ts';
import type { TicketStatus } from '../../domain/ticket/lifecycle.ts';
import type { FieldValueInput } from '../../domain/ticket-type/template.ts';
import type { JobHandler, JobKind } from '../../infra/jobs/scheduler.ts';
import * as assignment from './assignment.ts';
import * as assist from './assist.ts';
import * as conversation from './conversation.ts';
import { createTicket, type CreateTicketInput } from './create.ts';
import type { TicketDeps } from './common.ts';
import { grab } from './grab.ts';
import * as handover from './handover.ts';
import * as progress from './progress.ts';
import * as reassignment from './reassign.ts';

export type { TicketDeps };

export class TicketService {
  constructor(readonly deps: TicketDeps) {}

  create = (v: Viewer, input: CreateTicketInput) => createTicket(this.deps, v, input);
  grab = (v: Viewer, ticketId: string, expectedVersion?: number | null) => grab(this.deps, v, ticketId, expectedVersion);
  dispatch = (v: Viewer, input: { ticketId: string; agentId: string; expectedVersion?: number | null }) => assignment.dispatch(this.deps, v, input);
  acceptOffer = (v: Viewer, offerId: string, expectedVersion?: number | null) => assignment.acceptOffer(this.deps, v, offerId, expectedVersion);
  declineOffer = (v: Viewer, offerId: string, note?: string | null, expectedVersion?: number | null) =>
    assignment.declineOffer(this.deps, v, offerId, note, expectedVersion);
  requestHandover = (v: Viewer, input: Parameters<typeof handover.requestHandover>[2]) => handover.requestHandover(this.deps, v, input);
  acceptHandover = (v: Viewer, id: string, expectedVersion?: number | null) => handover.acceptHandover(this.deps, v, id, expectedVersion);
  rejectHandover = (v: Viewer, id: string, note?: string | null, expectedVersion?: number | null) =>
    handover.rejectHandover(this.deps, v, id, note, expectedVersion);
  cancelHandover = (v: Viewer, id: string, expectedVersion?: number | null) => handover.cancelHandover(this.deps, v, id, expectedVersion);
  reassign = (v: Viewer, input: Parameters<typeof reassignment.reassign>[2]) => reassignment.reassign(this.deps, v, input);
  returnToPool = (v: Viewer, input: Parameters<typeof reassignment.returnToPool>[2]) => reassignment.returnToPool(this.deps, v, input);
  requestAssist = (v: Viewer, input: Parameters<typeof assist.requestAssist>[2]) => assist.requestAssist(this.deps, v, input);
  dispatchAssist = (v: Viewer, input: Parameters<typeof assist.dispatchAssist>[2]) => assist.dispatchAssist(this.deps, v, input);
  completeAssist = (v: Viewer, input: Parameters<typeof assist.completeAssist>[2]) => assist.completeAssist(this.deps, v, input);
  forwardAssist = (v: Viewer, input: Parameters<typeof assist.forwardAssist>[2]) => assist.forwardAssist(this.deps, v, input);
  addComment = (v: Viewer, input: conversation.AddCommentInput) => conversation.addComment(this.deps, v, input);
  addAttachment = (v: Viewer, input: conversation.AddAttachmentInput) => conversation.addAttachment(this.deps, v, input);
  setStatus = (v: Viewer, input: { ticketId: string; status: TicketStatus; expectedVersion?: number | null }) => progress.setStatus(this.deps, v, input);
  resolve = (v: Viewer, input: { ticketId: string; resolution: string; expectedVersion?: number | null }) => progress.resolve(this.deps, v, input);
  reopen = (v: Viewer, input: { ticketId: string; reason?: string | null; expectedVersion?: number | null }) => progress.reopen(this.deps, v, input);
  confirmResolution = (v: Viewer, input: { ticketId: string; expectedVersion?: number | null }) => progress.confirmResolution(this.deps, v, input);
  close = (v: Viewer, input: { ticketId: string; reason?: string | null; expectedVersion?: number | null }) => progress.close(this.deps, v, input);
  rate = (v: Viewer, input: Parameters<typeof progress.rate>[2]) => progress.rate(this.deps, v, input);
  inviteRating = (v: Viewer, input: Parameters<typeof progress.inviteRating>[2]) => progress.inviteRating(this.deps, v, input);
  updateFields = (v: Viewer, input: { ticketId: string; values: FieldValueInput[]; expectedVersion?: number | null }) => progress.updateFields(this.deps, v, input);

  /** What the durable timers do when they fire. */
  jobHandlers(): Record<JobKind, JobHandler> {
    return {
      'offer.expire': (w, job) => assignment.expireOffer(this.deps, w, String(job.payload.offerId)),
      'ticket.autoClose': (w, job) => progress.autoClose(w, job.ticketId!),
    };
  }
}
