// HTTP guards of the GraphQL endpoint: the request body size (413) and rate limiting
// per session/API token, or per client address without a valid credential (429 with
// Retry-After). Both are yoga plugins, so they apply to in-process requests (tests) as
// they do to the HTTP server. Websocket limits live in app.ts (init timeout, message
// size, operations per connection); what an operation may ask for in
// graphql/operation-limits.ts.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { loginLimiters, type LoginLimiters } from '../services/auth/login-throttle.ts';

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
 * One limiter for credentials, one for anonymous clients, and the counters of failed
 * logins (services/auth/login-throttle.ts), all in one store: memory for one instance
 * (`memoryRateLimiters`), Redis shared by several (`redisRateLimiters`, which main.ts uses
 * when REDIS_URL is set). Any `rate-limiter-flexible` limiter fits.
 */
export interface RateLimiters {
  authenticated: RateLimiterAbstract;
  anonymous: RateLimiterAbstract;
  login: LoginLimiters;
}

export interface RequestLimits {
  perMinute: number;
  anonymousPerMinute: number;
}

export function memoryRateLimiters(opts: RequestLimits): RateLimiters {
  return {
    authenticated: new RateLimiterMemory({ keyPrefix: 'token', points: opts.perMinute, duration: 60 }),
    anonymous: new RateLimiterMemory({ keyPrefix: 'ip', points: opts.anonymousPerMinute, duration: 60 }),
    login: loginLimiters((o) => new RateLimiterMemory(o)),
  };
}

/**
 * The same limiters on Redis, so every instance counts together. Keys are
 * `<keyPrefix>:<limiter>:<subject>`; deployments sharing a Redis need different prefixes.
 * While Redis is unreachable each instance counts in memory on its own (the
 * `insuranceLimiter`), so limits and login back-off keep working, per instance.
 */
export function redisRateLimiters(opts: RequestLimits & { client: Redis; keyPrefix: string }): RateLimiters {
  const memory = memoryRateLimiters(opts);
  const onRedis = (insurance: RateLimiterAbstract) =>
    new RateLimiterRedis({
      storeClient: opts.client,
      keyPrefix: `${opts.keyPrefix}:${insurance.keyPrefix}`,
      points: insurance.points,
      duration: insurance.duration,
      insuranceLimiter: insurance,
      rejectIfRedisNotReady: true,
    });
  return {
    authenticated: onRedis(memory.authenticated),
    anonymous: onRedis(memory.anonymous),
    login: loginLimiters((_o, name) => onRedis(memory.login[name])),
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

/**
 * The client address of a node request, for anonymous rate limiting and failed-login
 * counting ('local' in-process). Behind `trustedProxies` reverse proxies (TRUSTED_PROXIES)
 * it is the address the outermost of them appended to X-Forwarded-For: entries further
 * left were written by the client and prove nothing. Without proxies the header is ignored.
 */
export function clientAddress(
  serverContext: { req?: { socket?: { remoteAddress?: string }; headers?: Record<string, string | string[] | undefined> } } | undefined,
  trustedProxies = 0,
): string {
  const peer = serverContext?.req?.socket?.remoteAddress ?? 'local';
  if (trustedProxies <= 0) return peer;
  const header = serverContext?.req?.headers?.['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return hops[hops.length - trustedProxies] ?? hops[0] ?? peer;
}
