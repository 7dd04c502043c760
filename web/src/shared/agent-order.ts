// How pickers order the agents a ticket may go to: online first, then least open work,
// then by name. Presence and load are null only for customers, who never pick agents.
type Presence = 'ONLINE' | 'AWAY' | 'OFFLINE';
const PRESENCE_RANK: Record<Presence, number> = { ONLINE: 0, AWAY: 1, OFFLINE: 2 };

export interface Pickable {
  name: string;
  presence: Presence | null;
  openTicketCount: number | null;
}

export function byAvailability(a: Pickable, b: Pickable): number {
  return (
    PRESENCE_RANK[a.presence ?? 'OFFLINE'] - PRESENCE_RANK[b.presence ?? 'OFFLINE'] ||
    (a.openTicketCount ?? 0) - (b.openTicketCount ?? 0) ||
    a.name.localeCompare(b.name, 'zh-CN')
  );
}
