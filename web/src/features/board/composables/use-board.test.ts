// The board's wiring: one snapshot query and one subscription; a gap in the event stream
// or a websocket reconnect refetches (never a timer); events during a refetch wait for it.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';

type Handler = (r: { data: unknown }) => void;
const calls = vi.hoisted(() => ({
  queries: [] as { onResult: Handler[]; refetch: ReturnType<typeof vi.fn> }[],
  subscriptions: [] as { variables: unknown; onResult: Handler[] }[],
}));

vi.mock('@vue/apollo-composable', () => ({
  useQuery: () => {
    const q = { onResult: [] as Handler[], refetch: vi.fn() };
    calls.queries.push(q);
    return { onResult: (h: Handler) => q.onResult.push(h), onError: () => undefined, refetch: q.refetch };
  },
  useSubscription: (_doc: unknown, variables: unknown) => {
    const s = { variables, onResult: [] as Handler[] };
    calls.subscriptions.push(s);
    return { onResult: (h: Handler) => s.onResult.push(h) };
  },
}));

const { session } = await import('../../../auth/session.ts');
const { connection } = await import('../../../connection/state.ts');
const { useBoard } = await import('./use-board.ts');

const node = (id: string, priority = 'NORMAL') => ({
  id,
  number: id,
  title: id,
  priority,
  status: 'NEW',
  tags: [],
  version: 1,
  createdAt: '2026-11-21T00:00:00Z',
  slaPaused: false,
  type: { id: 't', name: '订单问题' },
  organization: null,
  contact: null,
  assignee: null,
});
const conn = (seq: string, nodes: ReturnType<typeof node>[]) => ({ seq, totalCount: nodes.length, edges: nodes.map((n) => ({ node: n })) });
const snapshot = (seq: string, pool: ReturnType<typeof node>[]) => ({
  pool: conn(seq, pool),
  myOffers: conn(seq, []),
  myTickets: conn(seq, []),
  assistPool: conn(seq, []),
  ticketTypes: [],
});
const event = (seq: number, prevSeq: number, ticket: ReturnType<typeof node>, changes: { queue: string; kind: string }[]) => ({
  data: { queueEvents: { seq: String(seq), prevSeq: String(prevSeq), ticketId: ticket.id, ticket: { ...ticket, pendingOffer: null, handovers: [], assists: [] }, changes } },
});
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
const flush = () => new Promise((r) => setTimeout(r));

function mount() {
  const scope = effectScope();
  const b = scope.run(() => useBoard())!;
  const q = calls.queries.at(-1)!;
  const s = calls.subscriptions.at(-1)!;
  return { b, q, emitSnapshot: (d: unknown) => q.onResult.forEach((h) => h({ data: d })), emitEvent: (e: { data: unknown }) => s.onResult.forEach((h) => h(e)), scope };
}

beforeEach(() => {
  vi.useRealTimers();
  calls.queries.length = 0;
  calls.subscriptions.length = 0;
  session.me.value = { id: 'me', name: '李俊', role: 'AGENT' };
});

describe('useBoard', () => {
  it('watches the agent queues with ONE subscription and loads the snapshot', () => {
    const { b, emitSnapshot, scope } = mount();
    expect(calls.subscriptions).toHaveLength(1);
    expect(calls.subscriptions[0]!.variables).toEqual({ queues: ['POOL', 'MY_OFFERS', 'MY_TICKETS', 'ASSIST_POOL'] });
    emitSnapshot(snapshot('10', [node('a'), node('b', 'URGENT')]));
    expect(b.loaded.value).toBe(true);
    expect(ids(b.board.queues.POOL)).toEqual(['b', 'a']);
    // Queues that do not select offers or assists still give complete cards.
    expect(b.board.queues.POOL[0]).toMatchObject({ pendingOffer: null, handovers: [], assists: [] });
    expect(b.counts.value.POOL).toBe(2);
    scope.stop();
  });

  it('applies events live, and refetches on a gap (events meanwhile wait for the new snapshot)', async () => {
    const { b, q, emitSnapshot, emitEvent, scope } = mount();
    emitSnapshot(snapshot('10', [node('a')]));
    emitEvent(event(11, 10, node('c'), [{ queue: 'POOL', kind: 'ENTERED' }]));
    expect(ids(b.board.queues.POOL)).toEqual(['a', 'c']);
    expect(q.refetch).not.toHaveBeenCalled();

    let answer!: (v: unknown) => void;
    q.refetch.mockReturnValueOnce(new Promise((r) => (answer = r)));
    emitEvent(event(14, 12, node('d'), [{ queue: 'POOL', kind: 'ENTERED' }]));
    expect(q.refetch).toHaveBeenCalledTimes(1);
    expect(b.syncing.value).toBe(true);
    emitEvent(event(15, 14, node('e'), [{ queue: 'POOL', kind: 'ENTERED' }]));
    expect(ids(b.board.queues.POOL)).toEqual(['a', 'c']);

    answer({ data: snapshot('14', [node('a'), node('c'), node('d')]) });
    await flush();
    expect(ids(b.board.queues.POOL)).toEqual(['a', 'c', 'd', 'e']);
    expect(b.board.seq).toBe(15n);
    expect(b.syncing.value).toBe(false);
    scope.stop();
  });

  it('refetches after a reconnect even when nothing changed, and only then trusts events again', async () => {
    const { b, q, emitSnapshot, emitEvent, scope } = mount();
    emitSnapshot(snapshot('10', [node('a')]));
    q.refetch.mockResolvedValueOnce({ data: snapshot('10', [node('a')]) });
    connection.reconnected();
    await flush();
    expect(q.refetch).toHaveBeenCalledTimes(1);
    expect(b.board.needsRefetch).toBe(false);
    emitEvent(event(11, 10, node('f'), [{ queue: 'POOL', kind: 'ENTERED' }]));
    expect(ids(b.board.queues.POOL)).toEqual(['a', 'f']);
    scope.stop();
  });

  it('never polls: no refetch happens by itself', async () => {
    vi.useFakeTimers();
    const { q, emitSnapshot, scope } = mount();
    emitSnapshot(snapshot('10', [node('a')]));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(q.refetch).not.toHaveBeenCalled();
    scope.stop();
  });

  it('managers also watch all open tickets', () => {
    session.me.value = { id: 'm', name: '周建国', role: 'MANAGER' };
    const { scope } = mount();
    expect(calls.subscriptions.at(-1)!.variables).toEqual({ queues: ['POOL', 'MY_OFFERS', 'MY_TICKETS', 'ASSIST_POOL', 'OPEN'] });
    scope.stop();
  });
});
