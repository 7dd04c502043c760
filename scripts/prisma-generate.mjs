// `prisma generate` does not need the native schema engine, but the CLI insists on
// finding one; pointing it at any existing file keeps it from trying to download it
// (this machine class has no internet beyond the npm registry).
import { spawnSync } from 'node:child_process';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../node_modules/.bin', import.meta.url));
const env = {
  ...process.env,
  // The pothos generator is a bin of its own that Prisma looks up on PATH.
  PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false',
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
const r = spawnSync(`${bin}/prisma`, ['generate'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
