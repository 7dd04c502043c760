// Re-authorizing subscribers on every event. All subscribers of one event share an
// EventScope: its loaders ask the database each question once per event (is this
// session still valid, who may see this ticket, who serves this type), however many
// subscribers there are, and never reuse an answer from an earlier event.
import DataLoader from 'dataloader';
import type { PrismaClient } from '../../infra/db/generated/client.ts';
import type { Clock } from '../../domain/clock.ts';
import { isManager, type Viewer } from '../../domain/identity/viewer.ts';
import type { QueueChange, QueueName } from '../../domain/ticket/queues.ts';
import type { TicketEventMessage } from '../../infra/pubsub/pubsub.ts';
import {
  VISIBILITY_SELECT,
  canSee,
  isEligible,
  loadTypeEligibility,
  toVisibilityFacts,
  type TypeEligibility,
  type VisibilityFacts,
} from './access.ts';

export class EventScope {
  private readonly users: DataLoader<string, { id: string; role: string; active: boolean } | null>;
  private readonly sessions: DataLoader<string, boolean>;
  private readonly tokens: DataLoader<string, boolean>;
  private readonly types: DataLoader<string, TypeEligibility | null>;
  private readonly teams: DataLoader<string, Set<string>>;
  private readonly tickets: DataLoader<string, VisibilityFacts | null>;

  constructor(prisma: PrismaClient, now: Date) {
    this.users = new DataLoader(async (ids) => {
      const rows = await prisma.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, role: true, active: true } });
      return ids.map((id) => rows.find((r) => r.id === id) ?? null);
    });
    this.sessions = new DataLoader(async (ids) => {
      const rows = await prisma.session.findMany({ where: { id: { in: [...ids] } }, select: { id: true, revokedAt: true, expiresAt: true } });
      return ids.map((id) => {
        const s = rows.find((r) => r.id === id);
        return !!s && !s.revokedAt && s.expiresAt > now;
      });
    });
    this.tokens = new DataLoader(async (ids) => {
      const rows = await prisma.apiToken.findMany({ where: { id: { in: [...ids] } }, select: { id: true, revokedAt: true, expiresAt: true } });
      return ids.map((id) => {
        const t = rows.find((r) => r.id === id);
        return !!t && !t.revokedAt && (!t.expiresAt || t.expiresAt > now);
      });
    });
    this.types = new DataLoader((ids) => Promise.all(ids.map((id) => loadTypeEligibility(prisma, id))));
    this.teams = new DataLoader(async (userIds) => {
      const rows = await prisma.teamMember.findMany({ where: { userId: { in: [...userIds] }, isManager: true }, select: { userId: true, teamId: true } });
      return userIds.map((u) => new Set(rows.filter((r) => r.userId === u).map((r) => r.teamId)));
    });
    this.tickets = new DataLoader(async (ids) => {
      const rows = await prisma.ticket.findMany({ where: { id: { in: [...ids] } }, select: { id: true, ...VISIBILITY_SELECT } });
      return ids.map((id) => {
        const r = rows.find((x) => x.id === id);
        return r ? toVisibilityFacts(r) : null;
      });
    });
  }

  /** The viewer's credential still works and the user is still active. */
  async stillAuthorized(viewer: Viewer): Promise<boolean> {
    const [user, credential] = await Promise.all([
      this.users.load(viewer.userId),
      viewer.via === 'session' ? this.sessions.load(viewer.credentialId) : this.tokens.load(viewer.credentialId),
    ]);
    return !!user?.active && credential && user.role === viewer.role;
  }

  async canSeeTicket(viewer: Viewer, ticketId: string, typeId: string): Promise<boolean> {
    const facts = await this.tickets.load(ticketId);
    if (!facts) return false;
    const elig = viewer.role === 'AGENT' ? await this.types.load(typeId) : null;
    return canSee(viewer, facts, !!elig && isEligible(elig, { id: viewer.userId, role: viewer.role, active: true }));
  }

  /** The queue changes of `msg` this viewer watches and may see. */
  async queueChangesFor(viewer: Viewer, msg: TicketEventMessage, queues: ReadonlySet<QueueName>, teamId?: string | null): Promise<QueueChange[]> {
    const out: QueueChange[] = [];
    for (const c of msg.queueChanges) {
      if (!queues.has(c.queue)) continue;
      switch (c.queue) {
        case 'OPEN':
          if (isManager(viewer.role)) out.push(c);
          break;
        case 'POOL': {
          if (isManager(viewer.role)) {
            out.push(c);
            break;
          }
          const elig = await this.types.load(msg.typeId);
          if (elig?.modes.includes('GRAB') && isEligible(elig, { id: viewer.userId, role: viewer.role, active: true })) out.push(c);
          break;
        }
        case 'MY_OFFERS':
        case 'MY_TICKETS':
          if (c.userId === viewer.userId) out.push(c);
          break;
        case 'ASSIST_POOL':
          if (teamId && c.teamId !== teamId) break;
          if (isManager(viewer.role) || (c.teamId && (await this.teams.load(viewer.userId)).has(c.teamId))) out.push(c);
          break;
      }
    }
    return out;
  }
}

const scopes = new WeakMap<TicketEventMessage, EventScope>();

/** The scope of one event, shared by every subscriber in this process. */
export function scopeFor(prisma: PrismaClient, clock: Clock, msg: TicketEventMessage): EventScope {
  let s = scopes.get(msg);
  if (!s) {
    s = new EventScope(prisma, clock.now());
    scopes.set(msg, s);
  }
  return s;
}
