// HTTP guards of the GraphQL endpoint: the request body size (413) and rate limiting
// per session/API token, or per client address without a valid credential (429 with
// Retry-After). Both are yoga plugins, so they apply to in-process requests (tests) as
// they do to the HTTP server. Websocket limits live in app.ts (init timeout, message
// size, operations per connection); what an operation may ask for in
// graphql/operation-limits.ts.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

// ───────────────────────────────────────── body size ─────────────────────────────────────────

function tooLarge(limit: number, size?: number): GraphQLError {
  return new GraphQLError(
    size != null
      ? `Request body too large: ${size} bytes, the limit is ${limit} bytes.`
      : `Request body too large: more than the limit of ${limit} bytes.`,
    { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', limit, http: { status: 413 } } },
  );
}

/**
 * A clear 413 for bodies over `limit`. Yoga's own `maxRequestBodySize` (set to the same
 * limit in app.ts) counts the bytes of bodies without a Content-Length as they arrive;
 * this plugin refuses a declared length before reading anything and words both errors.
 */
export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      const declared = request.headers.get('content-length');
      if (declared && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit, Number(declared));
      if (!requestParser) return;
      setRequestParser(async (req) => {
        try {
          return await requestParser(req);
        } catch (e) {
          if (e instanceof GraphQLError && e.extensions?.code === 'REQUEST_ENTITY_TOO_LARGE') throw tooLarge(limit);
          throw e;
        }
      });
    },
  };
}

// ─────────────────────────────────────── rate limiting ───────────────────────────────────────

/**
 * One limiter for credentials, one for anonymous clients. Any `rate-limiter-flexible`
 * limiter fits: memory for one instance; for several, a shared store such as
 * `new RateLimiterRedis({ storeClient, points, duration: 60, keyPrefix: 'gongdan:rl' })`
 * (with `insuranceLimiter` set to a memory limiter to keep limiting when Redis is away).
 */
export interface RateLimiters {
  authenticated: RateLimiterAbstract;
  anonymous: RateLimiterAbstract;
}

export function memoryRateLimiters(opts: { perMinute: number; anonymousPerMinute: number }): RateLimiters {
  return {
    authenticated: new RateLimiterMemory({ keyPrefix: 'token', points: opts.perMinute, duration: 60 }),
    anonymous: new RateLimiterMemory({ keyPrefix: 'ip', points: opts.anonymousPerMinute, duration: 60 }),
  };
}

/** Whom a request is counted against. */
export interface RateLimitSubject {
  /** e.g. `token:<session or API token id>` or `ip:<address>`. */
  key: string;
  anonymous: boolean;
}

export interface RateLimitOptions<TServerContext> {
  limiters: RateLimiters;
  identify: (request: Request, serverContext: TServerContext) => Promise<RateLimitSubject>;
  /** The store failed (e.g. Redis unreachable): the request is let through. */
  onStoreError?: (error: unknown) => void;
  onLimited?: (subject: RateLimitSubject) => void;
}

/** Counts every GraphQL request over HTTP (SSE subscriptions included) and answers 429 past the limit. */
export function useRateLimit<TServerContext extends Record<string, unknown>>(opts: RateLimitOptions<TServerContext>): Plugin<Record<string, unknown>, TServerContext> {
  return {
    async onRequest({ request, serverContext, endResponse, fetchAPI }) {
      const subject = await opts.identify(request, serverContext as TServerContext);
      const limiter = subject.anonymous ? opts.limiters.anonymous : opts.limiters.authenticated;
      try {
        await limiter.consume(subject.key);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) {
          opts.onStoreError?.(e);
          return;
        }
        opts.onLimited?.(subject);
        const retryAfter = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
        const limit = limiter.points;
        const who = subject.anonymous ? 'this address without a valid credential' : 'this token';
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({
              errors: [
                {
                  message: `Too many requests: the limit is ${limit} per ${limiter.duration} seconds for ${who}. Retry in ${retryAfter} s.`,
                  extensions: { code: 'RATE_LIMITED', limit, retryAfterSeconds: retryAfter },
                },
              ],
            }),
            { status: 429, headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(retryAfter) } },
          ),
        );
      }
    },
  };
}

/** The client address of a node request, for anonymous rate limiting ('local' in-process). */
export function clientAddress(serverContext: { req?: { socket?: { remoteAddress?: string } } } | undefined): string {
  return serverContext?.req?.socket?.remoteAddress ?? 'local';
}
