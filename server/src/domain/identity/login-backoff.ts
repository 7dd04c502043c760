// How long a login has to wait after consecutive failures. The same schedule serves an
// account (failures reset by a successful login) and a client address (failures on any
// account, so one client trying many accounts slows down too): a few failures are free,
// then each one doubles the wait up to a cap, and from `lockAfter` on every failure
// locks for `lockSeconds`.

export interface BackoffPolicy {
  /** Failures that cost nothing; the next attempt after this many waits. */
  free: number;
  /** From this many failures on, each failure locks for `lockSeconds`. */
  lockAfter: number;
  lockSeconds: number;
  /** The wait after the `free`-th failure; it doubles with every further one. */
  baseSeconds: number;
  /** The doubling stops here (below the lock). */
  maxSeconds: number;
}

export const BACKOFF_BASE_SECONDS = 2;
export const BACKOFF_MAX_SECONDS = 60;

/** Seconds the next attempt waits after the `failures`-th consecutive failure; 0 = none. */
export function waitAfterFailures(failures: number, p: BackoffPolicy): number {
  if (failures >= p.lockAfter) return p.lockSeconds;
  if (failures < p.free) return 0;
  // 2^(failures - free) overflows to Infinity long before the cap matters; min() handles it.
  return Math.min(p.maxSeconds, p.baseSeconds * 2 ** (failures - p.free));
}
