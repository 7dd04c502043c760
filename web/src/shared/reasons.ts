// The API explains refusals in English (Ticket.actions[].reason, NotAllowed.reason, …),
// generated from the lifecycle table. The board shows them in the UI's language: the
// known shapes are translated here, anything else is shown as the server wrote it.

type T = (key: string, named?: Record<string, unknown>) => string;

const WHO: Record<string, string> = {
  'someone who can see the ticket': 'anyone',
  'internal staff': 'internal',
  'an agent eligible for this ticket type': 'eligibleAgent',
  'a manager': 'manager',
  'the system': 'system',
  'the agent the ticket was offered to': 'offeredAgent',
  'the assignee': 'assignee',
  'the agent the ticket is being handed to': 'handoverTarget',
  'the agent who asked for the handover': 'handoverRequester',
  'the person handling the assist': 'assistHandler',
  'a manager of the assist team': 'assistTeamManager',
  'the person who created the ticket': 'creator',
  'someone allowed to edit these fields': 'fieldEditor',
  'a sharer': 'sharer',
};

const FIXED: Record<string, string> = {
  'Already rated': 'alreadyRated',
  'A handover is already pending': 'handoverPending',
  'You are not an eligible agent for this ticket type': 'notEligibleSelf',
  'You are already the assignee': 'alreadyAssignee',
  'No such agent': 'noSuchAgent',
  'Only managers dispatch tickets': 'managersDispatch',
  'Sharers can only view this ticket': 'sharerReadOnly',
};

const STATUSES = ['NEW', 'PENDING_ACCEPT', 'PROCESSING', 'WAITING_CUSTOMER', 'WAITING_THIRD_PARTY', 'RESOLVED', 'CLOSED'];

/** "accept offer" or "acceptOffer" → ACCEPT_OFFER */
export function commandKey(words: string): string {
  return words
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/\s+/g, '_')
    .toUpperCase();
}

export function localizeReason(reason: string | null | undefined, t: T): string {
  if (!reason) return '';
  const fixed = FIXED[reason];
  if (fixed) return t(`ticket.reasons.${fixed}`);
  const only = /^Only (.+) can (.+)$/.exec(reason);
  if (only) {
    const who = only[1]!.split(' or ').map((w) => WHO[w]);
    if (who.every(Boolean)) {
      const sep = t('ticket.reasons.or');
      return t('ticket.reasons.onlyWho', { who: who.map((w) => t(`ticket.who.${w}`)).join(sep), action: t(`ticket.commands.${commandKey(only[2]!)}`) });
    }
  }
  const state = /^(\w+) is not possible while the ticket is (\w+)$/.exec(reason);
  if (state && STATUSES.includes(state[2]!)) {
    return t('ticket.reasons.notInStatus', { status: t(`status.${state[2]}`), action: t(`ticket.commands.${commandKey(state[1]!)}`) });
  }
  const notEligible = /^(.+) is not an eligible agent for this ticket type$/.exec(reason);
  if (notEligible) return t('ticket.reasons.notEligible', { name: notEligible[1] });
  return reason;
}
