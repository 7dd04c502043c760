// Demo data for the embedded default and `pnpm db:seed`: the company's people, teams,
// ticket types and customers (demo.ts), then tickets worked through the real
// lifecycle services so their timelines, offers and queues are what production
// would have written.
import type { PrismaClient } from '../generated/client.ts';
import { seedDemo } from './demo.ts';

export interface SeedOptions {
  log?: (msg: string) => void;
}

export async function seedDemoData(prisma: PrismaClient, opts: SeedOptions = {}) {
  const master = await seedDemo(prisma, opts);
  return { counts: master.created, master };
}
