// Read by the Prisma CLI for `prisma generate`. Migrations do not go through the CLI
// (it needs a native engine this project does not download): see `pnpm db:migrate`.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // `env('DATABASE_URL')` would throw when unset, and generate does not need a URL.
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
