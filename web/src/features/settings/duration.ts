// Durations in settings (offer timeout, auto-close delay) are seconds on the wire and
// minutes, hours or days on screen.
export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days';

export const UNIT_SECONDS: Record<DurationUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** The largest unit that shows the value as a whole number. */
export function splitDuration(seconds: number): { value: number; unit: DurationUnit } {
  for (const unit of ['days', 'hours', 'minutes'] as const) {
    if (seconds > 0 && seconds % UNIT_SECONDS[unit] === 0) return { value: seconds / UNIT_SECONDS[unit], unit };
  }
  return { value: seconds, unit: 'seconds' };
}

export function joinDuration(value: number, unit: DurationUnit): number {
  return Math.round(value * UNIT_SECONDS[unit]);
}
