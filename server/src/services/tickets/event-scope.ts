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
  managedTeamsByUser,
  toVisibilityFacts,
  type TypeEligibility,
  type VisibilityFacts,
} from './access.ts';

type UserFacts = { id: string; role: string; active: boolean };

export class EventScope {
  private readonly users: DataLoader<string, UserFacts | null>;
  private readonly sessions: DataLoader<string, boolean>;
  private readonly tokens: DataLoader<string, boolean>;
  private readonly types: DataLoader<string, TypeEligibility | null>;
  private readonly teams: DataLoader<string, Set<string>>;
  private readonly tickets: DataLoader<string, VisibilityFacts | null>;
  private readonly fetch: ReturnType<typeof fetchers>;

  constructor(prisma: PrismaClient, now: Date) {
    const f = (this.fetch = fetchers(prisma, now));
    this.users = new DataLoader(async (ids) => {
      const rows = await f.users(ids);
      return ids.map((id) => rows.get(id) ?? null);
    });
    this.sessions = new DataLoader(async (ids) => {
      const valid = await f.sessions(ids);
      return ids.map((id) => valid.has(id));
    });
    this.tokens = new DataLoader(async (ids) => {
      const valid = await f.tokens(ids);
      return ids.map((id) => valid.has(id));
    });
    this.types = new DataLoader((ids) => Promise.all(ids.map((id) => loadTypeEligibility(prisma, id))));
    this.teams = new DataLoader(async (userIds) => {
      const teams = await f.managedTeams(userIds);
      return userIds.map((u) => teams.get(u) ?? new Set<string>());
    });
    this.tickets = new DataLoader(async (ids) => {
      const rows = await f.tickets(ids);
      return ids.map((id) => rows.get(id) ?? null);
    });
  }

  /** The viewer's credential still works and the user is still active. */
  async stillAuthorized(viewer: Viewer): Promise<boolean> {
    const [user, credential] = await Promise.all([
      this.users.load(viewer.userId),
      viewer.via === 'session' ? this.sessions.load(viewer.credentialId) : this.tokens.load(viewer.credentialId),
    ]);
    return authorized(viewer, user, credential);
  }

  async canSeeTicket(viewer: Viewer, ticketId: string, typeId: string): Promise<boolean> {
    const facts = await this.tickets.load(ticketId);
    if (!facts) return false;
    return visible(viewer, facts, viewer.role === 'AGENT' ? await this.types.load(typeId) : null);
  }

  /** The queue changes of `msg` this viewer watches and may see. */
  async queueChangesFor(viewer: Viewer, msg: TicketEventMessage, queues: ReadonlySet<QueueName>, teamId?: string | null): Promise<QueueChange[]> {
    const mine = msg.queueChanges.filter((c) => queues.has(c.queue));
    if (mine.length === 0) return [];
    const needsType = !isManager(viewer.role) && mine.some((c) => c.queue === 'POOL');
    const needsTeams = !isManager(viewer.role) && mine.some((c) => c.queue === 'ASSIST_POOL');
    const [elig, managed] = await Promise.all([needsType ? this.types.load(msg.typeId) : null, needsTeams ? this.teams.load(viewer.userId) : null]);
    return changesFor(viewer, mine, elig, managed, teamId);
  }

  /**
   * Loads, in one round trip, what deciding for all these viewers of `msg` (this scope's
   * event) needs, and returns the decisions as synchronous checks: a subscription hub
   * asks once for thousands of subscribers instead of once per subscriber.
   */
  async prepare(viewers: readonly Viewer[], msg: TicketEventMessage): Promise<PreparedEvent> {
    const userIds = new Set<string>();
    const sessionIds: string[] = [];
    const tokenIds: string[] = [];
    const teamUsers = new Set<string>();
    const assistPool = msg.queueChanges.some((c) => c.queue === 'ASSIST_POOL');
    for (const v of viewers) {
      userIds.add(v.userId);
      (v.via === 'session' ? sessionIds : tokenIds).push(v.credentialId);
      if (assistPool && !isManager(v.role)) teamUsers.add(v.userId);
    }
    const [users, sessions, tokens, teams, type, ticket] = await Promise.all([
      this.fetch.users([...userIds]),
      sessionIds.length ? this.fetch.sessions(sessionIds) : new Set<string>(),
      tokenIds.length ? this.fetch.tokens(tokenIds) : new Set<string>(),
      teamUsers.size ? this.fetch.managedTeams([...teamUsers]) : new Map<string, Set<string>>(),
      this.types.load(msg.typeId),
      this.tickets.load(msg.ticketId),
    ]);
    const none = new Set<string>();
    return {
      stillAuthorized: (v) => authorized(v, users.get(v.userId) ?? null, (v.via === 'session' ? sessions : tokens).has(v.credentialId)),
      canSeeTicket: (v) => !!ticket && visible(v, ticket, type),
      queueChangesFor(v, queues, teamId) {
        const mine = msg.queueChanges.filter((c) => queues.has(c.queue));
        return mine.length ? changesFor(v, mine, type, teams.get(v.userId) ?? none, teamId) : [];
      },
    };
  }
}

/** EventScope's checks for one event, decided from facts loaded for many viewers at once. */
export interface PreparedEvent {
  stillAuthorized(viewer: Viewer): boolean;
  canSeeTicket(viewer: Viewer): boolean;
  queueChangesFor(viewer: Viewer, queues: ReadonlySet<QueueName>, teamId?: string | null): QueueChange[];
}

// The rules, over loaded facts; the async and the prepared checks share them.

function authorized(viewer: Viewer, user: UserFacts | null, credentialValid: boolean): boolean {
  return !!user?.active && credentialValid && user.role === viewer.role;
}

function visible(viewer: Viewer, facts: VisibilityFacts, elig: TypeEligibility | null): boolean {
  const eligible = viewer.role === 'AGENT' && !!elig && isEligible(elig, { id: viewer.userId, role: viewer.role, active: true });
  return canSee(viewer, facts, eligible);
}

/** Of `mine` (the event's changes in queues the viewer watches), those the viewer may have. */
function changesFor(viewer: Viewer, mine: readonly QueueChange[], elig: TypeEligibility | null, managedTeams: ReadonlySet<string> | null, teamId?: string | null): QueueChange[] {
  const out: QueueChange[] = [];
  const manager = isManager(viewer.role);
  for (const c of mine) {
    switch (c.queue) {
      case 'OPEN':
        if (manager) out.push(c);
        break;
      case 'POOL':
        if (manager || (elig?.modes.includes('GRAB') && isEligible(elig, { id: viewer.userId, role: viewer.role, active: true }))) out.push(c);
        break;
      case 'MY_OFFERS':
      case 'MY_TICKETS':
        if (c.userId === viewer.userId) out.push(c);
        break;
      case 'ASSIST_POOL':
        if (teamId && c.teamId !== teamId) break;
        if (manager || (c.teamId && managedTeams?.has(c.teamId))) out.push(c);
        break;
    }
  }
  return out;
}

/** The batch queries behind the loaders and prepare(). */
function fetchers(prisma: PrismaClient, now: Date) {
  return {
    async users(ids: readonly string[]): Promise<Map<string, UserFacts>> {
      return byId(await prisma.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, role: true, active: true } }));
    },
    /** The ids, of those given, of sessions still valid. */
    async sessions(ids: readonly string[]): Promise<Set<string>> {
      const rows = await prisma.session.findMany({ where: { id: { in: [...ids] }, revokedAt: null, expiresAt: { gt: now } }, select: { id: true } });
      return new Set(rows.map((r) => r.id));
    },
    async tokens(ids: readonly string[]): Promise<Set<string>> {
      const rows = await prisma.apiToken.findMany({
        where: { id: { in: [...ids] }, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
        select: { id: true },
      });
      return new Set(rows.map((r) => r.id));
    },
    managedTeams: (userIds: readonly string[]) => managedTeamsByUser(prisma, userIds),
    async tickets(ids: readonly string[]): Promise<Map<string, VisibilityFacts>> {
      const rows = await prisma.ticket.findMany({ where: { id: { in: [...ids] } }, select: { id: true, ...VISIBILITY_SELECT } });
      return new Map(rows.map((r) => [r.id, toVisibilityFacts(r)]));
    },
  };
}

/** Rows by id: a batch of thousands of subscribers must not cost a scan per subscriber. */
function byId<T extends { id: string }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.id, r]));
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
