import { createRequire } from 'node:module';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// graphql 16 ships CJS (index.js) and ESM (index.mjs). Node and tsx load the CJS file for
// every importer; vite's resolver would hand our sources the .mjs one, giving two
// GraphQLError classes and breaking yoga's `instanceof` checks. Pin everyone to Node's choice.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    // Vitest's default is one file at a time on a 2-core machine (cores - 1). Test files
    // wait on PostgreSQL, Redis and sockets much of the time: three at once keep both
    // cores busy. (The browser tests stay one file at a time: fileParallelism below.)
    maxWorkers: 3,
    projects: [
      {
        // Browser tests: real server, real PostgreSQL, Debian's Chromium. Sequential, slow.
        extends: true,
        test: {
          name: 'e2e',
          root: './web',
          include: ['e2e/**/*.e2e.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        plugins: [vue()],
        test: {
          name: 'web',
          root: './web',
          include: ['src/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        extends: true,
        test: {
          name: 'server',
          root: './server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The same API suite on the embedded database `pnpm start` uses (PGlite, in memory,
        // one connection). Left out: tests of PostgreSQL itself (client, migrations and CLI
        // on a server) and tests that need two processes on one database, which PGlite
        // cannot serve (the two-instance test and the embedded boot test, which runs PGlite
        // in a process of its own anyway).
        extends: true,
        test: {
          name: 'server-pglite',
          root: './server',
          include: ['test/api/**/*.test.ts', 'test/db/seed*.test.ts', 'src/infra/pubsub/ordered.test.ts'],
          environment: 'node',
          env: { TEST_DATABASE: 'pglite' },
          globalSetup: ['./test/support/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
