// Two instances sharing one database and one Redis: is the Redis event bus there
// (server/src/infra/pubsub/redis.ts, selected by REDIS_URL), and is Redis reachable?
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/src/config.ts';

export const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';

/** Why the two-instance scenario cannot run, or null when it can. */
export async function redisUnavailable(): Promise<string | null> {
  if (!existsSync(fileURLToPath(new URL('../server/src/infra/pubsub/redis.ts', import.meta.url)))) return 'the Redis event bus (server/src/infra/pubsub/redis.ts) is not there';
  const config = loadConfig({ REDIS_URL }) as Record<string, unknown>;
  if (config.REDIS_URL !== REDIS_URL) return 'the configuration has no REDIS_URL';
  const u = new URL(REDIS_URL);
  const pong = await new Promise<boolean>((resolve) => {
    const s = net.connect(Number(u.port || 6379), u.hostname, () => s.write('PING\r\n'));
    s.setTimeout(2000, () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(false));
    s.once('data', (d) => (s.end(), resolve(d.toString().startsWith('+PONG'))));
  });
  return pong ? null : `Redis at ${u.host} does not answer`;
}
