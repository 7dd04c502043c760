// Demo data for the embedded default and `pnpm db:seed`: the company's people, teams,
// ticket types and customers (demo.ts), then tickets worked through the real
// lifecycle services so their timelines, offers and queues are what production
// would have written (tickets.ts).
import type { Clock } from '../../../domain/clock.ts';
import type { PrismaClient } from '../generated/client.ts';
import { seedDemo } from './demo.ts';
import { seedDemoTickets } from './tickets.ts';

export interface SeedOptions {
  log?: (msg: string) => void;
  /** What "now" is for the demo tickets' dates (default: the system clock). */
  clock?: Clock;
}

export async function seedDemoData(prisma: PrismaClient, opts: SeedOptions = {}) {
  const master = await seedDemo(prisma, opts);
  const tickets = await seedDemoTickets(prisma, master, opts);
  return { counts: { ...master.created, ...tickets.created }, master };
}
