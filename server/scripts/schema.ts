// `pnpm schema:print` writes schema/schema.graphql from the Pothos schema;
// `pnpm schema:check` fails when the committed file is stale;
// `pnpm schema:compat` fails on a breaking or dangerous change against the last release
// that schema/CHANGELOG.md does not list, and `pnpm schema:release <version>` makes the
// current schema that release (see schema-compat.ts for the rules).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../src/config.ts';
import { printSortedSchema } from '../src/graphql/schema.ts';
import { checkFiles, release, type SchemaFiles, WHY_PLACEHOLDER } from './schema-compat.ts';

const file = path.join(repoRoot, 'schema/schema.graphql');
const files: SchemaFiles = {
  changelog: path.join(repoRoot, 'schema/CHANGELOG.md'),
  releases: path.join(repoRoot, 'schema/releases'),
};
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
} else if (mode === 'compat') {
  const result = await checkFiles(files, sdl);
  const count = (level: string) => result.changes.filter((c) => c.level === level).length;
  const against = `against release ${result.release.version}`;
  if (!result.ok) {
    console.error(`schema/schema.graphql ${against}:\n${result.problems.map((p) => `  ${p}`).join('\n')}`);
    if (result.missing.length) {
      console.error('\nList them under "## Unreleased" in schema/CHANGELOG.md, each with an indented line saying why:\n');
      console.error(result.missing.map((m) => `${m}\n  ${WHY_PLACEHOLDER}`).join('\n'));
    }
    process.exit(1);
  }
  console.log(`schema/schema.graphql ${against}: ${count('BREAKING')} breaking and ${count('DANGEROUS')} dangerous changes, all listed in schema/CHANGELOG.md`);
} else if (mode === 'release') {
  const version = process.argv[3] ?? '';
  try {
    await release(files, sdl, version, new Date().toISOString().slice(0, 10));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  console.log(`schema ${version}: wrote schema/releases/${version}.graphql; "## Unreleased" in schema/CHANGELOG.md is now "## ${version}"`);
} else {
  console.error('usage: schema.ts print|check|compat|release <version>');
  process.exit(2);
}
