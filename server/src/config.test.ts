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

  it('treats empty variables as unset', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(c.PORT).toBe(4000);
    expect(c.DATABASE_URL).toBeUndefined();
  });
});
