// The ticket lifecycle as a table: for each command, who may run it, from which
// statuses, where it leads and which timeline events it writes. Services consult it
// before writing, and write with the same `from` statuses as the condition of their
// UPDATE, so the database — not a read in JavaScript — decides races.
import { InvalidTransition, NotAllowed } from '../errors.ts';

export const TICKET_STATUSES = [
  'NEW',
  'PENDING_ACCEPT',
  'PROCESSING',
  'WAITING_CUSTOMER',
  'WAITING_THIRD_PARTY',
  'RESOLVED',
  'CLOSED',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** 处理中 and its waiting variants: an assignee is working the ticket. */
export const WORKING = ['PROCESSING', 'WAITING_CUSTOMER', 'WAITING_THIRD_PARTY'] as const satisfies readonly TicketStatus[];
/** Not yet resolved. */
export const OPEN = ['NEW', 'PENDING_ACCEPT', ...WORKING] as const satisfies readonly TicketStatus[];
/** Anything but CLOSED, which is final. */
export const NOT_CLOSED = [...OPEN, 'RESOLVED'] as const satisfies readonly TicketStatus[];

/** How the actor relates to the ticket; the service works these out, the table names them. */
export type Relation =
  | 'anyone' // any authenticated person who may see the ticket
  | 'internal' // any internal user who may see the ticket
  | 'eligibleAgent' // in the type's eligible agents, for a type that allows GRAB
  | 'manager' // MANAGER or ADMIN
  | 'system' // timers and routing
  | 'offeredAgent' // the agent of the pending offer
  | 'assignee'
  | 'handoverTarget'
  | 'handoverRequester'
  | 'assistHandler' // holds an open assist on the ticket
  | 'assistTeamManager' // manages the team of a pooled assist
  | 'creator'
  | 'fieldEditor' // may edit at least one of the submitted fields
  | 'sharer'; // 共享人: shares the ticket without working on it (see READ_ONLY_UNLESS)

/**
 * A sharer — e.g. the agent who handed the ticket over — only views the ticket (seed 000
 * §6.3, "仅可查看工单"). Holding any of these makes someone more than a sharer: the
 * assignee (a sharer the ticket came back to), an assist handler, the creator, a manager.
 */
export const READ_ONLY_UNLESS = ['assignee', 'assistHandler', 'creator', 'manager'] as const satisfies readonly Relation[];

/** Adds 'sharer' to the relations of someone listed as a sharer who holds none of READ_ONLY_UNLESS. */
export function addSharer(relations: Set<Relation>, listedAsSharer: boolean): Set<Relation> {
  if (listedAsSharer && !READ_ONLY_UNLESS.some((r) => relations.has(r))) relations.add('sharer');
  return relations;
}

export const EVENT_KINDS = [
  'CREATED',
  'ROUTED',
  'GRABBED',
  'DISPATCHED',
  'OFFERED',
  'OFFER_ACCEPTED',
  'OFFER_DECLINED',
  'OFFER_EXPIRED',
  'RETURNED_TO_POOL',
  'HANDOVER_REQUESTED',
  'HANDED_OVER',
  'HANDOVER_REJECTED',
  'HANDOVER_CANCELLED',
  'REASSIGNED',
  'ASSIST_REQUESTED',
  'ASSIST_DISPATCHED',
  'ASSIST_COMPLETED',
  'ASSIST_FORWARDED',
  'ASSIST_CANCELLED',
  'COMMENTED',
  'STATUS_CHANGED',
  'FIELDS_UPDATED',
  'RESOLVED',
  'REOPENED',
  'CLOSED',
  'RATED',
  'RATING_INVITED',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface Rule {
  from: readonly TicketStatus[];
  who: readonly Relation[];
  /** The status afterwards; `same` leaves it; `chosen` is picked by the caller from `choices`. */
  to: TicketStatus | 'same' | 'chosen';
  choices?: readonly TicketStatus[];
  /** Refused to these even when they hold a `who` relation. */
  unless?: readonly Relation[];
  emits: EventKind;
}

export const LIFECYCLE = {
  create: { from: [], who: ['anyone'], to: 'NEW', emits: 'CREATED' },
  grab: { from: ['NEW'], who: ['eligibleAgent'], to: 'PROCESSING', emits: 'GRABBED' },
  dispatch: { from: ['NEW'], who: ['manager', 'system'], to: 'PROCESSING', emits: 'DISPATCHED' },
  offer: { from: ['NEW'], who: ['manager', 'system'], to: 'PENDING_ACCEPT', emits: 'OFFERED' },
  acceptOffer: { from: ['PENDING_ACCEPT'], who: ['offeredAgent'], to: 'PROCESSING', emits: 'OFFER_ACCEPTED' },
  declineOffer: { from: ['PENDING_ACCEPT'], who: ['offeredAgent'], to: 'NEW', emits: 'OFFER_DECLINED' },
  expireOffer: { from: ['PENDING_ACCEPT'], who: ['system'], to: 'NEW', emits: 'OFFER_EXPIRED' },
  requestHandover: { from: WORKING, who: ['assignee'], to: 'same', emits: 'HANDOVER_REQUESTED' },
  acceptHandover: { from: WORKING, who: ['handoverTarget'], to: 'same', emits: 'HANDED_OVER' },
  rejectHandover: { from: WORKING, who: ['handoverTarget'], to: 'same', emits: 'HANDOVER_REJECTED' },
  cancelHandover: { from: WORKING, who: ['handoverRequester'], to: 'same', emits: 'HANDOVER_CANCELLED' },
  // 管理员仍可通过移交变更指派 (seed 000 §2.4): a manager's handover, decided at once.
  reassign: { from: WORKING, who: ['manager'], to: 'same', emits: 'REASSIGNED' },
  returnToPool: { from: WORKING, who: ['manager'], to: 'NEW', emits: 'RETURNED_TO_POOL' },
  requestAssist: { from: WORKING, who: ['assignee', 'assistHandler'], to: 'same', emits: 'ASSIST_REQUESTED' },
  dispatchAssist: { from: WORKING, who: ['assistTeamManager'], to: 'same', emits: 'ASSIST_DISPATCHED' },
  completeAssist: { from: WORKING, who: ['assistHandler'], to: 'same', emits: 'ASSIST_COMPLETED' },
  forwardAssist: { from: WORKING, who: ['assistHandler'], to: 'same', emits: 'ASSIST_FORWARDED' },
  // Public replies and internal notes alike: a sharer reads, it does not write.
  comment: { from: NOT_CLOSED, who: ['anyone'], unless: ['sharer'], to: 'same', emits: 'COMMENTED' },
  setStatus: { from: WORKING, who: ['assignee'], to: 'chosen', choices: WORKING, emits: 'STATUS_CHANGED' },
  updateFields: { from: NOT_CLOSED, who: ['fieldEditor'], to: 'same', emits: 'FIELDS_UPDATED' },
  resolve: { from: WORKING, who: ['assignee'], to: 'RESOLVED', emits: 'RESOLVED' },
  reopen: { from: ['RESOLVED'], who: ['creator', 'assignee', 'manager'], to: 'PROCESSING', emits: 'REOPENED' },
  close: { from: NOT_CLOSED, who: ['manager'], to: 'CLOSED', emits: 'CLOSED' },
  confirmResolution: { from: ['RESOLVED'], who: ['creator'], to: 'CLOSED', emits: 'CLOSED' },
  autoClose: { from: ['RESOLVED'], who: ['system'], to: 'CLOSED', emits: 'CLOSED' },
  rate: { from: ['RESOLVED', 'CLOSED'], who: ['creator'], to: 'same', emits: 'RATED' },
  inviteRating: { from: ['RESOLVED', 'CLOSED'], who: ['assignee'], to: 'same', emits: 'RATING_INVITED' },
} as const satisfies Record<string, Rule>;

export type Command = keyof typeof LIFECYCLE;

const WHO_TEXT: Record<Relation, string> = {
  anyone: 'someone who can see the ticket',
  internal: 'internal staff',
  eligibleAgent: 'an agent eligible for this ticket type',
  manager: 'a manager',
  system: 'the system',
  offeredAgent: 'the agent the ticket was offered to',
  assignee: 'the assignee',
  handoverTarget: 'the agent the ticket is being handed to',
  handoverRequester: 'the agent who asked for the handover',
  assistHandler: 'the person handling the assist',
  assistTeamManager: 'a manager of the assist team',
  creator: 'the person who created the ticket',
  fieldEditor: 'someone allowed to edit these fields',
  sharer: 'a sharer',
};

const UNLESS_TEXT: Partial<Record<Relation, string>> = {
  sharer: 'Sharers can only view this ticket',
};

/**
 * Checks a command against the table. Permission is checked before state so that
 * someone who may never do this learns that, rather than the ticket's status.
 */
export function authorize(command: Command, status: TicketStatus, relations: ReadonlySet<Relation>): Rule {
  checkActor(command, relations);
  return checkState(command, status);
}

/** The "who" half of the table, for commands whose state check is the conditional write itself. */
export function checkActor(command: Command, relations: ReadonlySet<Relation>): Rule {
  const rule: Rule = LIFECYCLE[command];
  if (!rule.who.some((r) => relations.has(r))) {
    throw new NotAllowed(`Only ${rule.who.map((w) => WHO_TEXT[w]).join(' or ')} can ${describe(command)}`);
  }
  const barred = rule.unless?.find((r) => relations.has(r));
  if (barred) throw new NotAllowed(UNLESS_TEXT[barred] ?? `Not for ${WHO_TEXT[barred]}: ${describe(command)}`);
  return rule;
}

export function checkState(command: Command, status: TicketStatus): Rule {
  const rule: Rule = LIFECYCLE[command];
  if (!rule.from.includes(status)) throw new InvalidTransition(status, command);
  return rule;
}

/** Whether the command would be allowed now, and if not, why: for the UI's action buttons. */
export function availability(command: Command, status: TicketStatus, relations: ReadonlySet<Relation>): { allowed: boolean; reason: string | null } {
  try {
    authorize(command, status, relations);
    return { allowed: true, reason: null };
  } catch (e) {
    return { allowed: false, reason: (e as Error).message };
  }
}

/** The status after `command`, for commands whose target is fixed. */
export function nextStatus(command: Command, current: TicketStatus, chosen?: TicketStatus): TicketStatus {
  const rule: Rule = LIFECYCLE[command];
  if (rule.to === 'same') return current;
  if (rule.to === 'chosen') {
    if (!chosen || !rule.choices?.includes(chosen) || chosen === current) {
      throw new InvalidTransition(current, command, `cannot change status from ${current} to ${chosen ?? 'nothing'}`);
    }
    return chosen;
  }
  return rule.to;
}

export function isOpen(status: TicketStatus): boolean {
  return (OPEN as readonly TicketStatus[]).includes(status);
}

function describe(command: Command): string {
  return command.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}
