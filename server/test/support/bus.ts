// Helpers for event bus tests: messages, reading a subscription, Redis connection control.
import type { Redis } from 'ioredis';
import type { TicketEventMessage } from '../../src/infra/pubsub/pubsub.ts';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

export function message(seq: number | bigint, extra: Partial<TicketEventMessage> = {}): TicketEventMessage {
  return {
    seq: String(seq),
    eventId: `00000000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    ticketId: '00000000-0000-7000-8000-0000000000aa',
    typeId: '00000000-0000-7000-8000-0000000000bb',
    kind: 'COMMENTED',
    visibility: 'PUBLIC',
    actorId: null,
    createdAt: new Date(0).toISOString(),
    queueChanges: [{ queue: 'POOL', kind: 'UPDATED' }],
    notifications: [{ id: `n-${seq}`, userId: 'u-1' }],
    ...extra,
  };
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Reads from `it` into an array until `n` items arrived (or it ends), within `ms`. */
export async function take<T>(it: AsyncIterator<T>, n: number, ms = 5000): Promise<T[]> {
  const out: T[] = [];
  const deadline = setTimeout(() => void it.return?.(), ms);
  try {
    while (out.length < n) {
      const r = await it.next();
      if (r.done) break;
      out.push(r.value);
    }
  } finally {
    clearTimeout(deadline);
  }
  return out;
}

/** Whether `it` yields anything within `ms` (it is returned afterwards). */
export async function yieldsWithin(it: AsyncIterator<unknown>, ms: number): Promise<boolean> {
  const timer = new Promise<'quiet'>((r) => setTimeout(() => r('quiet'), ms));
  const got = await Promise.race([it.next().then((r) => (r.done ? 'done' : 'value')), timer]);
  return got === 'value';
}

export async function killClient(admin: Redis, name: string): Promise<void> {
  const list = (await admin.client('LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  if (!line) throw new Error(`no redis client named ${name}`);
  const id = /\bid=(\d+)/.exec(line)![1]!;
  await admin.client('KILL', 'ID', id);
}

export async function until(cond: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
