// The schema's compatibility check (scripts/schema-compat.ts): inspector's changes against
// the last release, held to schema/CHANGELOG.md. Small SDL fixtures for each rule, then the
// committed files themselves.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkCompat,
  checkFiles,
  deprecationsWithoutReason,
  newestRelease,
  parseChangelog,
  release,
  type SchemaFiles,
  WHY_PLACEHOLDER,
} from '../../scripts/schema-compat.ts';
import { repoRoot } from '../../src/config.ts';
import { schema } from '../../src/graphql/schema.ts';

const released = /* GraphQL */ `
  type Query {
    ticket(id: ID!): Ticket
  }
  type Ticket {
    id: ID!
    title: String!
    status: TicketStatus!
    legacyNumber: String @deprecated(reason: "Use number.")
    number: String!
  }
  enum TicketStatus {
    OPEN
    CLOSED
    ARCHIVED @deprecated(reason: "Closed tickets are never archived.")
  }
  input TicketFilter {
    status: TicketStatus
    legacyQueue: String @deprecated(reason: "Use status.")
  }
  type Agent {
    id: ID!
  }
`;

/** The released fixture with `from` replaced by `to` (each must occur exactly once). */
function edit(...pairs: [from: string, to: string][]): string {
  let sdl = released;
  for (const [from, to] of pairs) {
    expect(sdl.split(from).length, from).toBe(2);
    sdl = sdl.replace(from, to);
  }
  return sdl;
}

function changelog(...entries: string[]): string {
  return ['# Schema changelog', '', 'Free text.', '', '## Unreleased', '', ...entries, '', '## 0.1.0 (2026-11-22)', '', 'The first release.', ''].join('\n');
}

const check = (currentSdl: string, text: string) => checkCompat({ releasedVersion: '0.1.0', releasedSdl: released, currentSdl, changelog: text });

const titleNullable = "- BREAKING `Ticket.title`: Field 'Ticket.title' changed type from 'String!' to 'String'";

describe('changes against the last release', () => {
  it('fails on an unlisted breaking change, naming it, and prints the entry to add', async () => {
    const result = await check(edit(['title: String!', 'title: String']), changelog());
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      "BREAKING change not listed under ## Unreleased: Ticket.title: Field 'Ticket.title' changed type from 'String!' to 'String'",
    ]);
    expect(result.missing).toEqual([titleNullable]);
  });

  it('passes a breaking change listed under Unreleased with a reason', async () => {
    const result = await check(edit(['title: String!', 'title: String']), changelog(titleNullable, '  Customers may not read it: they get null.'));
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.changes).toEqual([{ level: 'BREAKING', path: 'Ticket.title', message: "Field 'Ticket.title' changed type from 'String!' to 'String'" }]);
  });

  it('needs no entry for additions', async () => {
    const current = edit(
      ['number: String!', 'number: String!\n    subject: String\n    tags(first: Int): [String!]!'],
      ['status: TicketStatus\n', 'status: TicketStatus\n    tag: String\n'],
      ['type Agent {', 'type Team {\n    id: ID!\n  }\n  type Agent {'],
    );
    const result = await check(current, changelog());
    expect(result.problems).toEqual([]);
    expect(result.changes).toEqual([]);
  });

  it('lists dangerous changes too: a new enum value reaches clients that switch on it', async () => {
    const current = edit(['CLOSED\n', 'CLOSED\n    MERGED\n']);
    const unlisted = await check(current, changelog());
    expect(unlisted.ok).toBe(false);
    expect(unlisted.missing).toEqual(["- DANGEROUS `TicketStatus.MERGED`: Enum value 'MERGED' was added to enum 'TicketStatus'"]);
    const listed = await check(current, changelog(unlisted.missing[0]!, '  Merged tickets close into another.'));
    expect(listed.problems).toEqual([]);
  });

  it('matches path and message exactly: an entry for one change does not cover another on the same field', async () => {
    const result = await check(edit(['title: String!', 'title: Int']), changelog(titleNullable, '  Customers may not read it.'));
    expect(result.ok).toBe(false);
    expect(result.missing).toEqual(["- BREAKING `Ticket.title`: Field 'Ticket.title' changed type from 'String!' to 'Int'"]);
    expect(result.problems).toContainEqual(expect.stringContaining("listed under ## Unreleased but not a change against 0.1.0: Ticket.title: Field 'Ticket.title' changed type from 'String!' to 'String'"));
  });

  it('fails on an entry that matches no change: Unreleased says exactly what the next release changes', async () => {
    const result = await check(released, changelog(titleNullable, '  Customers may not read it.'));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.stringMatching(/^line 7: listed under ## Unreleased but not a change against 0\.1\.0: Ticket\.title: /),
    ]);
  });

  it('fails when the entry states another level than inspector', async () => {
    const result = await check(edit(['title: String!', 'title: String']), changelog(titleNullable.replace('BREAKING', 'DANGEROUS'), '  Customers may not read it.'));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.stringContaining('listed as DANGEROUS, inspector reports BREAKING: Ticket.title')]);
  });

  it('only counts entries under Unreleased, not under a release', async () => {
    const text = changelog().replace('The first release.', `${titleNullable}\n  Listed in the wrong section.`);
    const result = await check(edit(['title: String!', 'title: String']), text);
    expect(result.ok).toBe(false);
    expect(result.missing).toEqual([titleNullable]);
  });
});

describe('removing what the last release deprecated', () => {
  it('is dangerous, and still listed', async () => {
    const current = edit(['legacyNumber: String @deprecated(reason: "Use number.")\n', '']);
    const unlisted = await check(current, changelog());
    expect(unlisted.ok).toBe(false);
    expect(unlisted.missing).toEqual(["- DANGEROUS `Ticket.legacyNumber`: Field 'legacyNumber' (deprecated) was removed from object type 'Ticket'"]);
    expect((await check(current, changelog(unlisted.missing[0]!, '  Deprecated since 0.1.0: use number.'))).problems).toEqual([]);
    const asBreaking = unlisted.missing[0]!.replace('DANGEROUS', 'BREAKING');
    expect((await check(current, changelog(asBreaking, '  Deprecated since 0.1.0.'))).problems).toEqual([expect.stringContaining('listed as BREAKING, inspector reports DANGEROUS')]);
  });

  it('is dangerous for enum values and input fields alike', async () => {
    const current = edit(['ARCHIVED @deprecated(reason: "Closed tickets are never archived.")\n', ''], ['legacyQueue: String @deprecated(reason: "Use status.")\n', '']);
    const result = await check(current, changelog());
    expect(result.changes.map((c) => `${c.level} ${c.path}`).sort()).toEqual(['DANGEROUS TicketFilter.legacyQueue', 'DANGEROUS TicketStatus.ARCHIVED']);
  });

  it('is breaking when the last release had not deprecated it, deprecated since or not', async () => {
    const result = await check(edit(['    title: String!\n', '']), changelog());
    expect(result.missing).toEqual(["- BREAKING `Ticket.title`: Field 'title' was removed from object type 'Ticket'"]);
  });

  it('leaves a removed type breaking (inspector’s rule would downgrade every one)', async () => {
    const result = await check(edit(['  type Agent {\n    id: ID!\n  }\n', '']), changelog());
    expect(result.missing).toEqual(["- BREAKING `Agent`: Type 'Agent' was removed"]);
  });
});

describe('the changelog', () => {
  const current = edit(['title: String!', 'title: String']);

  it('wants a reason under each entry, not the placeholder the check prints', async () => {
    for (const why of [[], [''], [`  ${WHY_PLACEHOLDER}`]]) {
      const result = await check(current, changelog(titleNullable, ...why));
      expect(result.problems, JSON.stringify(why)).toEqual(['line 7: say why under the entry, on an indented line: Ticket.title']);
    }
    const twoLines = parseChangelog(changelog(titleNullable, '  Customers may not', '  read it.'));
    expect(twoLines.sections[0]!.entries[0]!.why).toBe('Customers may not read it.');
  });

  it('refuses an entry it cannot read instead of passing over it', async () => {
    const result = await check(current, changelog("- **BREAKING** Ticket.title: Field 'Ticket.title' changed type", '  Customers may not read it.'));
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.stringMatching(/^line 7: an entry is "- BREAKING\|DANGEROUS `path`: message"/));
    expect(result.missing).toEqual([titleNullable]);
  });

  it('starts with Unreleased and lists releases newest first', () => {
    expect(parseChangelog('# x\n\n## 0.1.0 (2026-11-22)\n').problems).toEqual(['the first section is "## Unreleased" (empty when nothing changed since the last release)']);
    expect(parseChangelog('## Unreleased\n\n## 0.9.0 (2026-11-22)\n\n## 0.10.0 (2026-12-01)\n').problems).toEqual(['releases are listed newest first: 0.9.0 before 0.10.0']);
    expect(parseChangelog('## Unreleased\n\n## v0.2\n').problems).toEqual(['line 3: a section is "## Unreleased" or "## <major.minor.patch> (<yyyy-mm-dd>)", not "## v0.2"']);
  });
});

describe('deprecations', () => {
  it('each states a reason: a bare @deprecated or an empty one fails the check', async () => {
    const current = edit(['title: String!', 'title: String! @deprecated'], ['OPEN', 'OPEN @deprecated(reason: "  ")']);
    expect(deprecationsWithoutReason(buildSchema(current))).toEqual(['Ticket.title', 'TicketStatus.OPEN']);
    const result = await check(current, changelog());
    expect(result.problems).toEqual([
      'Ticket.title is @deprecated without a reason: say what to use instead',
      'TicketStatus.OPEN is @deprecated without a reason: say what to use instead',
    ]);
  });

  it('in the current schema each states what to use instead', () => {
    expect(schema.getType('TicketType')).toBeDefined();
    const deprecated = Object.values(schema.getTypeMap()).flatMap((type) =>
      'getFields' in type ? Object.values(type.getFields()).filter((f) => f.deprecationReason != null).map((f) => `${type.name}.${f.name}`) : [],
    );
    expect(deprecated).toEqual(expect.arrayContaining(['TicketType.requireAcceptance', 'AssignmentSettingsInput.requireAcceptance']));
    expect(deprecationsWithoutReason(schema)).toEqual([]);
  });
});

describe('release files', () => {
  let dir: string;
  let files: SchemaFiles;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gongdan-schema-'));
    files = { changelog: path.join(dir, 'CHANGELOG.md'), releases: path.join(dir, 'releases') };
    await mkdir(files.releases);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('the last release is the newest snapshot by version, and each snapshot has its section', async () => {
    const text = '## Unreleased\n\n## 0.10.0 (2026-12-02)\n\n## 0.9.0 (2026-12-01)\n';
    await writeFile(path.join(files.releases, '0.9.0.graphql'), 'type Query { a: Int }');
    await writeFile(path.join(files.releases, '0.10.0.graphql'), 'type Query { b: Int }');
    expect(await newestRelease(files, text)).toEqual({ version: '0.10.0', sdl: 'type Query { b: Int }' });
    await expect(newestRelease(files, '## Unreleased\n\n## 0.10.0 (2026-12-02)\n')).rejects.toThrow('no "## <version> (<date>)" section in the changelog for the snapshot of 0.9.0');
    await expect(newestRelease(files, `${text}\n## 0.8.0 (2026-11-30)\n`)).rejects.toThrow('no snapshot 0.8.0.graphql');
  });

  it('a release snapshots the schema and turns Unreleased into the version; the next check starts from it', async () => {
    await writeFile(path.join(files.releases, '0.1.0.graphql'), released);
    const current = edit(['title: String!', 'title: String']);
    await writeFile(files.changelog, changelog(titleNullable, '  Customers may not read it.'));
    expect((await checkFiles(files, current)).ok).toBe(true);

    await release(files, current, '0.2.0', '2026-12-03');

    expect(await readFile(path.join(files.releases, '0.2.0.graphql'), 'utf8')).toBe(current);
    const text = await readFile(files.changelog, 'utf8');
    expect(text).toBe(
      ['# Schema changelog', '', 'Free text.', '', '## Unreleased', '', '## 0.2.0 (2026-12-03)', '', titleNullable, '  Customers may not read it.', '', '## 0.1.0 (2026-11-22)', '', 'The first release.', ''].join('\n'),
    );
    const next = await checkFiles(files, current);
    expect(next).toMatchObject({ ok: true, changes: [], release: { version: '0.2.0' } });
    // Breaking it again needs a new entry: the old one belongs to 0.2.0 now.
    const again = await checkFiles(files, edit(['title: String!', 'title: Int']));
    expect(again.missing).toEqual(["- BREAKING `Ticket.title`: Field 'Ticket.title' changed type from 'String' to 'Int'"]);
  });

  it('refuses to release a schema that fails the check, or a version not newer than the last', async () => {
    await writeFile(path.join(files.releases, '0.1.0.graphql'), released);
    const current = edit(['title: String!', 'title: String']);
    const before = changelog();
    await writeFile(files.changelog, before);
    await expect(release(files, current, '0.2.0', '2026-12-03')).rejects.toThrow(/does not pass the check against 0\.1\.0:\nBREAKING change not listed .*Ticket\.title/);
    await writeFile(files.changelog, changelog(titleNullable, '  Customers may not read it.'));
    await expect(release(files, current, '0.1.0', '2026-12-03')).rejects.toThrow('0.1.0 is not newer than the last release, 0.1.0');
    await expect(release(files, current, '0.0.9', '2026-12-03')).rejects.toThrow('not newer');
    await expect(release(files, current, 'v2', '2026-12-03')).rejects.toThrow('a version is major.minor.patch');
    expect(await newestRelease(files, await readFile(files.changelog, 'utf8'))).toMatchObject({ version: '0.1.0' });
  });
});

describe('the committed schema', () => {
  const committed: SchemaFiles = { changelog: path.join(repoRoot, 'schema/CHANGELOG.md'), releases: path.join(repoRoot, 'schema/releases') };

  it('passes against its last release, and a new unlisted breaking change fails', async () => {
    const sdl = await readFile(path.join(repoRoot, 'schema/schema.graphql'), 'utf8');
    const now = await checkFiles(committed, sdl);
    expect(now.problems).toEqual([]);
    expect(now.changes.length).toBeGreaterThan(0);

    const broken = sdl.replace(/^(type Ticket\b[^{]*\{[^}]*?\n {2}title: )String!/m, '$1String');
    expect(broken).not.toBe(sdl);
    const result = await checkFiles(committed, broken);
    expect(result.ok).toBe(false);
    expect(result.missing).toEqual(["- BREAKING `Ticket.title`: Field 'Ticket.title' changed type from 'String!' to 'String'"]);
  });
});
