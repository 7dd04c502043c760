import { describe, expect, it } from 'vitest';
import { slaState, soonThreshold } from './sla.ts';

const H = 3600_000;
const base = { status: 'PROCESSING', createdAt: '2026-11-21T00:00:00Z', slaPaused: false };
const at = (iso: string) => Date.parse(iso);

describe('slaState', () => {
  it('watches the first response until there is one, then the resolution', () => {
    const t = { ...base, firstResponseDueAt: '2026-11-21T02:00:00Z', resolutionDueAt: '2026-11-22T00:00:00Z' };
    expect(slaState(t, at('2026-11-21T00:30:00Z'))).toMatchObject({ level: 'ok', target: 'response' });
    expect(slaState({ ...t, firstRespondedAt: '2026-11-21T00:10:00Z' }, at('2026-11-21T00:30:00Z'))).toMatchObject({ level: 'ok', target: 'resolution' });
  });

  it('is due soon in the last fifth of the window (10 minutes to 4 hours)', () => {
    const t = { ...base, firstResponseDueAt: '2026-11-21T02:00:00Z' };
    expect(slaState(t, at('2026-11-21T01:35:00Z'))!.level).toBe('ok');
    expect(slaState(t, at('2026-11-21T01:37:00Z'))!.level).toBe('soon');
    expect(soonThreshold(15 * 60_000)).toBe(10 * 60_000);
    expect(soonThreshold(7 * 24 * H)).toBe(4 * H);
  });

  it('is breached once due, a breached target winning over a later one; paused when the clock is paused', () => {
    const t = { ...base, firstResponseDueAt: '2026-11-21T02:00:00Z', resolutionDueAt: '2026-11-22T00:00:00Z' };
    const s = slaState(t, at('2026-11-21T03:00:00Z'))!;
    expect(s).toMatchObject({ level: 'breached', target: 'response' });
    expect(s.remainingMs).toBe(-H);
    expect(slaState({ ...t, slaPaused: true }, at('2026-11-21T03:00:00Z'))!.level).toBe('paused');
  });

  it('does not apply to resolved or closed tickets, or without due dates', () => {
    expect(slaState({ ...base, status: 'RESOLVED', resolutionDueAt: '2026-11-21T02:00:00Z' }, at('2026-11-22T00:00:00Z'))).toBeNull();
    expect(slaState(base, at('2026-11-22T00:00:00Z'))).toBeNull();
  });
});
