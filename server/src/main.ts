// Process entry: configuration, database (embedded PGlite unless DATABASE_URL is set),
// migrations, demo data on first embedded start, then the app, with graceful shutdown.
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, repoRoot } from './config.ts';
import { type Database, openDatabase } from './infra/db/client.ts';
import { createDataDir } from './infra/db/embedded.ts';
import { applyMigrations } from './infra/db/migrate/commands.ts';
import { seedDemoData } from './infra/db/seed/index.ts';
import { createRedisBus } from './infra/pubsub/redis.ts';
import { redisRateLimiters } from './http/limits.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const logger = pino({ level: config.LOG_LEVEL });

  const migrate = async (db: Database) => {
    const { applied } = await applyMigrations(db, path.join(repoRoot, 'prisma/migrations'));
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
  };
  const seedDemo = async (db: Database) => {
    const summary = await seedDemoData(db.prisma, { log: (m) => logger.info(m) });
    logger.info(summary.counts, 'demo data seeded (password for every demo login: gongdan123)');
  };

  // First start of the embedded database: built whole (migrated, with the demo data)
  // beside its folder and moved into place, so an interrupted first start leaves nothing.
  if (!config.DATABASE_URL && !config.DATA_DIR.startsWith('memory://')) {
    const created = await createDataDir(config.DATA_DIR, async (db) => {
      logger.info({ dataDir: config.DATA_DIR }, 'creating the embedded database');
      await migrate(db);
      if (config.SEED_DEMO !== 'never') await seedDemo(db);
    });
    if (created) logger.info({ dataDir: config.DATA_DIR }, 'embedded database created');
  }

  const db = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DB_POOL_SIZE,
  });
  logger.info({ database: db.description }, 'database opened');

  if (config.MIGRATE_ON_BOOT) await migrate(db);

  const seed =
    config.SEED_DEMO === 'always' ||
    (config.SEED_DEMO === 'auto' && db.kind === 'pglite' && (await db.prisma.user.count()) === 0);
  if (seed) await seedDemo(db);

  // Several instances share their events through Redis; without it the bus is in-memory.
  const bus = config.REDIS_URL
    ? createRedisBus({ url: config.REDIS_URL, channel: config.REDIS_CHANNEL, logger: logger.child({ component: 'event-bus' }) })
    : undefined;
  if (bus) {
    // Take traffic once subscribed, but do not wait for Redis for ever: until it is
    // there, subscribers get events from the database (the ordered bus's tail check).
    const subscribed = bus.ready.then(
      () => logger.info({ channel: bus.channel }, 'event bus: subscribed on redis'),
      (e: unknown) => logger.error({ err: e }, 'event bus: redis subscription failed'),
    );
    const waited = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
    if ((await Promise.race([subscribed, waited])) === 'timeout') logger.warn('event bus: redis not reachable yet; starting anyway');
  }
  // Rate limits and failed-login counters: shared through Redis too, so a client cannot
  // multiply its allowance by the number of instances. Commands fail fast while Redis
  // is away and each instance counts in memory meanwhile (http/limits.ts).
  const limitsRedis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { connectionName: 'gongdan:limits', enableOfflineQueue: false, commandTimeout: 500 })
    : undefined;
  if (limitsRedis) {
    let up = true;
    limitsRedis.on('ready', () => (up = true));
    limitsRedis.on('error', (e: unknown) => {
      if (up) logger.warn({ err: e }, 'rate limits: redis unreachable; counting in memory per instance until it is back');
      up = false;
    });
  }
  const rateLimiters = limitsRedis
    ? redisRateLimiters({
        client: limitsRedis,
        keyPrefix: config.REDIS_KEY_PREFIX,
        perMinute: config.RATE_LIMIT_PER_MINUTE,
        anonymousPerMinute: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      })
    : undefined;
  const app = buildApp({ config, db, logger, bus, rateLimiters });
  const { url } = await app.start();
  logger.info(`gongdan listening: board ${url}/  GraphQL ${url}/graphql`);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.stop();
      await limitsRedis?.quit().catch(() => undefined);
      await db.close();
      process.exit(0);
    } catch (e) {
      logger.error({ err: e }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
