// The use cases, wired once per app instance.
import type { PrismaClient } from '../infra/db/generated/client.ts';
import type { Clock } from '../domain/clock.ts';
import { AuthService } from './auth/auth-service.ts';
import { CustomerSettings } from './settings/customers.ts';
import { PeopleSettings } from './settings/people.ts';
import { TicketTypeSettings } from './settings/ticket-types.ts';

export interface ServiceDeps {
  prisma: PrismaClient;
  clock: Clock;
  sessionTtlMs: number;
}

export function createServices(deps: ServiceDeps) {
  return {
    auth: new AuthService(deps),
    ticketTypes: new TicketTypeSettings(deps),
    people: new PeopleSettings(deps),
    customers: new CustomerSettings(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
