import DataLoader from 'dataloader';
import { stoppingWith } from '../../infra/pubsub/feed.ts';
import type { TicketEventMessage } from '../../infra/pubsub/pubsub.ts';
import { scopeFor } from '../../services/tickets/event-scope.ts';
import { UnauthenticatedError } from '../auth-errors.ts';
import { builder } from '../builder.ts';
import { list } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { isUuid } from '../../domain/ids.ts';
import type { Context } from '../context.ts';
import { createLoaders } from '../loaders.ts';
import { TicketRef, visibleFor } from './ticket.ts';

/**
 * Which of a request's notification tickets the viewer may see: one query for the whole
 * list, with the same rule as ticket(id). A notification only says something happened;
 * it never lets its recipient read a ticket they otherwise could not (an @mention
 * notifies, it does not grant access).
 */
const visibleTickets = new WeakMap<object, DataLoader<string, boolean>>();
function visibleTicketLoader(ctx: Context): DataLoader<string, boolean> {
  let loader = visibleTickets.get(ctx.loaders);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const rows = await ctx.prisma.ticket.findMany({ where: { AND: [{ id: { in: [...ids] } }, await visibleFor(ctx)] }, select: { id: true } });
      const seen = new Set(rows.map((r) => r.id));
      return ids.map((id) => seen.has(id));
    });
    visibleTickets.set(ctx.loaders, loader);
  }
  return loader;
}

export const NotificationRef = builder.prismaNode('Notification', {
  description: 'Something that needs your attention: an offer, a handover request, a mention, an assist and its answer, …',
  id: { field: 'id' },
  fields: (t) => ({
    kind: t.exposeString('kind', {
      description: 'OFFER, ASSIGNED, HANDOVER_REQUEST, HANDOVER_ACCEPTED, ASSIST_REQUEST, ASSIST_COMPLETED, MENTION, COMMENT, RESOLVED, …',
    }),
    ticket: t.field({
      type: TicketRef,
      nullable: true,
      description: 'The ticket it is about; null when you may not see it (the same answer as ticket(id)). A mention notifies, it does not grant access.',
      select: (_a, _c, nested) => ({ ticketId: true, ticket: nested() }),
      resolve: async (n, _a, ctx) => (n.ticket && n.ticketId && (await visibleTicketLoader(ctx).load(n.ticketId)) ? n.ticket : null),
    }),
    data: t.field({ type: 'JSON', resolve: (n) => n.data }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const mine = { $all: { authenticated: true, scope: 'tickets:read' } } as const;
const markMine = { $all: { authenticated: true, scope: 'tickets:write' } } as const;

builder.queryField('notifications', (t) =>
  t.withAuth(mine).prismaConnection({
    type: 'Notification',
    cursor: 'id',
    description: 'Your notifications, newest first.',
    args: { unreadOnly: t.arg.boolean({ required: false, defaultValue: false }) },
    defaultSize: 20,
    maxSize: 100,
    totalCount: (_c, { unreadOnly }, ctx) => ctx.prisma.notification.count({ where: { userId: ctx.viewer!.userId, ...(unreadOnly && { readAt: null }) } }),
    resolve: (query, _r, { unreadOnly }, ctx) =>
      ctx.prisma.notification.findMany({
        ...query,
        where: { userId: ctx.viewer.userId, ...(unreadOnly && { readAt: null }) },
        orderBy: { id: 'desc' },
      }),
  }),
);

builder.mutationField('markNotificationsRead', (t) =>
  t.withAuth(markMine).field({
    type: builder.simpleObject('MarkNotificationsReadPayload', { fields: (f) => ({ count: f.int({ description: 'How many were marked.' }) }) }),
    description: 'Mark some of your notifications read, or all of them when ids is omitted.',
    args: {
      input: t.arg({
        type: builder.inputType('MarkNotificationsReadInput', {
          fields: (f) => ({ ids: f.globalIDList({ for: NotificationRef, required: false, ...list(LIMITS.notifications.ids) }) }),
        }),
        required: true,
      }),
    },
    resolve: async (_r, { input }, ctx) => {
      const r = await ctx.prisma.notification.updateMany({
        where: { userId: ctx.viewer.userId, readAt: null, ...(input.ids && { id: { in: input.ids.map((x) => x.id).filter(isUuid) } }) },
        data: { readAt: ctx.clock.now() },
      });
      return { count: r.count };
    },
  }),
);

builder.subscriptionField('myNotifications', (t) =>
  t.withAuth(mine).prismaField({
    type: 'Notification',
    description: 'Your notifications as they are written: offers, handover requests, assists and their results, mentions.',
    subscribe: (_r, _a, ctx) => notificationStream(ctx),
    resolve: (query, n, _a, ctx) => {
      ctx.loaders = createLoaders(ctx.prisma);
      return ctx.prisma.notification.findUniqueOrThrow({ ...query, where: { id: (n as { id: string }).id } });
    },
  }),
);

/** Listens from the moment the subscription starts. */
function notificationStream(ctx: Context): AsyncGenerator<{ id: string }> {
  const viewer = ctx.viewer!;
  const ac = new AbortController();
  const stream = ctx.events.subscribe(ac.signal) as AsyncIterable<TicketEventMessage>;
  async function* notifications() {
    for await (const msg of stream) {
      const mine = msg.notifications.filter((n) => n.userId === viewer.userId);
      if (mine.length === 0) continue;
      if (!(await scopeFor(ctx.prisma, ctx.clock, msg).stillAuthorized(viewer))) throw new UnauthenticatedError('REVOKED');
      for (const n of mine) yield { id: n.id };
    }
  }
  return stoppingWith(notifications(), () => ac.abort());
}
