// SLA markers for cards and the ticket header, from the due dates the server computed.
// Kept pure (time is a parameter) so it is tested without a clock.

export type SlaLevel = 'ok' | 'soon' | 'breached' | 'paused';
export type SlaTarget = 'response' | 'resolution';

export interface SlaFacts {
  status: string;
  createdAt: string;
  firstResponseDueAt?: string | null;
  firstRespondedAt?: string | null;
  resolutionDueAt?: string | null;
  slaPaused: boolean;
}

export interface SlaState {
  level: SlaLevel;
  target: SlaTarget;
  dueAt: string;
  /** Milliseconds until due; negative once breached. */
  remainingMs: number;
}

const MINUTE = 60_000;
/** "Due soon": the last fifth of the window, at least 10 minutes and at most 4 hours. */
export function soonThreshold(windowMs: number): number {
  return Math.min(4 * 60 * MINUTE, Math.max(10 * MINUTE, windowMs / 5));
}

/** The SLA target that matters now, or null when none applies (resolved, closed, no policy). */
export function slaState(t: SlaFacts, now: number): SlaState | null {
  if (t.status === 'RESOLVED' || t.status === 'CLOSED') return null;
  const created = Date.parse(t.createdAt);
  const targets: { target: SlaTarget; due: number; dueAt: string }[] = [];
  if (t.firstResponseDueAt && !t.firstRespondedAt) targets.push({ target: 'response', due: Date.parse(t.firstResponseDueAt), dueAt: t.firstResponseDueAt });
  if (t.resolutionDueAt) targets.push({ target: 'resolution', due: Date.parse(t.resolutionDueAt), dueAt: t.resolutionDueAt });
  if (targets.length === 0) return null;
  // A breached target wins; otherwise the one due first.
  const pick = targets.find((x) => x.due <= now) ?? targets.reduce((a, b) => (b.due < a.due ? b : a));
  const remainingMs = pick.due - now;
  let level: SlaLevel;
  if (t.slaPaused) level = 'paused';
  else if (remainingMs <= 0) level = 'breached';
  else if (remainingMs <= soonThreshold(pick.due - created)) level = 'soon';
  else level = 'ok';
  return { level, target: pick.target, dueAt: pick.dueAt, remainingMs };
}
