import { builder } from '../builder.ts';
import { CustomerTierEnum, PriorityEnum } from './enums.ts';

builder.prismaNode('SlaPolicy', {
  description: 'First-response and resolution targets for a priority, optionally narrowed to a type or customer tier.',
  id: { field: 'id' },
  authScopes: { internal: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    priority: t.expose('priority', { type: PriorityEnum }),
    type: t.relation('type', { nullable: true }),
    tier: t.expose('tier', { type: CustomerTierEnum, nullable: true }),
    firstResponseMinutes: t.exposeInt('firstResponseMinutes'),
    resolutionMinutes: t.exposeInt('resolutionMinutes'),
    active: t.exposeBoolean('active'),
  }),
});

builder.queryFields((t) => ({
  slaPolicies: t.withAuth({ $all: { internal: true, scope: 'settings:read' } }).prismaField({
    type: ['SlaPolicy'],
    description: 'SLA policies, most urgent first.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.slaPolicy.findMany({ ...query, orderBy: [{ priority: 'asc' }, { name: 'asc' }] }),
  }),
}));
