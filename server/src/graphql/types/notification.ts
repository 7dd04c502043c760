import type { TicketEventMessage } from '../../infra/pubsub/pubsub.ts';
import { scopeFor } from '../../services/tickets/event-scope.ts';
import { UnauthenticatedError } from '../auth-errors.ts';
import { builder } from '../builder.ts';
import { list } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { isUuid } from '../../domain/ids.ts';
import type { Context } from '../context.ts';
import { createLoaders } from '../loaders.ts';

export const NotificationRef = builder.prismaNode('Notification', {
  description: 'Something that needs your attention: an offer, a handover request, a mention, an assist and its answer, …',
  id: { field: 'id' },
  fields: (t) => ({
    kind: t.exposeString('kind', {
      description: 'OFFER, ASSIGNED, HANDOVER_REQUEST, HANDOVER_ACCEPTED, ASSIST_REQUEST, ASSIST_COMPLETED, MENTION, COMMENT, RESOLVED, …',
    }),
    ticket: t.relation('ticket', { nullable: true }),
    data: t.field({ type: 'JSON', resolve: (n) => n.data }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const mine = { $all: { authenticated: true, scope: 'tickets:read' } } as const;

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
  t.withAuth(mine).field({
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

async function* notificationStream(ctx: Context): AsyncGenerator<{ id: string }> {
  const viewer = ctx.viewer!;
  const ac = new AbortController();
  try {
    for await (const msg of ctx.events.subscribe(ac.signal) as AsyncIterable<TicketEventMessage>) {
      const mine = msg.notifications.filter((n) => n.userId === viewer.userId);
      if (mine.length === 0) continue;
      if (!(await scopeFor(ctx.prisma, ctx.clock, msg).stillAuthorized(viewer))) throw new UnauthenticatedError('REVOKED');
      for (const n of mine) yield { id: n.id };
    }
  } finally {
    ac.abort();
  }
}
