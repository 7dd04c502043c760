// The work queues as first-class fields, and their live feed. Every queue answer
// carries the event stream position (`seq`) it reflects; `queueEvents` carries `seq`
// and `prevSeq`, so a board knows when it missed something and must refetch.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import type { Prisma } from '../../infra/db/generated/client.ts';
import { isManager, type Viewer } from '../../domain/identity/viewer.ts';
import { QUEUE_NAMES, type QueueChange, type QueueName } from '../../domain/ticket/queues.ts';
import { EVENT_KINDS, WORKING } from '../../domain/ticket/lifecycle.ts';
import type { EventBus, TicketEventMessage } from '../../infra/pubsub/pubsub.ts';
import type { PrismaClient } from '../../infra/db/generated/client.ts';
import type { Clock } from '../../domain/clock.ts';
import { scopeFor, type PreparedEvent } from '../../services/tickets/event-scope.ts';
import { UnauthenticatedError } from '../auth-errors.ts';
import { builder } from '../builder.ts';
import { listLimit } from '../limits.ts';
import type { Context } from '../context.ts';
import { shareable, subscriberTooSlow } from '../fanout.ts';
import { currentSeq, createLoaders } from '../loaders.ts';
import { TeamRef } from './team.ts';
import { TicketFilter, filterWhere, orderBy, TicketOrderEnum, visibleFor, type TicketFilterArg } from './ticket.ts';
import { isUuid } from '../../domain/ids.ts';

export const QueueNameEnum = builder.enumType('QueueName', {
  description: 'The work queues of the board.',
  values: {
    POOL: { description: '待分配: tickets waiting in the pool you may grab (managers: all, to dispatch).' },
    MY_OFFERS: { description: '待我接单: tickets offered to you, and handovers asked of you.' },
    MY_TICKETS: { description: '待我处理: tickets you are assignee of, and assists you handle.' },
    ASSIST_POOL: { description: '待分配转办: assist requests waiting in the pool of a team you manage.' },
    OPEN: { description: 'Every unresolved ticket (managers).' },
  } satisfies Record<QueueName, unknown>,
});

export const TicketEventKindEnum = builder.enumType('TicketEventKind', {
  description: 'What happened to a ticket (a timeline entry, and the reason of a queue event).',
  values: EVENT_KINDS,
});

const QueueChangeKindEnum = builder.enumType('QueueChangeKind', {
  description: 'Entered, left or changed within a queue.',
  values: {
    ENTERED: { description: 'The ticket is now in the queue.' },
    LEFT: { description: 'The ticket is no longer in the queue.' },
    UPDATED: { description: 'The ticket is still in the queue and changed.' },
  },
});

const QueueChangeRef = builder.objectRef<QueueChange>('QueueChange').implement({
  description: 'How a ticket moved relative to one queue.',
  fields: (t) => ({
    queue: t.field({ type: QueueNameEnum, resolve: (c) => c.queue }),
    kind: t.field({ type: QueueChangeKindEnum, resolve: (c) => c.kind }),
    team: t.prismaField({
      type: 'Team',
      nullable: true,
      description: 'For ASSIST_POOL: whose pool.',
      resolve: (q, c, _a, ctx) => (c.teamId ? ctx.prisma.team.findUnique({ ...q, where: { id: c.teamId } }) : null),
    }),
  }),
});

interface QueueEventShape {
  msg: TicketEventMessage;
  prevSeq: string;
  changes: QueueChange[];
  /** Whether this subscriber may see the ticket, decided with the event's shared EventScope. */
  canSeeTicket: boolean;
}

const QueueEventRef = builder.objectRef<QueueEventShape>('QueueEvent').implement({
  description: 'A ticket moved into, out of or within your queues.',
  fields: (t) => ({
    seq: t.string({ description: 'Position in the event stream (a 64-bit integer as a string).', resolve: (e) => e.msg.seq }),
    prevSeq: t.string({
      description:
        'The seq of the previous event this subscription delivered (or the stream position when it started). If it is greater than the last seq you hold, you missed events: refetch your queues.',
      resolve: (e) => e.prevSeq,
    }),
    reason: t.field({ type: TicketEventKindEnum, description: 'What happened: GRABBED, DISPATCHED, RESOLVED, …', resolve: (e) => e.msg.kind }),
    changes: t.field({ type: [QueueChangeRef], description: 'Which of your queues the ticket entered, left or changed in.', resolve: (e) => e.changes }),
    ticketId: t.id({ description: 'Global id of the ticket, also when you may no longer see it.', resolve: (e) => encodeGlobalID('Ticket', e.msg.ticketId) }),
    ticket: t.prismaField({
      type: 'Ticket',
      nullable: true,
      description: 'The ticket now, if you may still see it.',
      // Visibility was decided per subscriber by the stream (EventScope.canSeeTicket, the
      // subscription form of the rule), so this field reads nothing from the viewer and
      // can be shared by every subscriber of a permission class (graphql/fanout.ts).
      resolve: (q, e, _a, ctx) => (e.canSeeTicket ? ctx.prisma.ticket.findUnique({ ...q, where: { id: e.msg.ticketId } }) : null),
    }),
    actor: t.prismaField({
      type: 'User',
      nullable: true,
      description: 'Who did it; null for the system (timers, routing).',
      resolve: (q, e, _a, ctx) => (e.msg.actorId ? ctx.prisma.user.findUnique({ ...q, where: { id: e.msg.actorId } }) : null),
    }),
    at: t.field({ type: 'DateTime', description: 'When the change happened (the timeline time).', resolve: (e) => e.msg.createdAt }),
    committedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the change was committed, stamped by the instance that committed it; receipt minus this is the delivery lag.',
      resolve: (e) => (e.msg.committedAt === undefined ? null : new Date(e.msg.committedAt)),
    }),
  }),
});

// ───────────────────────────────────────── queue queries ─────────────────────────────────────────

const read = { $all: { authenticated: true, scope: 'tickets:read' } } as const;
const internalRead = { $all: { internal: true, scope: 'tickets:read' } } as const;

async function queueWhere(ctx: Context, queue: QueueName, teamId?: string): Promise<Prisma.TicketWhereInput> {
  const me = ctx.viewer!.userId;
  switch (queue) {
    case 'POOL': {
      if (isManager(ctx.viewer!.role)) return { status: 'NEW' };
      const types = await ctx.loaders.eligibleTypeIds.load(me);
      return { status: 'NEW', typeId: { in: types }, type: { assignmentModes: { has: 'GRAB' } } };
    }
    case 'MY_OFFERS':
      return {
        OR: [
          { status: 'PENDING_ACCEPT', offers: { some: { agentId: me, status: 'PENDING' } } },
          { status: { in: [...WORKING] }, handovers: { some: { toId: me, status: 'PENDING' } } },
        ],
      };
    case 'MY_TICKETS':
      return {
        status: { in: [...WORKING] },
        OR: [{ assigneeId: me }, { assists: { some: { handlerId: me, status: 'OPEN' } } }],
      };
    case 'ASSIST_POOL': {
      // Managers oversee every team's pool; team managers their own teams'.
      const team = teamId ? { teamId } : isManager(ctx.viewer!.role) ? {} : { team: { members: { some: { userId: me, isManager: true } } } };
      return { status: { in: [...WORKING] }, assists: { some: { status: 'POOLED', ...team } } };
    }
    case 'OPEN':
      return { status: { notIn: ['RESOLVED', 'CLOSED'] } };
  }
}

function queueField(queue: QueueName, description: string, opts: { managersOnly?: boolean; teamArg?: boolean } = {}) {
  return builder.queryField(
    { POOL: 'pool', MY_OFFERS: 'myOffers', MY_TICKETS: 'myTickets', ASSIST_POOL: 'assistPool', OPEN: 'openTickets' }[queue],
    (t) =>
      t.withAuth(opts.managersOnly ? { $all: { manager: true, scope: 'tickets:read' } } : internalRead).prismaConnection(
        {
          type: 'Ticket',
          cursor: 'id',
          description,
          args: {
            filter: t.arg({ type: TicketFilter, required: false }),
            orderBy: t.arg({ type: TicketOrderEnum, required: false, defaultValue: 'PRIORITY' }),
            ...(opts.teamArg && { teamId: t.arg.globalID({ for: TeamRef, required: false, description: 'One team\'s pool; default: all teams you manage.' }) }),
          },
          defaultSize: 50,
          maxSize: 200,
          totalCount: async (_c, args, ctx) => ctx.prisma.ticket.count({ where: await where(ctx, args) }),
          resolve: async (query, _r, args, ctx) => {
            // The stream position first: any event after it may already show below.
            await ctx.loaders.currentSeq();
            return ctx.prisma.ticket.findMany({ ...query, where: await where(ctx, args), orderBy: orderBy(args.orderBy) });
          },
        },
        {
          name: `${queue.split('_').map((w) => w[0] + w.slice(1).toLowerCase()).join('')}QueueConnection`,
          fields: (c) => ({
            seq: c.string({
              description: 'The event stream position this list reflects. Apply queueEvents with a greater seq.',
              resolve: (_conn, _args, ctx) => ctx.loaders.currentSeq(),
            }),
          }),
        },
      ),
  );

  async function where(ctx: Context, args: { filter?: TicketFilterArg | null; teamId?: { id: string } | null }): Promise<Prisma.TicketWhereInput> {
    const teamId = args.teamId?.id;
    if (teamId && !isUuid(teamId)) return { id: { in: [] } };
    if (queue === 'ASSIST_POOL' && teamId && !isManager(ctx.viewer!.role)) {
      const managed = await ctx.loaders.managedTeamIds.load(ctx.viewer!.userId);
      if (!managed.has(teamId)) return { id: { in: [] } };
    }
    return { AND: [await queueWhere(ctx, queue, teamId), filterWhere(args.filter), await visibleFor(ctx)] };
  }
}

queueField('POOL', '待分配: pool tickets you may grab; managers see the whole pool to dispatch.');
queueField('MY_OFFERS', '待我接单: tickets offered to you, and tickets someone asks you to take over.');
queueField('MY_TICKETS', '待我处理: tickets you are working on, and tickets you are assisting with.');
queueField('ASSIST_POOL', '待分配转办: tickets with assist requests waiting in the pool of a team you manage.', { teamArg: true });
queueField('OPEN', 'Every unresolved ticket (managers).', { managersOnly: true });

builder.queryField('eventStreamPosition', (t) =>
  t.withAuth(read).string({
    description: 'The current event stream position (seq).',
    resolve: (_r, _a, ctx) => ctx.loaders.currentSeq(),
  }),
);

// ───────────────────────────────────────── subscription ─────────────────────────────────────────

builder.subscriptionType({ description: 'Live updates over graphql-ws (or SSE). Authenticate in connectionParams.' });

builder.subscriptionField('queueEvents', (t) =>
  t.withAuth(internalRead).field({
    type: QueueEventRef,
    description: 'Tickets entering, leaving or changing in the given queues, re-authorized for you on every event.',
    args: {
      queues: t.arg({
        type: [QueueNameEnum],
        required: true,
        description: `At least one. ${listLimit(QUEUE_NAMES.length)}`,
        validate: z.array(z.string()).min(1).max(QUEUE_NAMES.length, `at most ${QUEUE_NAMES.length} items`),
      }),
      teamId: t.arg.globalID({ for: TeamRef, required: false, description: 'Limit ASSIST_POOL to one team.' }),
    },
    subscribe: (_r, args, ctx) => queueStream(ctx, new Set(args.queues as QueueName[]), args.teamId?.id ?? null),
    resolve: (e, _a, ctx) => {
      // Fresh loaders per event: nothing cached from an earlier one.
      ctx.loaders = createLoaders(ctx.prisma);
      return e;
    },
  }),
);

/** Whether seq `a` comes after seq `b` (decimal strings without leading zeros). */
const after = (a: string, b: string) => (a.length !== b.length ? a.length > b.length : a > b);

// ───────────────────────── the queue event hub ─────────────────────────
//
// Every queueEvents subscription of an instance listens through one hub: the hub takes
// each event from the ordered stream once, loads what re-authorizing all its watchers
// needs in one round trip (EventScope.prepare), decides for each watcher synchronously
// (still authorized? which of its queues? may it see the ticket?) and queues the
// decision for that watcher's stream. Per event and watcher that is a few comparisons,
// not a chain of promises and batched loads per subscriber.

/** How far a watcher may fall behind before its subscription ends (it resubscribes and refetches). */
const WATCHER_LIMIT = 1000;

type Decision = { msg: TicketEventMessage; changes: QueueChange[]; canSeeTicket: boolean } | { error: unknown };

interface Watcher {
  viewer: Viewer;
  queues: ReadonlySet<QueueName>;
  teamId: string | null;
  push(d: Decision): void;
}

class QueueHub {
  private readonly watchers = new Set<Watcher>();
  /** Aborts the hub's stream; null while it listens to nothing (no watchers). */
  private listening: AbortController | null = null;

  constructor(
    private readonly events: EventBus,
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
  ) {}

  add(w: Watcher): () => void {
    this.watchers.add(w);
    if (!this.listening) this.listen();
    return () => {
      this.watchers.delete(w);
      if (this.watchers.size === 0) {
        this.listening?.abort();
        this.listening = null;
      }
    };
  }

  private listen(): void {
    const ac = (this.listening = new AbortController());
    // Registered now, before the caller reads its start position (see pubsub/feed.ts).
    const stream = this.events.subscribe(ac.signal);
    void (async () => {
      try {
        for await (const msg of stream) {
          if (ac.signal.aborted) break;
          await this.dispatch(msg, ac.signal);
        }
      } catch (e) {
        // The stream failed (e.g. the hub fell too far behind): every watcher ends, and
        // clients resubscribe and refetch; the next watcher starts a new stream.
        if (!ac.signal.aborted) for (const w of [...this.watchers]) w.push({ error: e });
      } finally {
        if (this.listening === ac) this.listening = null;
      }
    })();
  }

  private async dispatch(msg: TicketEventMessage, signal: AbortSignal): Promise<void> {
    if (this.watchers.size === 0) return;
    const watchers = [...this.watchers];
    let decide: PreparedEvent;
    try {
      decide = await scopeFor(this.prisma, this.clock, msg).prepare(
        watchers.map((w) => w.viewer),
        msg,
      );
    } catch (e) {
      if (!signal.aborted) for (const w of watchers) w.push({ error: e });
      return;
    }
    // Stopped meanwhile (every watcher left): a newer stream serves whoever came since.
    if (signal.aborted) return;
    for (const w of watchers) {
      if (!decide.stillAuthorized(w.viewer)) {
        w.push({ error: new UnauthenticatedError('REVOKED') });
        continue;
      }
      const changes = decide.queueChangesFor(w.viewer, w.queues, w.teamId);
      if (changes.length) w.push({ msg, changes, canSeeTicket: decide.canSeeTicket(w.viewer) });
    }
  }
}

const hubs = new WeakMap<EventBus, QueueHub>();

/**
 * One subscriber's queue events: the hub's decisions after its start position, with prevSeq.
 * The subscription starts once that position is read, so whatever commits after the
 * subscription has started reaches it (and nothing at or before it does).
 */
async function queueStream(ctx: Context, queues: Set<QueueName>, teamId: string | null): Promise<AsyncIterableIterator<QueueEventShape>> {
  let hub = hubs.get(ctx.events);
  if (!hub) hubs.set(ctx.events, (hub = new QueueHub(ctx.events, ctx.prisma, ctx.clock)));
  const buffer: Decision[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  const remove = hub.add({
    viewer: ctx.viewer!,
    queues,
    teamId,
    push(d) {
      if (closed) return;
      if (buffer.length >= WATCHER_LIMIT) {
        buffer.length = 0;
        d = { error: subscriberTooSlow() };
      }
      buffer.push(d);
      if ('error' in d) remove();
      const w = wake;
      wake = null;
      w?.();
    },
  });
  let prev: string;
  try {
    prev = await currentSeq(ctx.prisma);
  } catch (e) {
    remove();
    throw e;
  }
  const done = { value: undefined, done: true } as const;
  const close = () => {
    closed = true;
    buffer.length = 0;
    remove();
    const w = wake;
    wake = null;
    w?.();
  };
  const it: AsyncIterableIterator<QueueEventShape> = {
    async next(): Promise<IteratorResult<QueueEventShape>> {
      for (;;) {
        if (closed) return done;
        const d = buffer.shift();
        if (!d) {
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        if ('error' in d) {
          close();
          throw d.error;
        }
        if (!after(d.msg.seq, prev)) continue;
        const { msg, changes, canSeeTicket } = d;
        // Everything here besides the event goes into the share key (changes are a subset of msg.queueChanges).
        const key = `${prev}|${canSeeTicket ? 1 : 0}|${changes.map((c) => msg.queueChanges.indexOf(c)).join(',')}`;
        const value = shareable({ msg, prevSeq: prev, changes, canSeeTicket }, msg, key);
        prev = msg.seq;
        return { value, done: false };
      }
    },
    async return() {
      close();
      return done;
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
