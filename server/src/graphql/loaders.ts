// Per-request (and per-event, for subscriptions) memoised lookups, so a list of 50
// tickets asks each question once rather than once per ticket.
import DataLoader from 'dataloader';
import type { PrismaClient } from '../infra/db/generated/client.ts';
import { eligibleTypeIds, loadTypeEligibility, managedTeamsByUser, type TypeEligibility } from '../services/tickets/access.ts';

export function createLoaders(prisma: PrismaClient) {
  const memo = <T>(f: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => (p ??= f());
  };
  return {
    typeEligibility: new DataLoader<string, TypeEligibility | null>((ids) => Promise.all(ids.map((id) => loadTypeEligibility(prisma, id)))),
    eligibleTypeIds: new DataLoader<string, string[]>((userIds) => Promise.all(userIds.map((u) => eligibleTypeIds(prisma, u)))),
    managedTeamIds: new DataLoader<string, Set<string>>(async (userIds) => {
      const teams = await managedTeamsByUser(prisma, userIds);
      return userIds.map((u) => teams.get(u) ?? new Set<string>());
    }),
    /**
     * The event stream position, read before any queue is listed: events after it may
     * already show in the list (clients apply them idempotently), none before it is missing.
     */
    currentSeq: memo(() => currentSeq(prisma)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export async function currentSeq(prisma: PrismaClient): Promise<string> {
  const rows = await prisma.$queryRaw<{ seq: bigint }[]>`SELECT seq FROM "EventCursor" WHERE id = 1`;
  return String(rows[0]?.seq ?? 0);
}
