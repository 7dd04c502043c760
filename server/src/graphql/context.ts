import type { PrismaClient } from '../infra/db/generated/client.ts';
import type { AuthFailure, Viewer } from '../domain/identity/viewer.ts';
import type { Services } from '../services/index.ts';
import type { Loaders } from './loaders.ts';
import type { Clock } from '../domain/clock.ts';
import type { EventBus } from '../infra/pubsub/pubsub.ts';

/** Per request (HTTP) or per operation (websocket). */
export interface Context {
  viewer: Viewer | null;
  /** Set when a credential was presented but did not authenticate; explains UNAUTHENTICATED. */
  authFailure: AuthFailure | null;
  prisma: PrismaClient;
  services: Services;
  requestId: string;
  userAgent: string | null;
  /** The client's address (`local` in-process), for counting failed logins per address. */
  clientAddress: string;
  loaders: Loaders;
  /** The committed event stream in seq order, for subscriptions. */
  events: EventBus;
  clock: Clock;
}
