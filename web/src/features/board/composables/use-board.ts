// The live board: one snapshot query for every queue (one event-stream position for
// all of them) and ONE queueEvents subscription, merged by the QueueBoard state machine.
// No polling: a gap in the event stream or a websocket reconnect triggers a refetch.
import { useQuery, useSubscription } from '@vue/apollo-composable';
import { computed, onScopeDispose, reactive, ref, watch } from 'vue';
import { session } from '../../../auth/session.ts';
import { connection } from '../../../connection/state.ts';
import { BoardQueueEventsDocument, BoardQueuesDocument, type BoardCardFragment, type BoardQueuesQuery } from '../../../graphql/generated/graphql.ts';
import { QueueBoard, type QueueName } from '../queue-merge.ts';

export type Card = BoardCardFragment;

/** Cards per queue in the snapshot (the API's maximum page). */
export const PAGE = 200;

const FIELDS: Record<QueueName, keyof Omit<BoardQueuesQuery, '__typename' | 'ticketTypes'>> = {
  POOL: 'pool',
  MY_OFFERS: 'myOffers',
  MY_TICKETS: 'myTickets',
  ASSIST_POOL: 'assistPool',
  OPEN: 'openTickets',
};

export function useBoard() {
  const isManager = session.isManager.value;
  const watched: QueueName[] = isManager ? ['POOL', 'MY_OFFERS', 'MY_TICKETS', 'ASSIST_POOL', 'OPEN'] : ['POOL', 'MY_OFFERS', 'MY_TICKETS', 'ASSIST_POOL'];
  // Reactive, so that every change the state machine makes re-renders the columns.
  const board = reactive(new QueueBoard<Card>(watched)) as QueueBoard<Card>;
  const loaded = ref(false);
  const syncing = ref(false);
  const error = ref<string | null>(null);
  const ticketTypes = ref<{ id: string; name: string }[]>([]);

  // no-cache: the snapshot is applied once, by load(); a cache re-emitting an older
  // snapshot (with its older seq) after some unrelated write would roll the board back.
  const query = useQuery(BoardQueuesDocument, { first: PAGE, withOpen: isManager }, { fetchPolicy: 'no-cache' });

  function apply(data: BoardQueuesQuery) {
    const seqs: bigint[] = [];
    const queues: Partial<Record<QueueName, Card[]>> = {};
    const totals: Partial<Record<QueueName, number>> = {};
    for (const q of watched) {
      const conn = data[FIELDS[q]];
      if (!conn) continue;
      seqs.push(BigInt(conn.seq));
      // Each queue selects only what its column shows; a card is complete with the rest empty.
      queues[q] = conn.edges.map((e): Card => ({ pendingOffer: null, handovers: [], assists: [], ...e.node }));
      totals[q] = conn.totalCount;
    }
    // The queues of one request share one position; the smallest is the safe one.
    const seq = seqs.reduce((a, b) => (b < a ? b : a));
    board.load({ seq: String(seq), queues, totals });
    ticketTypes.value = data.ticketTypes;
    loaded.value = true;
    error.value = null;
  }

  // The first snapshot arrives here; refetches are applied from refetch()'s own answer
  // (Apollo does not re-emit a result equal to the previous one, and a refetch after a
  // reconnect must end the "needs refetch" state even when nothing changed).
  query.onResult((r) => {
    if (r.data && !loaded.value && !refetching) apply(r.data);
  });
  query.onError((e) => {
    error.value = e.message;
    if (!refetching && !loaded.value) retryLater();
  });

  let disposed = false;
  onScopeDispose(() => (disposed = true));
  const retryLater = () => setTimeout(() => !disposed && void refetch(), 3000);

  let refetching: Promise<void> | null = null;
  function refetch(): Promise<void> {
    if (disposed) return Promise.resolve();
    refetching ??= (async () => {
      syncing.value = true;
      try {
        const r = await query.refetch();
        if (r?.data) apply(r.data);
      } catch (e) {
        error.value = (e as Error).message;
        // Keep trying while the board is open; a reconnect also refetches.
        retryLater();
      } finally {
        syncing.value = false;
        refetching = null;
      }
    })();
    return refetching;
  }

  const sub = useSubscription(BoardQueueEventsDocument, { queues: watched }, { fetchPolicy: 'no-cache' });
  sub.onResult((r) => {
    const e = r.data?.queueEvents;
    if (!e) return;
    if (board.event(e) === 'gap') void refetch();
  });

  // After a reconnect we cannot know what we missed.
  watch(connection.reconnects, () => {
    board.invalidate();
    void refetch();
  });

  const counts = computed(() => Object.fromEntries(watched.map((q) => [q, board.count(q)])) as Record<QueueName, number>);

  return { board, watched, isManager, loaded, syncing, error, ticketTypes, counts, refetch };
}
