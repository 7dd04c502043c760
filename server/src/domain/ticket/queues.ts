// Which work queues a ticket is in. Computed from a snapshot of the ticket before and
// after a change, the difference is what boards are told: ENTERED, LEFT or UPDATED.
import { isOpen, type TicketStatus } from './lifecycle.ts';

export const QUEUE_NAMES = ['POOL', 'MY_OFFERS', 'MY_TICKETS', 'ASSIST_POOL', 'OPEN'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** A queue with its owner: a user for MY_*, a team for ASSIST_POOL, nobody for shared ones. */
export interface QueueKey {
  queue: QueueName;
  userId?: string;
  teamId?: string;
}

export interface QueueSnapshot {
  status: TicketStatus;
  assigneeId: string | null;
  /** Agent of the pending assignment offer (PENDING_ACCEPT). */
  offeredTo: string | null;
  /** Targets of pending handover requests. */
  handoverTargets: string[];
  /** Open assists: handled by someone, or waiting in a team's pool. */
  assists: { handlerId: string | null; teamId: string | null; pooled: boolean }[];
}

export const keyOf = (k: QueueKey) => [k.queue, k.userId ?? '', k.teamId ?? ''].join(':');

export function queuesOf(s: QueueSnapshot | null): QueueKey[] {
  if (!s) return [];
  const keys: QueueKey[] = [];
  if (s.status === 'NEW') keys.push({ queue: 'POOL' });
  if (isOpen(s.status)) keys.push({ queue: 'OPEN' });
  if (s.status === 'PENDING_ACCEPT' && s.offeredTo) keys.push({ queue: 'MY_OFFERS', userId: s.offeredTo });
  const working = s.status === 'PROCESSING' || s.status === 'WAITING_CUSTOMER' || s.status === 'WAITING_THIRD_PARTY';
  if (working) {
    for (const t of s.handoverTargets) keys.push({ queue: 'MY_OFFERS', userId: t });
    if (s.assigneeId) keys.push({ queue: 'MY_TICKETS', userId: s.assigneeId });
    for (const a of s.assists) {
      if (a.pooled && a.teamId) keys.push({ queue: 'ASSIST_POOL', teamId: a.teamId });
      else if (a.handlerId) keys.push({ queue: 'MY_TICKETS', userId: a.handlerId });
    }
  }
  // One entry per queue: a handler of two assists, or an assignee who also assists.
  return [...new Map(keys.map((k) => [keyOf(k), k])).values()];
}

export type QueueChangeKind = 'ENTERED' | 'LEFT' | 'UPDATED';
export interface QueueChange extends QueueKey {
  kind: QueueChangeKind;
}

/** ENTERED/LEFT for queues gained or lost; UPDATED for queues the ticket stayed in. */
export function diffQueues(before: QueueSnapshot | null, after: QueueSnapshot | null): QueueChange[] {
  const b = new Map(queuesOf(before).map((k) => [keyOf(k), k]));
  const a = new Map(queuesOf(after).map((k) => [keyOf(k), k]));
  const changes: QueueChange[] = [];
  for (const [id, k] of a) changes.push({ ...k, kind: b.has(id) ? 'UPDATED' : 'ENTERED' });
  for (const [id, k] of b) if (!a.has(id)) changes.push({ ...k, kind: 'LEFT' });
  return changes;
}
