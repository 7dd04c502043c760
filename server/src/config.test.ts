import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('uses defaults: embedded database, port 4000, migrations on boot', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 4000, MIGRATE_ON_BOOT: true, SEED_DEMO: 'auto' });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toMatch(/\.data$/);
  });

  it('names every bad variable with its value and what is wrong', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MIGRATE_ON_BOOT: 'maybe' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toContain('PORT="eighty"');
      expect(msg).toContain('DATABASE_URL="mysql://x": must be a postgres:// or postgresql:// URL');
      expect(msg).toContain('MIGRATE_ON_BOOT="maybe"');
    }
  });

  it('takes a redis:// or rediss:// REDIS_URL for several instances, and a channel name', () => {
    expect(loadConfig({}).REDIS_URL).toBeUndefined();
    expect(loadConfig({}).REDIS_CHANNEL).toBe('gongdan:ticket-events');
    const c = loadConfig({ REDIS_URL: 'rediss://:secret@redis.internal:6380/0', REDIS_CHANNEL: 'gongdan-staging:events' });
    expect(c).toMatchObject({ REDIS_URL: 'rediss://:secret@redis.internal:6380/0', REDIS_CHANNEL: 'gongdan-staging:events' });
    for (const [env, message] of [
      [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL="localhost:6379": must be a redis:// or rediss:// URL'],
      [{ REDIS_URL: 'redis://' }, 'REDIS_URL="redis://": must be a redis:// or rediss:// URL'],
      [{ REDIS_URL: 'redis://bad host:6379' }, 'REDIS_URL="redis://bad host:6379": is not a valid URL'],
      [{ REDIS_CHANNEL: 'two words' }, 'REDIS_CHANNEL="two words"'],
    ] as const) {
      expect(() => loadConfig(env)).toThrow(message);
    }
  });

  it('takes the login back-off, whose lock must come after the free failures', () => {
    expect(loadConfig({})).toMatchObject({ LOGIN_FREE_FAILURES: 5, LOGIN_LOCK_FAILURES: 10, LOGIN_LOCK_MINUTES: 15, TRUSTED_PROXIES: 0, REDIS_KEY_PREFIX: 'gongdan' });
    expect(loadConfig({ LOGIN_FREE_FAILURES: '3', LOGIN_LOCK_FAILURES: '4' })).toMatchObject({ LOGIN_FREE_FAILURES: 3, LOGIN_LOCK_FAILURES: 4 });
    expect(() => loadConfig({ LOGIN_FREE_FAILURES: '10', LOGIN_LOCK_FAILURES: '10' })).toThrow('LOGIN_LOCK_FAILURES="10": must be more than LOGIN_FREE_FAILURES');
    expect(() => loadConfig({ LOGIN_ADDRESS_LOCK_FAILURES: '20' })).toThrow('LOGIN_ADDRESS_LOCK_FAILURES="20": must be more than LOGIN_ADDRESS_FREE_FAILURES');
    expect(() => loadConfig({ TRUSTED_PROXIES: '-1' })).toThrow('TRUSTED_PROXIES="-1"');
  });

  it('takes CORS_ORIGINS as a comma-separated list of origins (none by default) and NODE_ENV', () => {
    expect(loadConfig({})).toMatchObject({ CORS_ORIGINS: [], NODE_ENV: 'development' });
    expect(loadConfig({ CORS_ORIGINS: 'https://crm.example.com, http://localhost:5173', NODE_ENV: 'production' })).toMatchObject({
      CORS_ORIGINS: ['https://crm.example.com', 'http://localhost:5173'],
      NODE_ENV: 'production',
    });
    for (const bad of ['*', 'crm.example.com', 'https://crm.example.com/', 'https://crm.example.com/app', 'ftp://files.example.com']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(`CORS_ORIGINS=${JSON.stringify(bad)}: each entry must be an origin`);
    }
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(c.PORT).toBe(4000);
    expect(c.DATABASE_URL).toBeUndefined();
  });
});
