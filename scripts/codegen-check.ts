// Fails when the committed generated client types differ from what `pnpm codegen`
// would write now (a schema or document change without regenerating).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.ts';

const root = path.resolve(import.meta.dirname, '..');
const outputs = await generate({ ...config, cwd: root, silent: true }, false);
const stale: string[] = [];
for (const { filename, content } of outputs) {
  const onDisk = await readFile(path.resolve(root, filename), 'utf8').catch(() => null);
  if (onDisk !== content) stale.push(path.relative(root, path.resolve(root, filename)));
}
if (stale.length) {
  console.error(`generated client types are stale (${stale.join(', ')}): run \`pnpm codegen\` and commit.`);
  process.exit(1);
}
console.log('generated client types are current');
