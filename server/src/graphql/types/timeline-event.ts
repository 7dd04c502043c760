import { isInternal } from '../../domain/identity/viewer.ts';
import { isUuid } from '../../domain/ids.ts';
import { stoppingWith } from '../../infra/pubsub/feed.ts';
import type { TicketEventMessage } from '../../infra/pubsub/pubsub.ts';
import { assertVisible } from '../../services/tickets/common.ts';
import { scopeFor } from '../../services/tickets/event-scope.ts';
import { UnauthenticatedError } from '../auth-errors.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { shareable } from '../fanout.ts';
import { createLoaders, currentSeq } from '../loaders.ts';
import { TicketEventKindEnum } from './queue.ts';
import { TicketRef } from './ticket.ts';

const EventVisibilityEnum = builder.enumType('EventVisibility', {
  description: 'Who sees a timeline entry.',
  values: { PUBLIC: { description: 'Shown to the customer too.' }, INTERNAL: { description: 'Internal staff only.' } },
});

// What customers may read of a public event's details: routing reasons, notes and the
// like stay internal.
const PUBLIC_DATA_KEYS = new Set(['number', 'title', 'priority', 'channel', 'from', 'to', 'resolution', 'score', 'comment', 'changes', 'commentId', 'agentId', 'reason']);

builder.prismaNode('TimelineEvent', {
  description: 'One entry of a ticket\'s history (处理记录).',
  id: { field: 'id' },
  fields: (t) => ({
    seq: t.string({ description: 'Position in the global event stream.', select: { seq: true }, resolve: (e) => e.seq.toString() }),
    kind: t.field({ type: TicketEventKindEnum, select: { kind: true }, resolve: (e) => e.kind as never }),
    visibility: t.expose('visibility', { type: EventVisibilityEnum }),
    actor: t.relation('actor', { nullable: true, description: 'Null for the system (timers, routing).' }),
    ticket: t.relation('ticket'),
    data: t.field({
      type: 'JSON',
      description: 'Details by kind, e.g. { agentId, reasons } for DISPATCHED, { from, to } for STATUS_CHANGED.',
      select: { data: true },
      resolve: (e, _a, ctx) => {
        const data = (e.data ?? {}) as Record<string, unknown>;
        if (ctx.viewer && isInternal(ctx.viewer.role)) return data;
        return Object.fromEntries(Object.entries(data).filter(([k]) => PUBLIC_DATA_KEYS.has(k)));
      },
    }),
    comment: t.prismaField({
      type: 'Comment',
      nullable: true,
      description: 'For COMMENTED: the comment.',
      select: { data: true, visibility: true },
      resolve: (q, e, _a, ctx) => {
        const id = (e.data as { commentId?: unknown } | null)?.commentId;
        if (!isUuid(id)) return null;
        const internal = !!ctx.viewer && isInternal(ctx.viewer.role);
        return ctx.prisma.comment.findFirst({ ...q, where: { id, ...(!internal && { visibility: 'PUBLIC' as const }) } });
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.subscriptionField('ticketEvents', (t) =>
  t.withAuth({ $all: { authenticated: true, scope: 'tickets:read' } }).prismaField({
    type: 'TimelineEvent',
    description: 'A ticket\'s timeline as it happens. Customers receive public events only.',
    args: { ticketId: t.arg.globalID({ for: TicketRef, required: true }) },
    subscribe: (_r, { ticketId }, ctx) => ticketStream(ctx, ticketId.id),
    resolve: (query, e, _a, ctx) => {
      ctx.loaders = createLoaders(ctx.prisma);
      return ctx.prisma.timelineEvent.findUniqueOrThrow({ ...query, where: { id: (e as { msg: TicketEventMessage }).msg.eventId } });
    },
  }),
);

/** Starts once the stream position is read: whatever commits after that reaches it. */
async function ticketStream(ctx: Context, ticketId: string): Promise<AsyncGenerator<{ msg: TicketEventMessage }>> {
  const viewer = ctx.viewer!;
  // Subscribing to a ticket you may not see fails like reading it: not found.
  await assertVisible(ctx.prisma, viewer, ticketId);
  const ac = new AbortController();
  const stream = ctx.events.subscribe(ac.signal);
  let start: bigint;
  try {
    start = BigInt(await currentSeq(ctx.prisma));
  } catch (e) {
    ac.abort();
    throw e;
  }
  async function* events() {
    for await (const msg of stream) {
      if (msg.ticketId !== ticketId || BigInt(msg.seq) <= start) continue;
      if (msg.visibility !== 'PUBLIC' && !isInternal(viewer.role)) continue;
      const scope = scopeFor(ctx.prisma, ctx.clock, msg);
      if (!(await scope.stillAuthorized(viewer))) throw new UnauthenticatedError('REVOKED');
      if (!(await scope.canSeeTicket(viewer, msg.ticketId, msg.typeId))) continue;
      // Nothing per subscriber is left in the value: the event alone (graphql/fanout.ts).
      yield shareable({ msg }, msg, '');
    }
  }
  return stoppingWith(events(), () => ac.abort());
}
