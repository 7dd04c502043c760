// Failed password checks are counted per account and per client address in the
// rate-limiter store (memory, or Redis shared by every instance), and each count imposes
// the back-off of domain/identity/login-backoff.ts. An attempt is admitted before its
// password is checked and settled after:
//
// 1. A wait in force (on the account or the address) refuses it at once: the password
//    is not checked and nothing is counted.
// 2. It is counted up front, atomically, so concurrent attempts get distinct numbers and
//    a burst cannot all pass as "the first failure".
// 3. Past the free failures an attempt also takes the single point of the wait key: one
//    attempt at a time, and only once the wait is over.
// 4. A failure leaves its count and sets the wait that count imposes; a success clears
//    the account's count (not the address's: a client stuffing credentials gets some
//    right) and gives back its place in the address's.
//
// The account key is a hash of the normalised email whether or not a user has it, so a
// throttled unknown email answers exactly like a throttled known one, and the store
// holds no email addresses.
import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { BACKOFF_BASE_SECONDS, BACKOFF_MAX_SECONDS, waitAfterFailures, type BackoffPolicy } from '../../domain/identity/login-backoff.ts';

/** The counters of failed logins and the waits they impose; see http/limits.ts for the stores. */
export interface LoginLimiters {
  /** Consecutive failures per account (reset by a success), forgotten a day after the first. */
  accountFailures: RateLimiterAbstract;
  /** Failures per client address on any account, forgotten an hour after the first. */
  addressFailures: RateLimiterAbstract;
  /**
   * Per account and per address: the wait before the next attempt (`block`), and the one
   * attempt let through once it is over (`consume` of its single point).
   */
  wait: RateLimiterAbstract;
}

/** Options of the three limiters, whichever store they use. */
export const LOGIN_LIMITER_OPTIONS = {
  accountFailures: { keyPrefix: 'login-account', points: 1_000_000, duration: 24 * 3600 },
  addressFailures: { keyPrefix: 'login-address', points: 1_000_000, duration: 3600 },
  // How long an admitted attempt holds the wait key if it is never settled (a crash).
  wait: { keyPrefix: 'login-wait', points: 1, duration: 5 },
} as const;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
export const accountKey = (email: string) => `account:${createHash('sha256').update(normalizeEmail(email)).digest('hex')}`;
export const addressKey = (address: string) => `address:${address}`;

export interface LoginThrottlePolicy {
  account: BackoffPolicy;
  address: BackoffPolicy;
}

export const DEFAULT_LOGIN_POLICY: LoginThrottlePolicy = {
  account: { free: 5, lockAfter: 10, lockSeconds: 15 * 60, baseSeconds: BACKOFF_BASE_SECONDS, maxSeconds: BACKOFF_MAX_SECONDS },
  address: { free: 30, lockAfter: 100, lockSeconds: 15 * 60, baseSeconds: BACKOFF_BASE_SECONDS, maxSeconds: BACKOFF_MAX_SECONDS },
};

/** An admitted attempt: settle it exactly once with what the password check said. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
  failed(): Promise<void>;
  /** The check itself went wrong (not the password): the attempt does not count. */
  abandoned(): Promise<void>;
}

export type Admission = { ok: true; attempt: LoginAttempt } | { ok: false; retryAfterSeconds: number };

export interface LoginLock {
  /** Failed logins since the last success or unlock. */
  failures: number;
  /** Until when logins wait (a back-off or a lock); null when none is in force. */
  lockedUntil: Date | null;
}

interface Counter {
  key: string;
  failures: RateLimiterAbstract;
  policy: BackoffPolicy;
}

const retryAfter = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class LoginThrottle {
  constructor(
    private readonly limiters: LoginLimiters,
    private readonly policy: LoginThrottlePolicy = DEFAULT_LOGIN_POLICY,
    /** The store failed: the attempt is let through, as the request limiter does. */
    private readonly onStoreError: (e: unknown) => void = () => {},
  ) {}

  /** Asks to check one password for `email` from `address`. */
  async admit(email: string, address: string): Promise<Admission> {
    const { wait } = this.limiters;
    const counters: Counter[] = [
      { key: accountKey(email), failures: this.limiters.accountFailures, policy: this.policy.account },
      { key: addressKey(address), failures: this.limiters.addressFailures, policy: this.policy.address },
    ];
    try {
      const waits = await Promise.all(counters.map((c) => wait.get(c.key)));
      const blockedMs = Math.max(0, ...waits.map((w) => (w && w.consumedPoints > wait.points ? w.msBeforeNext : 0)));
      if (blockedMs > 0) return { ok: false, retryAfterSeconds: retryAfter(blockedMs) };

      const numbers = await Promise.all(counters.map((c) => c.failures.penalty(c.key, 1)));
      const held: Counter[] = [];
      for (const [i, c] of counters.entries()) {
        if (numbers[i]!.consumedPoints <= c.policy.free) continue;
        try {
          await wait.consume(c.key);
          held.push(c);
        } catch (e) {
          if (!(e instanceof RateLimiterRes)) throw e;
          await this.undo(counters, held);
          return { ok: false, retryAfterSeconds: retryAfter(e.msBeforeNext) };
        }
      }
      return { ok: true, attempt: this.attempt(counters, held) };
    } catch (e) {
      this.onStoreError(e);
      return { ok: true, attempt: { succeeded: async () => {}, failed: async () => {}, abandoned: async () => {} } };
    }
  }

  private attempt(counters: Counter[], held: Counter[]): LoginAttempt {
    const [account, address] = counters as [Counter, Counter];
    const { wait } = this.limiters;
    let settled = false;
    const settle = (f: () => Promise<unknown>) => async () => {
      if (settled) return;
      settled = true;
      await f().catch(this.onStoreError);
    };
    return {
      succeeded: settle(() =>
        Promise.all([
          account.failures.delete(account.key),
          wait.delete(account.key),
          address.failures.reward(address.key, 1),
          ...(held.includes(address) ? [wait.delete(address.key)] : []),
        ]),
      ),
      failed: settle(() =>
        Promise.all(
          counters.map(async (c) => {
            // The count now, not the number this attempt drew: refused concurrent attempts gave theirs back.
            const failures = (await c.failures.get(c.key))?.consumedPoints ?? 1;
            const seconds = waitAfterFailures(failures, c.policy);
            if (seconds > 0) await wait.block(c.key, seconds);
            else if (held.includes(c)) await wait.delete(c.key);
          }),
        ),
      ),
      abandoned: settle(() => this.undo(counters, held)),
    };
  }

  private async undo(counters: Counter[], held: Counter[]) {
    await Promise.all([...counters.map((c) => c.failures.reward(c.key, 1)), ...held.map((c) => this.limiters.wait.delete(c.key))]);
  }

  /** The account's failures and wait, or null when it has none. */
  async lockOf(email: string): Promise<LoginLock | null> {
    const key = accountKey(email);
    const [failures, wait] = await Promise.all([this.limiters.accountFailures.get(key), this.limiters.wait.get(key)]);
    // The store keeps time by the wall clock (Redis TTLs), so the lock is read against it too.
    const lockedUntil = wait && wait.consumedPoints > this.limiters.wait.points ? new Date(Date.now() + wait.msBeforeNext) : null;
    const count = Math.max(0, failures?.consumedPoints ?? 0);
    return count || lockedUntil ? { failures: count, lockedUntil } : null;
  }

  /** Forgets the account's failures and lifts its wait (an admin's unlock). */
  async reset(email: string): Promise<void> {
    const key = accountKey(email);
    await Promise.all([this.limiters.accountFailures.delete(key), this.limiters.wait.delete(key)]);
  }
}

/** The three limiters built by `make` from their options (memory or Redis, see http/limits.ts). */
export function loginLimiters(make: (opts: (typeof LOGIN_LIMITER_OPTIONS)[keyof LoginLimiters], name: keyof LoginLimiters) => RateLimiterAbstract): LoginLimiters {
  return {
    accountFailures: make(LOGIN_LIMITER_OPTIONS.accountFailures, 'accountFailures'),
    addressFailures: make(LOGIN_LIMITER_OPTIONS.addressFailures, 'addressFailures'),
    wait: make(LOGIN_LIMITER_OPTIONS.wait, 'wait'),
  };
}
