// A websocket presents its credential once, in connection_init, but must not outlive it
// nor keep rights its user has lost. Every open socket with a credential is held here,
// and its credential is looked up again:
// - for every new operation on it (app.ts, onSubscribe), with the user's current role and
//   active flag — the same lookup an HTTP request makes;
// - when its user's access changes (logout, token revocation, deactivation, role change,
//   password reset), announced through the event bus, so on whichever instance holds it;
// - when its credential reaches the expiry last seen. Sessions slide with use (over HTTP
//   too), so that expiry may have moved: the socket closes only if the lookup says so.
// A dead credential closes the socket with 4401 (graphql-ws's Unauthorized: clients do
// not retry it, the person logs in again); a changed role with 4403, and the client's
// reconnect gets a viewer with the rights the user has now.
import type { GraphQLError } from 'graphql';
import type { Clock } from '../domain/clock.ts';
import type { AuthFailure, Viewer } from '../domain/identity/viewer.ts';
import { ForbiddenError, UnauthenticatedError } from '../graphql/auth-errors.ts';
import type { AccessChangeMessage } from '../infra/pubsub/pubsub.ts';
import type { AuthOptions, AuthResult } from '../services/auth/auth-service.ts';

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

export interface HeldCredential {
  /** The viewer as of the last lookup. Its role is the one the socket was opened with. */
  readonly viewer: Viewer;
}

export type CredentialCheck =
  | { ok: true; viewer: Viewer }
  | { ok: false; code: typeof CLOSE_UNAUTHORIZED | typeof CLOSE_FORBIDDEN; reason: string; error: GraphQLError };

export interface SocketCredentialsDeps {
  authenticate(token: string, opts: AuthOptions): Promise<AuthResult>;
  clock: Clock;
  /** Access changes from every instance (the event bus). */
  accessChanges(signal: AbortSignal): AsyncIterable<AccessChangeMessage>;
  /** How often sockets past their credential's expiry are looked for (default 1000 ms). */
  expiryCheckMs?: number;
  /** A socket was closed because of its credential. */
  onClosed?(info: { userId: string; code: number; reason: string }): void;
  onError?(e: unknown): void;
}

interface Entry extends HeldCredential {
  viewer: Viewer;
  readonly token: string;
  expiresAt: number | null;
  readonly close: (code: number, reason: string) => void;
  released: boolean;
  /** An expiry re-check is under way (the sweep does not start another). */
  sweeping: boolean;
}

const FAILURE_TEXT: Record<AuthFailure, string> = {
  INVALID: 'the token is not valid',
  EXPIRED: 'the session or token has expired',
  REVOKED: 'the session or token has been revoked',
  INACTIVE_USER: 'the user is deactivated',
};

export class SocketCredentials {
  private readonly byUser = new Map<string, Set<Entry>>();
  private readonly stopped = new AbortController();
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly deps: SocketCredentialsDeps) {
    this.sweep = setInterval(() => this.closeExpired(), deps.expiryCheckMs ?? 1000);
    this.sweep.unref();
    void this.listen();
  }

  /** Holds an acknowledged socket's credential until `release`. */
  hold(socket: { token: string; viewer: Viewer; expiresAt: Date | null; close: (code: number, reason: string) => void }): HeldCredential {
    const entry: Entry = {
      viewer: socket.viewer,
      token: socket.token,
      expiresAt: socket.expiresAt?.getTime() ?? null,
      close: socket.close,
      released: false,
      sweeping: false,
    };
    let set = this.byUser.get(entry.viewer.userId);
    if (!set) this.byUser.set(entry.viewer.userId, (set = new Set()));
    set.add(entry);
    return entry;
  }

  release(held: HeldCredential): void {
    const entry = held as Entry;
    entry.released = true;
    const set = this.byUser.get(entry.viewer.userId);
    set?.delete(entry);
    if (set?.size === 0) this.byUser.delete(entry.viewer.userId);
  }

  /**
   * Looks the credential up now. `touch` when this is use of it (a new operation): a
   * session's expiry slides as it would for an HTTP request. Closes nothing itself.
   */
  async check(held: HeldCredential, opts: { touch: boolean }): Promise<CredentialCheck> {
    const entry = held as Entry;
    const r = await this.deps.authenticate(entry.token, { touch: opts.touch });
    if (!r.ok) {
      return { ok: false, code: CLOSE_UNAUTHORIZED, reason: `Unauthorized: ${FAILURE_TEXT[r.reason]}`, error: new UnauthenticatedError(r.reason) };
    }
    if (r.viewer.userId !== entry.viewer.userId || r.viewer.role !== entry.viewer.role) {
      return {
        ok: false,
        code: CLOSE_FORBIDDEN,
        reason: 'Forbidden: the role changed; reconnect',
        error: new ForbiddenError('Your role has changed: reconnect to continue with your current rights'),
      };
    }
    entry.viewer = r.viewer;
    entry.expiresAt = r.expiresAt?.getTime() ?? null;
    return { ok: true, viewer: r.viewer };
  }

  /** Closes the socket for a failed check. */
  refuse(held: HeldCredential, failed: Extract<CredentialCheck, { ok: false }>): void {
    const entry = held as Entry;
    if (entry.released) return;
    this.release(entry);
    entry.close(failed.code, failed.reason);
    this.deps.onClosed?.({ userId: entry.viewer.userId, code: failed.code, reason: failed.reason });
  }

  /** Re-checks every socket of the user; closes those whose credential died or whose role changed. */
  async userChanged(userId: string): Promise<void> {
    const entries = [...(this.byUser.get(userId) ?? [])];
    await Promise.all(entries.map((e) => this.recheck(e)));
  }

  stop(): void {
    clearInterval(this.sweep);
    this.stopped.abort();
  }

  private async recheck(entry: Entry): Promise<void> {
    try {
      const r = await this.check(entry, { touch: false });
      if (!r.ok) this.refuse(entry, r);
    } catch (e) {
      // Undecided (the database is unreachable): the socket stays; its next operation is checked again.
      this.deps.onError?.(e);
    }
  }

  private closeExpired(): void {
    const now = this.deps.clock.now().getTime();
    for (const set of this.byUser.values()) {
      for (const entry of set) {
        if (entry.expiresAt === null || entry.expiresAt > now || entry.sweeping) continue;
        entry.sweeping = true;
        void this.recheck(entry).finally(() => (entry.sweeping = false));
      }
    }
  }

  private async listen(): Promise<void> {
    const { signal } = this.stopped;
    while (!signal.aborted) {
      try {
        for await (const change of this.deps.accessChanges(signal)) void this.userChanged(change.userId);
      } catch (e) {
        // The stream failed (fell too far behind): subscribe again.
        if (!signal.aborted) this.deps.onError?.(e);
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 250).unref());
    }
  }
}
