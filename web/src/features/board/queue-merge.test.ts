import { describe, expect, it } from 'vitest';
import { QueueBoard, type CardLike, type QueueEventLike } from './queue-merge.ts';

const card = (id: string, priority: CardLike['priority'] = 'NORMAL', createdAt = `2026-11-2${id.length}T00:00:00Z`): CardLike => ({ id, priority, createdAt });
const ev = (seq: number, prevSeq: number, ticket: CardLike | null, changes: QueueEventLike<CardLike>['changes'], ticketId = ticket?.id ?? 'x') => ({
  seq: String(seq),
  prevSeq: String(prevSeq),
  ticketId,
  ticket,
  changes,
});
const ids = (xs: CardLike[]) => xs.map((x) => x.id);

function board() {
  const b = new QueueBoard<CardLike>(['POOL', 'MY_TICKETS']);
  b.load({ seq: '10', queues: { POOL: [card('a'), card('b', 'URGENT')], MY_TICKETS: [] } });
  return b;
}

describe('queue merge', () => {
  it('lists by priority, then age', () => {
    expect(ids(board().queues.POOL)).toEqual(['b', 'a']);
  });

  it('applies events in order and ignores duplicates', () => {
    const b = board();
    expect(b.event(ev(11, 10, card('c', 'HIGH'), [{ queue: 'POOL', kind: 'ENTERED' }]))).toBe('applied');
    expect(b.event(ev(12, 11, card('a'), [{ queue: 'POOL', kind: 'LEFT' }, { queue: 'MY_TICKETS', kind: 'ENTERED' }]))).toBe('applied');
    expect(ids(b.queues.POOL)).toEqual(['b', 'c']);
    expect(ids(b.queues.MY_TICKETS)).toEqual(['a']);
    // The same event again (e.g. after a refetch that already reflected it) changes nothing.
    expect(b.event(ev(12, 11, card('a'), [{ queue: 'MY_TICKETS', kind: 'LEFT' }]))).toBe('duplicate');
    expect(b.event(ev(9, 8, card('z'), [{ queue: 'POOL', kind: 'ENTERED' }]))).toBe('duplicate');
    expect(ids(b.queues.MY_TICKETS)).toEqual(['a']);
    expect(b.seq).toBe(12n);
  });

  it('events older than the snapshot are skipped; events of queues not watched are ignored', () => {
    const b = board();
    b.event(ev(11, 10, card('q'), [{ queue: 'OPEN', kind: 'ENTERED' }]));
    expect(ids(b.queues.POOL)).toEqual(['b', 'a']);
    expect(b.seq).toBe(11n);
  });

  it('a gap asks for a refetch, buffers meanwhile, and replays what the new snapshot has not seen', () => {
    const b = board();
    expect(b.event(ev(15, 13, card('d'), [{ queue: 'POOL', kind: 'ENTERED' }]))).toBe('gap');
    expect(b.needsRefetch).toBe(true);
    expect(ids(b.queues.POOL)).toEqual(['b', 'a']);
    expect(b.event(ev(16, 15, card('e'), [{ queue: 'POOL', kind: 'ENTERED' }]))).toBe('buffered');
    // The refetch reflects everything up to 15 (d included).
    b.load({ seq: '15', queues: { POOL: [card('a'), card('b', 'URGENT'), card('d')], MY_TICKETS: [] } });
    expect(b.needsRefetch).toBe(false);
    expect(ids(b.queues.POOL)).toEqual(['b', 'a', 'd', 'e']);
    expect(b.seq).toBe(16n);
  });

  it('events before the first snapshot wait for it', () => {
    const b = new QueueBoard<CardLike>(['POOL']);
    expect(b.event(ev(5, 3, card('a'), [{ queue: 'POOL', kind: 'ENTERED' }]))).toBe('buffered');
    expect(b.event(ev(6, 5, card('b'), [{ queue: 'POOL', kind: 'ENTERED' }]))).toBe('buffered');
    b.load({ seq: '5', queues: { POOL: [card('a')] } });
    expect(ids(b.queues.POOL)).toEqual(['a', 'b']);
  });

  it('after a reconnect nothing is trusted until the refetch', () => {
    const b = board();
    b.invalidate();
    expect(b.event(ev(11, 10, card('c'), [{ queue: 'POOL', kind: 'ENTERED' }]))).toBe('buffered');
    expect(ids(b.queues.POOL)).toEqual(['b', 'a']);
  });

  it('a ticket we may no longer see leaves the queue even on UPDATED', () => {
    const b = board();
    b.event(ev(11, 10, null, [{ queue: 'POOL', kind: 'UPDATED' }], 'a'));
    expect(ids(b.queues.POOL)).toEqual(['b']);
  });
});

describe('optimistic grab', () => {
  it('moves the card at once; a double click does nothing twice', () => {
    const b = board();
    expect(b.beginGrab('a')).toBe(true);
    expect(b.beginGrab('a')).toBe(false);
    expect(ids(b.queues.POOL)).toEqual(['b']);
    expect(ids(b.queues.MY_TICKETS)).toEqual(['a']);
  });

  it('rolls back when somebody else took it: gone from both lists', () => {
    const b = board();
    b.beginGrab('a');
    // The winner's event arrives first: it left the pool.
    b.event(ev(11, 10, card('a'), [{ queue: 'POOL', kind: 'LEFT' }]));
    b.grabFailed('a', true);
    expect(ids(b.queues.POOL)).toEqual(['b']);
    expect(ids(b.queues.MY_TICKETS)).toEqual([]);
  });

  it('puts the card back in the pool when the grab failed for another reason', () => {
    const b = board();
    b.beginGrab('a');
    b.grabFailed('a', false);
    expect(ids(b.queues.POOL)).toEqual(['b', 'a']);
    expect(ids(b.queues.MY_TICKETS)).toEqual([]);
  });

  it('keeps a grab in flight across a refetch, and settles it on our own GRABBED event', () => {
    const b = board();
    b.beginGrab('a');
    b.load({ seq: '10', queues: { POOL: [card('a'), card('b', 'URGENT')], MY_TICKETS: [] } });
    expect(ids(b.queues.POOL)).toEqual(['b']);
    expect(ids(b.queues.MY_TICKETS)).toEqual(['a']);
    b.event(ev(11, 10, card('a'), [{ queue: 'POOL', kind: 'LEFT' }, { queue: 'MY_TICKETS', kind: 'ENTERED' }]));
    expect(b.grabbing.size).toBe(0);
    expect(ids(b.queues.MY_TICKETS)).toEqual(['a']);
  });
});

describe('counts', () => {
  it('counts cards beyond the loaded page as of the load', () => {
    const b = new QueueBoard<CardLike>(['POOL', 'MY_TICKETS']);
    b.load({ seq: '1', queues: { POOL: [card('a'), card('b')], MY_TICKETS: [card('c')] }, totals: { POOL: 250, MY_TICKETS: 1 } });
    expect(b.count('POOL')).toBe(250);
    expect(b.truncated('POOL')).toBe(true);
    expect(b.count('MY_TICKETS')).toBe(1);
    expect(b.truncated('MY_TICKETS')).toBe(false);
    b.event(ev(2, 1, card('d'), [{ queue: 'MY_TICKETS', kind: 'ENTERED' }]));
    expect(b.count('MY_TICKETS')).toBe(2);
    expect(b.count('OPEN')).toBe(0);
  });

  it('without totals a queue counts what it holds', () => {
    expect(board().count('POOL')).toBe(2);
  });
});

describe('grab races with other changes', () => {
  it('a grab whose ticket was dispatched meanwhile does not come back when it fails', () => {
    const b = board();
    b.beginGrab('a');
    b.event(ev(11, 10, card('a'), [{ queue: 'POOL', kind: 'LEFT' }]));
    b.grabFailed('a', false);
    expect(ids(b.queues.POOL)).toEqual(['b']);
    expect(ids(b.queues.MY_TICKETS)).toEqual([]);
  });

  it('a refetch that no longer has the ticket anywhere marks it gone, too', () => {
    const b = board();
    b.beginGrab('a');
    b.load({ seq: '12', queues: { POOL: [card('b', 'URGENT')], MY_TICKETS: [] } });
    expect(ids(b.queues.MY_TICKETS)).toEqual(['a']);
    b.grabFailed('a', false);
    expect(ids(b.queues.POOL)).toEqual(['b']);
    expect(ids(b.queues.MY_TICKETS)).toEqual([]);
  });

  it('a settled grab can be grabbed again after a failure put it back', () => {
    const b = board();
    b.beginGrab('a');
    b.grabFailed('a', false);
    expect(b.beginGrab('a')).toBe(true);
    b.grabSucceeded(card('a'));
    expect(ids(b.queues.POOL)).toEqual(['b']);
    expect(ids(b.queues.MY_TICKETS)).toEqual(['a']);
    expect(b.grabbing.size).toBe(0);
  });

  it('failures after success, or for cards never grabbed, change nothing', () => {
    const b = board();
    b.beginGrab('a');
    b.grabSucceeded(card('a'));
    b.grabFailed('a', false);
    b.grabFailed('zzz', false);
    expect(ids(b.queues.POOL)).toEqual(['b']);
    expect(ids(b.queues.MY_TICKETS)).toEqual(['a']);
  });

  it('works through a Vue reactive proxy (the board renders from one)', async () => {
    const { reactive, computed } = await import('vue');
    const b = reactive(board());
    const pool = computed(() => ids(b.queues.POOL));
    const busy = computed(() => b.grabbing.has('a'));
    expect(pool.value).toEqual(['b', 'a']);
    b.beginGrab('a');
    expect(pool.value).toEqual(['b']);
    expect(busy.value).toBe(true);
    b.grabFailed('a', false);
    expect(pool.value).toEqual(['b', 'a']);
    expect(busy.value).toBe(false);
  });
});
