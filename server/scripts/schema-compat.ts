// The public contract's guard: `pnpm schema:compat` fails when the printed SDL breaks a
// client of the last released schema in a way schema/CHANGELOG.md does not list, and
// `pnpm schema:release <version>` makes the current SDL the next release.
//
// "The last released version" is a file, not a git tag: CI runs on a fresh clone with no
// network and tags may never have been pushed. Each release is a committed snapshot,
// schema/releases/<version>.graphql, and a `## <version> (<date>)` heading in the
// changelog; the newest snapshot is the baseline. The changes come from
// @graphql-inspector/core's diff; this file only decides which of them must be listed and
// whether they are.
//
// Rules (also stated at the top of schema/CHANGELOG.md):
// - Every BREAKING and every DANGEROUS change against the baseline is listed under
//   `## Unreleased`. Dangerous ones too: a new enum value or union member breaks a client
//   that switches exhaustively on codes or __typename, which is what the API asks of it.
// - An entry is `- LEVEL \`path\`: message`, the three exactly as inspector reports them,
//   followed by indented lines saying why. Matching is on path and message, verbatim: no
//   fuzzy text, and a change of e.g. a field's type to something else again is a new entry.
// - Removing a field, input field or enum value that the baseline already marked
//   @deprecated (integrators had a whole release to move) is DANGEROUS, inspector's
//   suppressRemovalOfDeprecatedField rule; removing anything else, including something
//   deprecated only since the baseline, is BREAKING. Either way it is listed.
// - An Unreleased entry that matches no change is an error too: the section says exactly
//   what the next release changes.
// - Every @deprecated states a reason (what to use instead), never graphql's default.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Change, CriticalityLevel, diff, DiffRule, type Rule } from '@graphql-inspector/core';
import {
  buildSchema,
  DEFAULT_DEPRECATION_REASON,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
} from 'graphql';

export type Level = 'BREAKING' | 'DANGEROUS';

export interface ListedChange {
  level: Level;
  path: string;
  message: string;
  why: string;
  line: number;
}

export interface ChangelogSection {
  /** `Unreleased` or a version such as `0.2.0`. */
  title: string;
  entries: ListedChange[];
  line: number;
}

export interface Changelog {
  sections: ChangelogSection[];
  problems: string[];
}

/** Inspector's change, reduced to what an entry names. */
export interface ReportedChange {
  level: Level;
  path: string;
  message: string;
}

export const UNRELEASED = 'Unreleased';
/** What `pnpm schema:compat` prints under a missing entry; not a reason. */
export const WHY_PLACEHOLDER = '…why, for integrators';
/** A change to the schema definition itself (root types) has no path in inspector. */
const NO_PATH = '(schema)';
const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;
const SECTION = /^## (.+?)\s*$/;
const RELEASE_TITLE = /^(\d+\.\d+\.\d+) \(\d{4}-\d{2}-\d{2}\)$/;
const ENTRY = /^- (BREAKING|DANGEROUS) `([^`]+)`: (.+?)\s*$/;

export function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => VERSION.exec(v)!.slice(1).map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! - y![i]!;
  return 0;
}

export function parseChangelog(text: string): Changelog {
  const sections: ChangelogSection[] = [];
  const problems: string[] = [];
  let entry: ListedChange | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const heading = SECTION.exec(raw);
    if (heading) {
      entry = undefined;
      const title = heading[1]!;
      const release = RELEASE_TITLE.exec(title);
      if (title !== UNRELEASED && !release) {
        problems.push(`line ${line}: a section is "## ${UNRELEASED}" or "## <major.minor.patch> (<yyyy-mm-dd>)", not "## ${title}"`);
      }
      sections.push({ title: release ? release[1]! : title, entries: [], line });
      return;
    }
    const section = sections.at(-1);
    if (!section) return; // the header: free text
    const match = ENTRY.exec(raw);
    if (match) {
      entry = { level: match[1] as Level, path: match[2]!, message: match[3]!, why: '', line };
      section.entries.push(entry);
      return;
    }
    if (/^-\s+\W*(BREAKING|DANGEROUS)\b/.test(raw)) {
      problems.push(`line ${line}: an entry is "- BREAKING|DANGEROUS \`path\`: message", as \`pnpm schema:compat\` prints it: ${raw.trim()}`);
      entry = undefined;
      return;
    }
    if (entry && /^\s{2,}\S/.test(raw)) {
      entry.why = `${entry.why} ${raw.trim()}`.trim();
      return;
    }
    entry = undefined;
  });
  for (const section of sections) {
    for (const e of section.entries) {
      if (!e.why || e.why === WHY_PLACEHOLDER) problems.push(`line ${e.line}: say why under the entry, on an indented line: ${e.path}`);
    }
  }
  const seen = new Set<string>();
  for (const section of sections) {
    if (seen.has(section.title)) problems.push(`line ${section.line}: "## ${section.title}" appears twice`);
    seen.add(section.title);
  }
  if (sections[0]?.title !== UNRELEASED) problems.push(`the first section is "## ${UNRELEASED}" (empty when nothing changed since the last release)`);
  const versions = sections.filter((s) => s.title !== UNRELEASED && VERSION.test(s.title)).map((s) => s.title);
  for (let i = 1; i < versions.length; i++) {
    if (compareVersions(versions[i - 1]!, versions[i]!) <= 0) problems.push(`releases are listed newest first: ${versions[i - 1]} before ${versions[i]}`);
  }
  return { sections, problems };
}

// inspector's suppressRemovalOfDeprecatedField, minus its TYPE_REMOVED branch, which
// downgrades every removed type (it looks the type up in the new schema, where it never is).
const removalOfDeprecated: Rule = async (input) => {
  const suppressed = await DiffRule.suppressRemovalOfDeprecatedField(input);
  return suppressed.map((change, i) => (change.type === 'TYPE_REMOVED' ? input.changes[i]! : change));
};

/** The changes between two schemas a client can notice: BREAKING and DANGEROUS. */
export async function reportedChanges(released: GraphQLSchema, current: GraphQLSchema): Promise<ReportedChange[]> {
  const changes: Change[] = await diff(released, current, [removalOfDeprecated]);
  return changes
    .filter((c) => c.criticality.level !== CriticalityLevel.NonBreaking)
    .map((c) => ({ level: c.criticality.level as Level, path: c.path ?? NO_PATH, message: c.message }));
}

/** Every deprecation whose reason is missing, empty or graphql's "No longer supported". */
export function deprecationsWithoutReason(schema: GraphQLSchema): string[] {
  const found: string[] = [];
  const check = (coordinate: string, reason: string | null | undefined) => {
    if (reason === null || reason === undefined) return;
    if (!reason.trim() || reason === DEFAULT_DEPRECATION_REASON) found.push(coordinate);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.deprecationReason);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg.deprecationReason);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.deprecationReason);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.deprecationReason);
    }
  }
  return found.sort();
}

export const formatEntry = (c: ReportedChange) => `- ${c.level} \`${c.path}\`: ${c.message}`;
const key = (c: { path: string; message: string }) => `${c.path}\n${c.message}`;

export interface CompatInput {
  releasedVersion: string;
  releasedSdl: string;
  currentSdl: string;
  changelog: string;
}

export interface CompatResult {
  ok: boolean;
  problems: string[];
  changes: ReportedChange[];
  /** Entries to add under Unreleased for the changes it does not list. */
  missing: string[];
}

export async function checkCompat(input: CompatInput): Promise<CompatResult> {
  const current = buildSchema(input.currentSdl);
  const changes = await reportedChanges(buildSchema(input.releasedSdl), current);
  const changelog = parseChangelog(input.changelog);
  const problems = [...changelog.problems];
  const listed = changelog.sections.find((s) => s.title === UNRELEASED)?.entries ?? [];
  const byKey = new Map<string, ListedChange>();
  for (const entry of listed) {
    if (byKey.has(key(entry))) problems.push(`line ${entry.line}: listed twice: ${entry.path}: ${entry.message}`);
    byKey.set(key(entry), entry);
  }
  const missing: string[] = [];
  const matched = new Set<string>();
  for (const change of changes) {
    const entry = byKey.get(key(change));
    if (!entry) {
      problems.push(`${change.level} change not listed under ## ${UNRELEASED}: ${change.path}: ${change.message}`);
      missing.push(formatEntry(change));
      continue;
    }
    matched.add(key(change));
    if (entry.level !== change.level) {
      problems.push(`line ${entry.line}: listed as ${entry.level}, inspector reports ${change.level}: ${change.path}: ${change.message}`);
    }
  }
  for (const entry of listed) {
    if (!matched.has(key(entry))) {
      problems.push(`line ${entry.line}: listed under ## ${UNRELEASED} but not a change against ${input.releasedVersion}: ${entry.path}: ${entry.message}`);
    }
  }
  for (const coordinate of deprecationsWithoutReason(current)) {
    problems.push(`${coordinate} is @deprecated without a reason: say what to use instead`);
  }
  return { ok: problems.length === 0, problems, changes, missing };
}

export interface SchemaFiles {
  changelog: string;
  /** The folder of release snapshots, <version>.graphql. */
  releases: string;
}

export interface Release {
  version: string;
  sdl: string;
}

/** The newest snapshot, after checking the snapshots and the changelog's headings agree. */
export async function newestRelease(files: SchemaFiles, changelog: string): Promise<Release> {
  const snapshots = (await readdir(files.releases).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => f.slice(0, -'.graphql'.length));
  const bad = snapshots.filter((v) => !VERSION.test(v));
  if (bad.length) throw new Error(`release snapshots are named <major.minor.patch>.graphql: ${bad.join(', ')}`);
  const headings = parseChangelog(changelog).sections.map((s) => s.title).filter((t) => VERSION.test(t));
  const noHeading = snapshots.filter((v) => !headings.includes(v));
  const noSnapshot = headings.filter((v) => !snapshots.includes(v));
  if (noHeading.length) throw new Error(`no "## <version> (<date>)" section in the changelog for the snapshot of ${noHeading.join(', ')}`);
  if (noSnapshot.length) throw new Error(`no snapshot ${noSnapshot.map((v) => `${v}.graphql`).join(', ')} in ${files.releases}`);
  const version = snapshots.sort(compareVersions).at(-1);
  if (!version) throw new Error(`no release snapshot in ${files.releases}`);
  return { version, sdl: await readFile(path.join(files.releases, `${version}.graphql`), 'utf8') };
}

export async function checkFiles(files: SchemaFiles, currentSdl: string): Promise<CompatResult & { release: Release }> {
  const changelog = await readFile(files.changelog, 'utf8');
  const release = await newestRelease(files, changelog);
  const result = await checkCompat({ releasedVersion: release.version, releasedSdl: release.sdl, currentSdl, changelog });
  return { ...result, release };
}

/** The changelog with `## Unreleased` turned into the release and a new empty one above it. */
export function releaseChangelog(changelog: string, version: string, date: string): string {
  const lines = changelog.split('\n');
  const at = lines.findIndex((l) => l.trim() === `## ${UNRELEASED}`);
  if (at < 0) throw new Error(`no "## ${UNRELEASED}" section in the changelog`);
  lines.splice(at, 1, `## ${UNRELEASED}`, '', `## ${version} (${date})`);
  return lines.join('\n');
}

/**
 * Makes the current SDL release `version`: refuses unless the check passes and the version
 * is newer than the last one, then writes the snapshot and renames Unreleased.
 */
export async function release(files: SchemaFiles, currentSdl: string, version: string, date: string): Promise<Release> {
  if (!VERSION.test(version)) throw new Error(`a version is major.minor.patch, e.g. 0.2.0: ${version}`);
  const result = await checkFiles(files, currentSdl);
  if (!result.ok) throw new Error(`the schema does not pass the check against ${result.release.version}:\n${result.problems.join('\n')}`);
  if (compareVersions(version, result.release.version) <= 0) throw new Error(`${version} is not newer than the last release, ${result.release.version}`);
  const changelog = releaseChangelog(await readFile(files.changelog, 'utf8'), version, date);
  await mkdir(files.releases, { recursive: true });
  await writeFile(path.join(files.releases, `${version}.graphql`), currentSdl);
  await writeFile(files.changelog, changelog);
  return { version, sdl: currentSdl };
}
