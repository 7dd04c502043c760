import { describe, expect, it } from 'vitest';
import { diffQueues, queuesOf, type QueueSnapshot } from './queues.ts';

const base: QueueSnapshot = { status: 'NEW', assigneeId: null, offeredTo: null, handoverTargets: [], assists: [] };

describe('queues', () => {
  it('a new ticket enters the pool and the open list', () => {
    expect(diffQueues(null, base)).toEqual([
      { queue: 'POOL', kind: 'ENTERED' },
      { queue: 'OPEN', kind: 'ENTERED' },
    ]);
  });

  it('a grab: leaves the pool, enters the agent\'s tickets, stays open', () => {
    const after = { ...base, status: 'PROCESSING' as const, assigneeId: 'a' };
    expect(diffQueues(base, after)).toEqual([
      { queue: 'OPEN', kind: 'UPDATED' },
      { queue: 'MY_TICKETS', userId: 'a', kind: 'ENTERED' },
      { queue: 'POOL', kind: 'LEFT' },
    ]);
  });

  it('an offer is in the offered agent\'s MY_OFFERS; a handover request in the target\'s', () => {
    expect(queuesOf({ ...base, status: 'PENDING_ACCEPT', offeredTo: 'a' })).toContainEqual({ queue: 'MY_OFFERS', userId: 'a' });
    const working = { ...base, status: 'PROCESSING' as const, assigneeId: 'a', handoverTargets: ['b'] };
    expect(queuesOf(working)).toContainEqual({ queue: 'MY_OFFERS', userId: 'b' });
  });

  it('assists: pooled ones in the team\'s pool, handled ones in the handler\'s tickets; one entry per queue', () => {
    const s: QueueSnapshot = {
      ...base,
      status: 'PROCESSING',
      assigneeId: 'a',
      assists: [
        { handlerId: null, teamId: 't', pooled: true },
        { handlerId: 'a', teamId: null, pooled: false },
        { handlerId: 's', teamId: null, pooled: false },
        { handlerId: 's', teamId: null, pooled: false },
      ],
    };
    expect(queuesOf(s)).toEqual([
      { queue: 'OPEN' },
      { queue: 'MY_TICKETS', userId: 'a' },
      { queue: 'ASSIST_POOL', teamId: 't' },
      { queue: 'MY_TICKETS', userId: 's' },
    ]);
  });

  it('resolving leaves every work queue', () => {
    const before = { ...base, status: 'PROCESSING' as const, assigneeId: 'a' };
    expect(diffQueues(before, { ...before, status: 'RESOLVED' }).map((c) => [c.queue, c.kind])).toEqual([
      ['OPEN', 'LEFT'],
      ['MY_TICKETS', 'LEFT'],
    ]);
  });
});
