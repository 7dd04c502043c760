// `pnpm schema:print` writes schema/schema.graphql from the Pothos schema;
// `pnpm schema:check` fails when the committed file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../src/config.ts';
import { printSortedSchema } from '../src/graphql/schema.ts';

const file = path.join(repoRoot, 'schema/schema.graphql');
const mode = process.argv[2];
const sdl = printSortedSchema();

if (mode === 'print') {
  await writeFile(file, sdl);
  console.log(`wrote ${path.relative(repoRoot, file)}`);
} else if (mode === 'check') {
  const committed = await readFile(file, 'utf8').catch(() => '');
  if (committed !== sdl) {
    console.error('schema/schema.graphql is stale: run `pnpm schema:print` and commit the result.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is current');
} else {
  console.error('usage: schema.ts print|check');
  process.exit(2);
}
