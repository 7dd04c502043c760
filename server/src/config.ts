// Configuration comes from the environment only, validated once at start-up so a
// typo fails fast with a message naming the variable instead of misbehaving later.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Request limits; buildApp falls back to these when a test config leaves them out. */
export const LIMIT_DEFAULTS = {
  /** Largest GraphQL request body (HTTP) or websocket message. */
  MAX_BODY_BYTES: 1024 * 1024,
  /** Aliased fields per operation, fragments expanded. */
  MAX_ALIASES: 30,
  /** How long a websocket may stay open without `connection_init` (then 4408). */
  WS_INIT_TIMEOUT_MS: 3000,
  /** Operations running at once on one websocket. */
  WS_MAX_SUBSCRIPTIONS: 50,
  RATE_LIMIT_ENABLED: true,
  /** HTTP GraphQL requests per minute per session or API token. */
  RATE_LIMIT_PER_MINUTE: 1200,
  /** HTTP GraphQL requests per minute per client address without a valid credential. */
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: 300,
  /** Consecutive failed logins of an account before each attempt has to wait (2 s, doubling). */
  LOGIN_FREE_FAILURES: 5,
  /** Consecutive failed logins that lock the account for LOGIN_LOCK_MINUTES. */
  LOGIN_LOCK_FAILURES: 10,
  LOGIN_LOCK_MINUTES: 15,
  /** Failed logins from one client address (any accounts) in an hour before it waits. */
  LOGIN_ADDRESS_FREE_FAILURES: 30,
  /** Failed logins from one client address in an hour that lock it for LOGIN_LOCK_MINUTES. */
  LOGIN_ADDRESS_LOCK_FAILURES: 100,
  /** Reverse proxies in front that append to X-Forwarded-For; 0 = the TCP peer is the client. */
  TRUSTED_PROXIES: 0,
} as const;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default(path.join(repoRoot, '.data')),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  MIGRATE_ON_BOOT: bool.default(true),
  SEED_DEMO: z.enum(['auto', 'always', 'never']).default('auto'),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24 * 14),
  WEB_DIST: z.string().min(1).default(path.join(repoRoot, 'web/dist')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHIQL: bool.default(true),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  JOB_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  // Request limits (http/limits.ts, graphql/operation-limits.ts); defaults in LIMIT_DEFAULTS.
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(LIMIT_DEFAULTS.MAX_BODY_BYTES),
  MAX_ALIASES: z.coerce.number().int().min(1).max(10_000).default(LIMIT_DEFAULTS.MAX_ALIASES),
  WS_INIT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(LIMIT_DEFAULTS.WS_INIT_TIMEOUT_MS),
  WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(LIMIT_DEFAULTS.WS_MAX_SUBSCRIPTIONS),
  RATE_LIMIT_ENABLED: bool.default(LIMIT_DEFAULTS.RATE_LIMIT_ENABLED),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(LIMIT_DEFAULTS.RATE_LIMIT_PER_MINUTE),
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(LIMIT_DEFAULTS.RATE_LIMIT_ANONYMOUS_PER_MINUTE),
  LOGIN_FREE_FAILURES: z.coerce.number().int().min(1).max(1000).default(LIMIT_DEFAULTS.LOGIN_FREE_FAILURES),
  LOGIN_LOCK_FAILURES: z.coerce.number().int().min(2).max(10_000).default(LIMIT_DEFAULTS.LOGIN_LOCK_FAILURES),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(LIMIT_DEFAULTS.LOGIN_LOCK_MINUTES),
  LOGIN_ADDRESS_FREE_FAILURES: z.coerce.number().int().min(1).max(100_000).default(LIMIT_DEFAULTS.LOGIN_ADDRESS_FREE_FAILURES),
  LOGIN_ADDRESS_LOCK_FAILURES: z.coerce.number().int().min(2).max(1_000_000).default(LIMIT_DEFAULTS.LOGIN_ADDRESS_LOCK_FAILURES),
  TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(LIMIT_DEFAULTS.TRUSTED_PROXIES),
  /** Several instances: their event bus on Redis pub/sub. Unset = in-memory (one instance). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/[^/]/, 'must be a redis:// or rediss:// URL')
    .refine((v) => URL.canParse(v), 'is not a valid URL')
    .optional(),
  /** The pub/sub channel: the same for instances sharing a database, different per deployment. */
  REDIS_CHANNEL: z
    .string()
    .regex(/^[\w:.-]{1,200}$/, 'letters, digits and _ : . - only (at most 200)')
    .default('gongdan:ticket-events'),
  /** Prefix of the rate-limit and login counters in Redis: different per deployment sharing a Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,100}$/, 'letters, digits and _ : . - only (at most 100)')
    .default('gongdan'),
  /**
   * Execute each subscription event once per (document, variables, permission class)
   * and share the result among those subscribers (graphql/fanout.ts). `false` executes
   * it once per subscriber, as plain graphql-js does.
   */
  SUBSCRIPTION_SHARING: bool.default(true),
  /**
   * When set, GET /metrics requires `Authorization: Bearer <token>`. In production it
   * must be set for /metrics to answer at all.
   */
  METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  /** `production` closes what is open for development (/metrics without METRICS_TOKEN). */
  NODE_ENV: z.string().default('development'),
  /**
   * Browser origins other than the server's own that may call the API (CORS), comma
   * separated, e.g. `https://crm.example.com,https://ops.example.com`. Empty: same origin only.
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isOrigin, 'each entry must be an origin such as https://crm.example.com (scheme, host, optional port; no path, no *)'))),
})
  .refine((c) => c.LOGIN_LOCK_FAILURES > c.LOGIN_FREE_FAILURES, { path: ['LOGIN_LOCK_FAILURES'], message: 'must be more than LOGIN_FREE_FAILURES' })
  .refine((c) => c.LOGIN_ADDRESS_LOCK_FAILURES > c.LOGIN_ADDRESS_FREE_FAILURES, {
    path: ['LOGIN_ADDRESS_LOCK_FAILURES'],
    message: 'must be more than LOGIN_ADDRESS_FREE_FAILURES',
  });

/** `https://host[:port]` exactly as a browser sends it in the Origin header. */
function isOrigin(v: string): boolean {
  if (!URL.canParse(v)) return false;
  const u = new URL(v);
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v;
}

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings are treated as unset: `FOO= pnpm start` should mean "default".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
