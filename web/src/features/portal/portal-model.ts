// What the customer sees of a ticket: its progress in four steps, and one conversation
// that weaves the public comments and the public timeline together (the API already
// leaves out everything internal).
import type { TicketEventKind, TicketStatus } from '../../graphql/generated/graphql.ts';

/** 已提交 → 处理中 → 已解决 → 已关闭, as the index of the current step. */
export function progressStep(status: TicketStatus): number {
  switch (status) {
    case 'NEW':
    case 'PENDING_ACCEPT':
      return 0;
    case 'PROCESSING':
    case 'WAITING_CUSTOMER':
    case 'WAITING_THIRD_PARTY':
      return 1;
    case 'RESOLVED':
      return 2;
    case 'CLOSED':
      return 3;
  }
}

export type StatusTone = 'info' | 'primary' | 'warning' | 'success';

export function statusTone(status: TicketStatus): StatusTone {
  switch (status) {
    case 'WAITING_CUSTOMER':
      return 'warning';
    case 'RESOLVED':
      return 'success';
    case 'PROCESSING':
    case 'WAITING_THIRD_PARTY':
      return 'primary';
    default:
      return 'info';
  }
}

/** Open = still being worked on (the customer's "进行中" filter). */
export const isOpenStatus = (s: TicketStatus) => s !== 'RESOLVED' && s !== 'CLOSED';

interface Person {
  id: string;
  name: string;
  role: string;
}

export interface FeedComment {
  id: string;
  body: string;
  createdAt: string;
  author: Person;
}

export interface FeedEvent {
  id: string;
  kind: TicketEventKind;
  createdAt: string;
  seq: string;
  data: unknown;
  actor: Person | null;
  comment: { id: string } | null;
}

export type FeedItem =
  | { type: 'comment'; id: string; at: string; author: Person; body: string; mine: boolean }
  | { type: 'event'; id: string; at: string; kind: TicketEventKind; actor: Person | null; mine: boolean; data: Record<string, unknown> };

/** Events the portal shows as lines in the conversation (comments are shown as messages). */
const SHOWN: ReadonlySet<TicketEventKind> = new Set<TicketEventKind>([
  'CREATED',
  'GRABBED',
  'OFFER_ACCEPTED',
  'DISPATCHED',
  'HANDED_OVER',
  'STATUS_CHANGED',
  'FIELDS_UPDATED',
  'RESOLVED',
  'REOPENED',
  'CLOSED',
  'RATED',
  'RATING_INVITED',
]);

/**
 * One chronological conversation: comments as messages (each once, also when the
 * timeline references it), the other public events as status lines.
 */
export function buildFeed(events: readonly FeedEvent[], comments: readonly FeedComment[], meId: string | null): FeedItem[] {
  const items: (FeedItem & { order: number })[] = [];
  const byId = new Map(comments.map((c) => [c.id, c]));
  const used = new Set<string>();
  const comment = (c: FeedComment, order: number) => {
    used.add(c.id);
    items.push({ type: 'comment', id: c.id, at: c.createdAt, author: c.author, body: c.body, mine: c.author.id === meId, order });
  };
  for (const e of events) {
    const order = Number(e.seq);
    if (e.kind === 'COMMENTED') {
      const c = e.comment && byId.get(e.comment.id);
      if (c && !used.has(c.id)) comment(c, order);
      continue;
    }
    if (!SHOWN.has(e.kind)) continue;
    const data = e.data && typeof e.data === 'object' && !Array.isArray(e.data) ? (e.data as Record<string, unknown>) : {};
    items.push({ type: 'event', id: e.id, at: e.createdAt, kind: e.kind, actor: e.actor, mine: !!meId && e.actor?.id === meId, data, order });
  }
  // Comments the loaded timeline page does not reference (it is paged separately).
  for (const c of comments) if (!used.has(c.id)) comment(c, Number.MAX_SAFE_INTEGER);
  return items
    .sort((a, b) => a.at.localeCompare(b.at) || a.order - b.order)
    .map(({ order: _order, ...item }) => item as FeedItem);
}

/** The reply address a method needs, prefilled from what we know of the customer. */
export function defaultReplyAddress(method: 'EMAIL' | 'SMS' | 'IM', email: string | null | undefined): string {
  return method === 'EMAIL' ? (email ?? '') : '';
}

/** A random idempotency key (randomUUID needs a secure context; plain http gets the fallback). */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function' && globalThis.isSecureContext !== false) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
