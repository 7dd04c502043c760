// Process entry: configuration, database (embedded PGlite unless DATABASE_URL is set),
// migrations, demo data on first embedded start, then the app, with graceful shutdown.
import path from 'node:path';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, repoRoot } from './config.ts';
import { openDatabase } from './infra/db/client.ts';
import { applyMigrations } from './infra/db/migrate/commands.ts';
import { seedDemoData } from './infra/db/seed/index.ts';
import { createRedisBus } from './infra/pubsub/redis.ts';

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

  const db = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DB_POOL_SIZE,
  });
  logger.info({ database: db.description }, 'database opened');

  if (config.MIGRATE_ON_BOOT) {
    const { applied } = await applyMigrations(db, path.join(repoRoot, 'prisma/migrations'));
    logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
  }

  const seed =
    config.SEED_DEMO === 'always' ||
    (config.SEED_DEMO === 'auto' && db.kind === 'pglite' && (await db.prisma.user.count()) === 0);
  if (seed) {
    const summary = await seedDemoData(db.prisma, { log: (m) => logger.info(m) });
    logger.info(summary.counts, 'demo data seeded (password for every demo login: gongdan123)');
  }

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
  const app = buildApp({ config, db, logger, bus });
  const { url } = await app.start();
  logger.info(`gongdan listening: board ${url}/  GraphQL ${url}/graphql`);

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.stop();
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
