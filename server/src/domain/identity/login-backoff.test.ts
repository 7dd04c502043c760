import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_SECONDS, BACKOFF_MAX_SECONDS, waitAfterFailures, type BackoffPolicy } from './login-backoff.ts';

const policy: BackoffPolicy = { free: 5, lockAfter: 10, lockSeconds: 900, baseSeconds: BACKOFF_BASE_SECONDS, maxSeconds: BACKOFF_MAX_SECONDS };

describe('login back-off', () => {
  it('is free for the first failures, doubles, then locks', () => {
    expect(Array.from({ length: 12 }, (_, i) => waitAfterFailures(i, policy))).toEqual([0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 900, 900]);
  });

  it('stops doubling at the cap when the lock comes late (an address)', () => {
    const address = { ...policy, free: 30, lockAfter: 100 };
    expect([29, 30, 34, 35, 36, 99, 100].map((n) => waitAfterFailures(n, address))).toEqual([0, 2, 32, 60, 60, 60, 900]);
    expect(waitAfterFailures(5000, { ...address, lockAfter: 10_000 })).toBe(60);
  });
});
