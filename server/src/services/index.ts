// The use cases, wired once per app instance.
import type { PrismaClient } from '../infra/db/generated/client.ts';
import type { Clock } from '../domain/clock.ts';
import { AuthService } from './auth/auth-service.ts';
import { CustomerSettings } from './settings/customers.ts';
import { PeopleSettings } from './settings/people.ts';
import { TicketTypeSettings } from './settings/ticket-types.ts';
import { TicketService } from './tickets/index.ts';
import { queueSnapshot } from './tickets/snapshot.ts';
import { DEFAULT_STRATEGIES, type Strategy } from '../domain/assignment/strategies.ts';
import type { EventBus } from '../infra/pubsub/pubsub.ts';

export interface ServiceDeps {
  prisma: PrismaClient;
  clock: Clock;
  bus: EventBus;
  sessionTtlMs: number;
  strategies?: readonly Strategy[];
  onPublishError?: (e: unknown) => void;
}

export function createServices(deps: ServiceDeps) {
  return {
    auth: new AuthService(deps),
    ticketTypes: new TicketTypeSettings(deps),
    people: new PeopleSettings(deps),
    customers: new CustomerSettings(deps),
    tickets: new TicketService({
      prisma: deps.prisma,
      clock: deps.clock,
      bus: deps.bus,
      snapshot: queueSnapshot,
      strategies: deps.strategies ?? DEFAULT_STRATEGIES,
      onPublishError: deps.onPublishError,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
