// One ticket, live: the ticket query, its timeline merged with `ticketEvents` as they
// happen, and a refetch of the ticket (status, actions, version) after every event, every
// successful command and every reconnect. Commands send expectedVersion = ticket.version;
// a StaleWrite reloads and says so.
import { useQuery, useSubscription } from '@vue/apollo-composable';
import { ElMessage } from 'element-plus';
import { computed, onScopeDispose, ref, watch, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { session } from '../../../auth/session.ts';
import { connection } from '../../../connection/state.ts';
import {
  WorkspacePeopleDocument,
  WorkspaceTicketDocument,
  WorkspaceTicketEventsDocument,
  WorkspaceTimelineDocument,
  type WorkspaceEventFragment,
  type TicketCommand,
} from '../../../graphql/generated/graphql.ts';
import { rawId } from '../../../shared/global-id.ts';
import { useMutationFeedback, type ResultLike } from '../../../shared/mutation-feedback.ts';

export type TimelineEntry = WorkspaceEventFragment;

export function useWorkspace(id: Ref<string>) {
  const { t } = useI18n();
  const feedback = useMutationFeedback();
  const me = computed(() => session.me.value!);

  const q = useQuery(WorkspaceTicketDocument, () => ({ id: id.value }), { fetchPolicy: 'cache-and-network' });
  const ticket = computed(() => q.result.value?.ticket ?? null);
  const notFound = computed(() => !!q.result.value && q.result.value.ticket === null);

  // The timeline once, then live events on top of it, by id (a reload may contain them).
  const tl = useQuery(WorkspaceTimelineDocument, () => ({ id: id.value }), { fetchPolicy: 'network-only' });
  const live = ref<TimelineEntry[]>([]);
  watch(id, () => (live.value = []));
  const timeline = computed<TimelineEntry[]>(() => {
    const byId = new Map<string, TimelineEntry>();
    for (const e of tl.result.value?.ticket?.timeline.edges.map((x) => x.node) ?? []) byId.set(e.id, e);
    for (const e of live.value) if (!byId.has(e.id)) byId.set(e.id, e);
    return [...byId.values()].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0));
  });

  let timer: ReturnType<typeof setTimeout> | null = null;
  /** Refetch soon, once for a burst of events. */
  function reloadSoon(delay = 80) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void q.refetch();
    }, delay);
  }
  onScopeDispose(() => timer && clearTimeout(timer));

  const sub = useSubscription(WorkspaceTicketEventsDocument, () => ({ ticketId: id.value }), () => ({ enabled: !!id.value }));
  sub.onResult((r) => {
    const e = r.data?.ticketEvents;
    if (!e) return;
    live.value = [...live.value.filter((x) => x.id !== e.id), e];
    reloadSoon();
  });
  // After a reconnect we cannot know which events we missed.
  watch(connection.reconnects, () => {
    void q.refetch();
    void tl.refetch();
  });

  // People, for pickers and for the names behind raw ids in timeline data.
  const peopleQ = useQuery(WorkspacePeopleDocument, {}, { fetchPolicy: 'cache-first' });
  const people = computed(() => peopleQ.result.value?.users.edges.map((e) => e.node) ?? []);
  const namesByRawId = computed(() => new Map(people.value.map((p) => [rawId(p.id), p.name])));

  const actions = computed(() => new Map((ticket.value?.actions ?? []).map((a) => [a.command, a])));
  const can = (c: TicketCommand) => actions.value.get(c)?.allowed ?? false;
  const relations = computed(() => new Set(ticket.value?.viewerRelations ?? []));

  const busy = ref<string | null>(null);
  /**
   * Runs a command with the ticket's version. Returns the result when it succeeded; shows
   * what went wrong otherwise (StaleWrite: reloaded).
   */
  async function run<R extends ResultLike>(name: string, fn: (expectedVersion: number) => Promise<R | null | undefined>, success?: string): Promise<R | null> {
    const tk = ticket.value;
    if (!tk || busy.value) return null;
    busy.value = name;
    try {
      const r = await fn(tk.version).catch(() => null);
      if (r?.__typename === 'StaleWrite') {
        await q.refetch();
        ElMessage.warning(t('ticket.messages.stale'));
        return null;
      }
      if (r?.__typename === 'ValidationFailed') return r; // the caller shows field errors
      if (!feedback.report(r, success ?? t('ticket.messages.done'))) return null;
      reloadSoon(0);
      return r ?? null;
    } finally {
      busy.value = null;
    }
  }

  return {
    me,
    ticket,
    loading: q.loading,
    notFound,
    error: q.error,
    timeline,
    timelineLoading: tl.loading,
    people,
    namesByRawId,
    actions,
    can,
    relations,
    busy,
    run,
    reload: () => q.refetch(),
  };
}

export type Workspace = ReturnType<typeof useWorkspace>;
