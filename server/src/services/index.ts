// The use cases, wired once per app instance.
import type { PrismaClient } from '../infra/db/generated/client.ts';
import type { Clock } from '../domain/clock.ts';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AuthService } from './auth/auth-service.ts';
import { LoginThrottle, loginLimiters } from './auth/login-throttle.ts';
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
  /** Failed-login counters; default in memory with the default policy (one instance). */
  loginThrottle?: LoginThrottle;
}

export function createServices(deps: ServiceDeps) {
  const throttle = deps.loginThrottle ?? new LoginThrottle(loginLimiters((o) => new RateLimiterMemory(o)));
  return {
    auth: new AuthService({ ...deps, throttle }),
    ticketTypes: new TicketTypeSettings(deps),
    people: new PeopleSettings({ ...deps, throttle }),
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
