// Shared pieces of the ticket commands.
import type { PrismaClient } from '../../infra/db/generated/client.ts';
import { NotFound, ValidationFailed } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import { charCount } from '../../domain/limits.ts';
import type { Viewer } from '../../domain/identity/viewer.ts';
import type { Strategy } from '../../domain/assignment/strategies.ts';
import type { Tx, UowDeps } from '../../infra/uow.ts';
import { loadState, type TicketState } from './snapshot.ts';
import { eligibleTypeIds, loadTypeEligibility, visibleWhere, type TypeEligibility } from './access.ts';

export interface TicketDeps extends UowDeps {
  /** Auto dispatch strategies, tried in order (see domain/assignment). */
  strategies: readonly Strategy[];
}

type Db = PrismaClient | Tx;

/** Throws NotFound unless `viewer` may see the ticket: existence is never revealed otherwise. */
export async function assertVisible(db: Db, viewer: Viewer, ticketId: string): Promise<void> {
  if (!isUuid(ticketId)) throw new NotFound('Ticket');
  const types = viewer.role === 'AGENT' ? await eligibleTypeIds(db, viewer.userId) : [];
  const t = await db.ticket.findFirst({ where: { AND: [{ id: ticketId }, visibleWhere(viewer, types)] }, select: { id: true } });
  if (!t) throw new NotFound('Ticket');
}

export async function requireType(db: Db, typeId: string): Promise<TypeEligibility> {
  const e = isUuid(typeId) ? await loadTypeEligibility(db, typeId) : null;
  if (!e) throw new NotFound('TicketType');
  return e;
}

export async function loadUser(db: Db, id: string) {
  if (!isUuid(id)) return null;
  return db.user.findUnique({ where: { id }, select: { id: true, name: true, role: true, active: true, email: true } });
}

/** Text inputs: trimmed, required or optional, with a length cap from domain/limits.ts, in characters. */
export function text(
  errors: { field: string; message: string }[],
  field: string,
  value: string | null | undefined,
  opts: { required?: boolean; max: number },
): string | null {
  const v = value?.trim() ?? '';
  if (!v) {
    if (opts.required) errors.push({ field, message: 'is required' });
    return null;
  }
  if (charCount(v) > opts.max) errors.push({ field, message: `at most ${opts.max} characters` });
  return v;
}

export function throwIfErrors(errors: { field: string; message: string }[]): void {
  if (errors.length) throw new ValidationFailed(errors);
}

export const displayNumber = (n: number) => `T-${String(n).padStart(6, '0')}`;

/**
 * The start of most commands: the ticket must be visible to the viewer (else NotFound),
 * then its row is locked and its state read; a stale expectedVersion is refused.
 */
export async function lockForCommand(tx: Tx, viewer: Viewer, ticketId: string, expectedVersion?: number | null): Promise<TicketState> {
  await assertVisible(tx, viewer, ticketId);
  return loadState(tx, ticketId, { lock: true, expectedVersion });
}
