// What a card's buttons do. Every action marks its ticket busy while in flight, so a
// double click does nothing twice; a grab also moves the card at once (optimistic) and
// is rolled back when somebody else was faster.
import { useMutation } from '@vue/apollo-composable';
import { ElMessage } from 'element-plus';
import { reactive } from 'vue';
import { useI18n } from 'vue-i18n';
import {
  BoardAcceptHandoverDocument,
  BoardAcceptOfferDocument,
  BoardDeclineOfferDocument,
  BoardDispatchAssistDocument,
  BoardDispatchDocument,
  BoardGrabDocument,
  BoardReassignDocument,
  BoardRejectHandoverDocument,
  BoardReturnToPoolDocument,
} from '../../../graphql/generated/graphql.ts';
import { useMutationFeedback } from '../../../shared/mutation-feedback.ts';
import type { QueueBoard } from '../queue-merge.ts';
import type { Card } from './use-board.ts';

export function useCardActions(board: QueueBoard<Card>, onStale: () => void) {
  const { t } = useI18n();
  const feedback = useMutationFeedback();
  const busy = reactive(new Set<string>());

  const grabM = useMutation(BoardGrabDocument);
  const dispatchM = useMutation(BoardDispatchDocument);
  const acceptOfferM = useMutation(BoardAcceptOfferDocument);
  const declineOfferM = useMutation(BoardDeclineOfferDocument);
  const acceptHandoverM = useMutation(BoardAcceptHandoverDocument);
  const rejectHandoverM = useMutation(BoardRejectHandoverDocument);
  const dispatchAssistM = useMutation(BoardDispatchAssistDocument);
  const reassignM = useMutation(BoardReassignDocument);
  const returnToPoolM = useMutation(BoardReturnToPoolDocument);

  /** Runs `fn` unless the ticket is already busy; a StaleWrite refetches the board. */
  async function once<R extends { __typename: string }>(card: Card, fn: () => Promise<R | null | undefined>, success: string): Promise<boolean> {
    if (busy.has(card.id)) return false;
    busy.add(card.id);
    try {
      const r = await fn().catch(() => null);
      if (r?.__typename === 'StaleWrite') onStale();
      return feedback.report(r, success);
    } finally {
      busy.delete(card.id);
    }
  }

  async function grab(card: Card): Promise<void> {
    // beginGrab is false for a grab already in flight: the second click does nothing.
    if (!board.beginGrab(card.id)) return;
    const r = await grabM
      .mutate({ input: { ticketId: card.id } })
      .then((x) => x?.data?.grabTicket ?? null)
      .catch(() => null);
    if (r?.__typename === 'TicketPayload') {
      board.grabSucceeded(r.ticket);
      ElMessage.success(t('board.grabbed', { number: card.number }));
    } else if (r?.__typename === 'TicketAlreadyTaken') {
      board.grabFailed(card.id, true);
      ElMessage({
        type: 'warning',
        message: r.takenBy ? t('board.taken', { name: r.takenBy.name, number: card.number }) : t('board.takenUnknown', { number: card.number }),
        customClass: 'grab-taken',
      });
    } else {
      board.grabFailed(card.id, false);
      feedback.report(r);
    }
  }

  const expected = (card: Card) => card.version;

  return {
    busy,
    grabbing: (id: string) => board.grabbing.has(id),
    grab,
    dispatch: (card: Card, agent: { id: string; name: string }) =>
      once(
        card,
        async () => (await dispatchM.mutate({ input: { ticketId: card.id, agentId: agent.id, expectedVersion: expected(card) } }))?.data?.dispatchTicket,
        t('board.dispatched', { number: card.number, name: agent.name }),
      ),
    acceptOffer: (card: Card, offerId: string) =>
      once(card, async () => (await acceptOfferM.mutate({ input: { offerId, expectedVersion: expected(card) } }))?.data?.acceptOffer, t('board.accepted', { number: card.number })),
    declineOffer: (card: Card, offerId: string, note: string) =>
      once(
        card,
        async () => (await declineOfferM.mutate({ input: { offerId, note: note || null, expectedVersion: expected(card) } }))?.data?.declineOffer,
        t('board.declined', { number: card.number }),
      ),
    acceptHandover: (card: Card, handoverId: string) =>
      once(
        card,
        async () => (await acceptHandoverM.mutate({ input: { handoverId, expectedVersion: expected(card) } }))?.data?.acceptHandover,
        t('board.handoverAccepted', { number: card.number }),
      ),
    rejectHandover: (card: Card, handoverId: string, note: string) =>
      once(
        card,
        async () => (await rejectHandoverM.mutate({ input: { handoverId, note: note || null, expectedVersion: expected(card) } }))?.data?.rejectHandover,
        t('board.handoverRejected', { number: card.number }),
      ),
    reassign: (card: Card, agent: { id: string; name: string }, reason: string) =>
      once(
        card,
        async () => (await reassignM.mutate({ input: { ticketId: card.id, agentId: agent.id, reason, expectedVersion: expected(card) } }))?.data?.reassignTicket,
        t('board.reassigned', { number: card.number, name: agent.name }),
      ),
    returnToPool: (card: Card, reason: string) =>
      once(
        card,
        async () => (await returnToPoolM.mutate({ input: { ticketId: card.id, reason, expectedVersion: expected(card) } }))?.data?.returnTicketToPool,
        t('board.returned', { number: card.number }),
      ),
    dispatchAssist: (card: Card, assistId: string, user: { id: string; name: string }) =>
      once(
        card,
        async () => (await dispatchAssistM.mutate({ input: { assistId, toUserId: user.id, expectedVersion: expected(card) } }))?.data?.dispatchAssist,
        t('board.assistDispatched', { name: user.name }),
      ),
  };
}
