// The demo seed: what it creates, that it is idempotent (a second run, or two runs at
// once, change nothing), and that its data is usable (logins, field templates,
// dedicated agents, routing settings).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldKind, Priority, Role, TeamKind, type PrismaClient } from '../../src/infra/db/generated/client.ts';
import {
  DEMO_EMAILS,
  DEMO_ORGANIZATIONS,
  DEMO_PASSWORD,
  DEMO_TICKET_TYPES,
  DEMO_USERS,
  demoExpectedCounts,
  seedDemo,
  type DemoSeedSummary,
} from '../../src/infra/db/seed/demo.ts';
import { verifyPassword } from '../../src/services/auth/password.ts';
import { openSuiteDatabase } from '../support/database.ts';

/** Every table the seed writes, keyed like DemoSeedCounts. */
const TABLES = {
  users: 'User',
  teams: 'Team',
  teamMembers: 'TeamMember',
  ticketTypes: 'TicketType',
  ticketFields: 'TicketField',
  ticketTypeAgents: 'TicketTypeAgent',
  ticketTypeTeams: 'TicketTypeTeam',
  ticketTypeAssistTeams: 'TicketTypeAssistTeam',
  slaPolicies: 'SlaPolicy',
  organizations: 'Organization',
  contacts: 'Contact',
} as const;

/** Tables the seed must leave alone: tickets come later, through the services. */
const UNTOUCHED = ['Ticket', 'TimelineEvent', 'AssignmentOffer', 'Comment', 'ScheduledJob', 'OutboxMessage', 'Session'];

type Snapshot = Record<string, unknown[]>;

/** Every row of every seeded table, as JSON, in a stable order. */
async function snapshot(prisma: PrismaClient): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const table of Object.values(TABLES)) {
    const rows = await prisma.$queryRawUnsafe<{ row: unknown }[]>(
      `SELECT to_jsonb(t) AS row FROM "${table}" t ORDER BY to_jsonb(t)::text`,
    );
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

async function counts(prisma: PrismaClient): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, table] of Object.entries(TABLES)) {
    const [row] = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table}"`);
    out[key] = row!.n;
  }
  return out;
}

const zero = Object.fromEntries(Object.keys(TABLES).map((k) => [k, 0]));

describe('seedDemo on a fresh database', () => {
  let testDb: Awaited<ReturnType<typeof openSuiteDatabase>>;
  let prisma: PrismaClient;
  let first: DemoSeedSummary;
  let second: DemoSeedSummary;
  let afterFirst: Snapshot;
  let afterSecond: Snapshot;
  let firstCounts: Record<string, number>;
  let secondCounts: Record<string, number>;

  beforeAll(async () => {
    testDb = await openSuiteDatabase();
    prisma = testDb.db.prisma;
    first = await seedDemo(prisma);
    afterFirst = await snapshot(prisma);
    firstCounts = await counts(prisma);
    second = await seedDemo(prisma);
    afterSecond = await snapshot(prisma);
    secondCounts = await counts(prisma);
  });

  afterAll(async () => {
    await testDb?.close();
  });

  it('creates the documented demo company', () => {
    const expected = demoExpectedCounts();
    expect(first.created).toEqual(expected);
    expect(firstCounts).toEqual(expected);
    expect(first.expected).toEqual(expected);
    // The numbers docs and the ticket seed rely on.
    expect(expected).toMatchObject({
      users: 24,
      teams: 4,
      ticketTypes: 5,
      slaPolicies: 5,
      organizations: 10,
    });
    expect(DEMO_EMAILS[Role.ADMIN]).toEqual(['admin@gongdan.dev']);
    expect(DEMO_EMAILS[Role.MANAGER]).toHaveLength(2);
    expect(DEMO_EMAILS[Role.AGENT]).toEqual(Array.from({ length: 8 }, (_, i) => `agent${i + 1}@gongdan.dev`));
    expect(DEMO_EMAILS[Role.STAFF]).toHaveLength(3);
    expect(DEMO_EMAILS[Role.CUSTOMER]).toEqual(Array.from({ length: 10 }, (_, i) => `customer${i + 1}@gongdan.dev`));
    expect(DEMO_PASSWORD).toBe('gongdan123');
  });

  it('returns id maps that match the database', async () => {
    expect(Object.keys(first.users).sort()).toEqual(DEMO_USERS.map((u) => u.email).sort());
    expect(Object.keys(first.types).sort()).toEqual(DEMO_TICKET_TYPES.map((t) => t.name).sort());
    expect(Object.keys(first.organizations).sort()).toEqual(DEMO_ORGANIZATIONS.map((o) => o.name).sort());
    expect(Object.keys(first.contacts)).toHaveLength(demoExpectedCounts().contacts);
    expect(Object.keys(first.slaPolicies)).toHaveLength(5);
    const admin = await prisma.user.findUniqueOrThrow({ where: { id: first.users['admin@gongdan.dev']! } });
    expect(admin.role).toBe(Role.ADMIN);
    const orderNo = await prisma.ticketField.findUniqueOrThrow({ where: { id: first.fields['订单问题']!['order_no']! } });
    expect(orderNo).toMatchObject({ kind: FieldKind.ORDER_REF, required: true, maxLength: 32 });
    // The second run resolves the same ids.
    for (const key of ['users', 'teams', 'types', 'fields', 'organizations', 'contacts', 'slaPolicies'] as const) {
      expect(second[key]).toEqual(first[key]);
    }
  });

  it('creates and changes nothing when run again', async () => {
    expect(second.created).toEqual(zero);
    expect(secondCounts).toEqual(firstCounts);
    expect(afterSecond).toEqual(afterFirst);
    for (const table of UNTOUCHED) {
      const [row] = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table}"`);
      expect(row!.n, table).toBe(0);
    }
  });

  it('lets every demo user log in with the demo password', async () => {
    const users = await prisma.user.findMany({ where: { email: { in: DEMO_USERS.map((u) => u.email) } } });
    expect(users).toHaveLength(DEMO_USERS.length);
    for (const u of users) {
      expect(u.passwordHash, u.email).toBeTruthy();
      expect(u.active).toBe(true);
      expect(u.role).toBe(DEMO_USERS.find((d) => d.email === u.email)!.role);
    }
    // argon2 is slow: verify one user per role (they share one hash anyway).
    for (const role of Object.values(Role)) {
      const email = DEMO_EMAILS[role][0]!;
      const user = users.find((u) => u.email === email)!;
      expect(await verifyPassword(user.passwordHash!, DEMO_PASSWORD), email).toBe(true);
    }
    expect(await verifyPassword(users[0]!.passwordHash!, 'wrong-password')).toBe(false);
  });

  it('gives agents skills, capacity, seniority and presence', async () => {
    const agents = await prisma.user.findMany({ where: { role: Role.AGENT } });
    expect(agents).toHaveLength(8);
    for (const a of agents) {
      expect(a.skills.length, a.email).toBeGreaterThan(0);
      expect(a.capacity).toBeGreaterThanOrEqual(8);
      expect(a.capacity).toBeLessThanOrEqual(15);
    }
    expect(agents.filter((a) => a.senior).length).toBeGreaterThanOrEqual(2);
    expect(agents.filter((a) => a.presence === 'ONLINE').length).toBeGreaterThanOrEqual(5);
    expect(agents.some((a) => a.presence !== 'ONLINE')).toBe(true);
  });

  it('links every customer login to a contact, and every early organisation has one', async () => {
    const customers = await prisma.user.findMany({ where: { role: Role.CUSTOMER }, include: { contact: true } });
    expect(customers).toHaveLength(10);
    for (const c of customers) {
      expect(c.contact, c.email).not.toBeNull();
      expect(c.contact!.email).toBe(c.email);
      expect(c.contact!.name).toBe(c.name);
    }
    const orgs = await prisma.organization.findMany({ include: { contacts: true } });
    expect(orgs.filter((o) => o.tier === 'VIP')).toHaveLength(2);
    for (const o of orgs) {
      expect(o.contacts.length, o.name).toBeGreaterThanOrEqual(1);
      expect(o.contacts.length, o.name).toBeLessThanOrEqual(3);
    }
    for (const spec of DEMO_ORGANIZATIONS.slice(0, 5)) {
      const org = orgs.find((o) => o.name === spec.name)!;
      expect(org.contacts.some((c) => c.userId !== null), spec.name).toBe(true);
    }
  });

  it('sets dedicated agents on organisations and contacts, the contact one differing at least once', async () => {
    const contacts = await prisma.contact.findMany({
      include: { organization: true, dedicatedAgent: true },
    });
    const withOwn = contacts.filter((c) => c.dedicatedAgentId !== null);
    expect(withOwn.length).toBeGreaterThan(0);
    expect(
      withOwn.some(
        (c) => c.organization?.dedicatedAgentId != null && c.organization.dedicatedAgentId !== c.dedicatedAgentId,
      ),
    ).toBe(true);
    for (const c of withOwn) expect(c.dedicatedAgent!.role).toBe(Role.AGENT);
    const orgs = await prisma.organization.findMany({ include: { dedicatedAgent: true } });
    expect(orgs.filter((o) => o.dedicatedAgentId !== null).length).toBeGreaterThan(0);
    for (const o of orgs) {
      if (o.dedicatedAgent) expect(o.dedicatedAgent.role).toBe(Role.AGENT);
      // VIP customers are served by senior agents.
      if (o.tier === 'VIP') expect(o.dedicatedAgent?.senior, o.name).toBe(true);
    }
  });

  it('has valid field templates on every type', async () => {
    const types = await prisma.ticketType.findMany({ include: { fields: { orderBy: { position: 'asc' } } } });
    expect(types.map((t) => t.name).sort()).toEqual(['产品咨询', '投诉建议', '技术支持', '账户问题', '订单问题'].sort());
    for (const type of types) {
      const { fields } = type;
      expect(fields.length, type.name).toBeGreaterThan(0);
      expect(new Set(fields.map((f) => f.key)).size, type.name).toBe(fields.length);
      expect(fields.map((f) => f.position)).toEqual(fields.map((_, i) => i));
      expect(fields.some((f) => f.required), type.name).toBe(true);
      for (const f of fields) {
        const where = `${type.name}.${f.key}`;
        expect(f.key, where).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(f.label.trim(), where).not.toBe('');
        expect(f.archived, where).toBe(false);
        expect(f.editableAfterSubmit, where).toBe(f.editableBy.length > 0);
        // An internal-only field cannot be required of a customer filling in the form.
        if (!f.customerVisible) expect(f.required, where).toBe(false);
        if (f.kind === FieldKind.SINGLE_SELECT || f.kind === FieldKind.MULTI_SELECT) {
          const options = f.options as { value: string; label: string }[];
          expect(Array.isArray(options), where).toBe(true);
          expect(options.length, where).toBeGreaterThanOrEqual(2);
          expect(new Set(options.map((o) => o.value)).size, where).toBe(options.length);
          for (const o of options) {
            expect(Object.keys(o).sort(), where).toEqual(['label', 'value']);
            expect(o.value, where).toMatch(/^[a-z][a-z0-9_]*$/);
            expect(o.label.trim(), where).not.toBe('');
          }
        } else {
          expect(f.options, where).toBeNull();
        }
        if (f.maxLength !== null) {
          expect([FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.ORDER_REF], where).toContain(f.kind);
          expect(f.maxLength).toBeGreaterThan(0);
        }
      }
    }
    const tech = types.find((t) => t.name === '技术支持')!;
    expect(tech.fields.find((f) => f.key === 'os')!.options).toEqual([
      { value: 'windows', label: 'Windows' },
      { value: 'macos', label: 'macOS' },
      { value: 'linux', label: 'Linux' },
      { value: 'android', label: 'Android' },
      { value: 'ios', label: 'iOS' },
    ]);
    expect(tech.fields.find((f) => f.key === 'remote_assist')).toMatchObject({
      kind: FieldKind.CHECKBOX,
      customerVisible: false,
      editableAfterSubmit: true,
      editableBy: ['ASSIGNEE'],
    });
  });

  it('configures assignment, eligibility and assist teams consistently', async () => {
    const types = await prisma.ticketType.findMany({
      include: {
        eligibleAgents: { include: { user: true } },
        eligibleTeams: { include: { team: true } },
        assistTeams: { include: { team: true } },
      },
    });
    const byName = Object.fromEntries(types.map((t) => [t.name, t]));
    expect(byName['技术支持']).toMatchObject({ assignmentModes: ['AUTO', 'GRAB'], acceptAfterAutoDispatch: true, acceptTimeoutSeconds: 600 });
    expect(byName['账户问题']).toMatchObject({ assignmentModes: ['MANAGER'], acceptAfterManagerDispatch: true });
    expect(byName['订单问题']).toMatchObject({ assignmentModes: ['GRAB', 'MANAGER'], acceptAfterAutoDispatch: false, acceptAfterManagerDispatch: false });
    expect(byName['产品咨询']).toMatchObject({ assignmentModes: ['AUTO'], acceptAfterAutoDispatch: false });
    expect(byName['投诉建议']).toMatchObject({ assignmentModes: ['MANAGER'] });
    // Some types are open to every agent (no rows), others are limited.
    expect(types.some((t) => t.eligibleAgents.length === 0 && t.eligibleTeams.length === 0)).toBe(true);
    expect(types.some((t) => t.eligibleTeams.length > 0)).toBe(true);
    expect(byName['技术支持']!.assistTeams.map((a) => a.team.name)).toEqual(['技术支持组']);
    expect(byName['订单问题']!.assistTeams.map((a) => a.team.name)).toEqual(['财务组']);
    for (const t of types) {
      expect(t.assignmentModes.length, t.name).toBeGreaterThan(0);
      expect(t.description, t.name).toBeTruthy();
      for (const a of t.eligibleAgents) expect(a.user.role).toBe(Role.AGENT);
      for (const e of t.eligibleTeams) expect(e.team.kind).toBe(TeamKind.SERVICE);
      for (const a of t.assistTeams) expect(a.team.kind).toBe(TeamKind.ASSIST);
    }

    const teams = await prisma.team.findMany({ include: { members: { include: { user: true } } } });
    for (const team of teams) {
      expect(team.members.length, team.name).toBeGreaterThan(0);
      if (team.kind === TeamKind.SERVICE) {
        for (const m of team.members) expect(m.user.role, team.name).toBe(Role.AGENT);
      } else {
        // Assist teams are internal people, and a MANAGER-rule team needs someone to dispatch.
        for (const m of team.members) expect([Role.AGENT, Role.STAFF, Role.MANAGER]).toContain(m.user.role);
        expect(team.members.some((m) => m.isManager), team.name).toBe(true);
      }
    }
    expect(teams.find((t) => t.name === '技术支持组')!.assistRule).toBe('AUTO');
    expect(teams.find((t) => t.name === '财务组')!.assistRule).toBe('MANAGER');
  });

  it('has the SLA targets of seed 004 and a tighter VIP policy', async () => {
    const policies = await prisma.slaPolicy.findMany({ where: { typeId: null } });
    const target = (p: Priority, tier: 'VIP' | null) => {
      const found = policies.filter((s) => s.priority === p && s.tier === tier);
      expect(found, `${p}/${tier}`).toHaveLength(1);
      return [found[0]!.firstResponseMinutes, found[0]!.resolutionMinutes];
    };
    expect(target(Priority.URGENT, null)).toEqual([15, 4 * 60]);
    expect(target(Priority.HIGH, null)).toEqual([2 * 60, 24 * 60]);
    expect(target(Priority.NORMAL, null)).toEqual([24 * 60, 3 * 24 * 60]);
    expect(target(Priority.LOW, null)).toEqual([3 * 24 * 60, 7 * 24 * 60]);
    const [vipFirst, vipResolve] = target(Priority.NORMAL, 'VIP');
    expect(vipFirst).toBeLessThan(24 * 60);
    expect(vipResolve).toBeLessThan(3 * 24 * 60);
    expect(policies.every((s) => s.active)).toBe(true);
  });
});

describe('seedDemo against existing data', () => {
  let testDb: Awaited<ReturnType<typeof openSuiteDatabase>>;
  let prisma: PrismaClient;

  beforeAll(async () => {
    testDb = await openSuiteDatabase();
    prisma = testDb.db.prisma;
  });

  afterAll(async () => {
    await testDb?.close();
  });

  it('does not duplicate anything when two instances seed at once', async () => {
    const [a, b] = await Promise.all([seedDemo(prisma), seedDemo(prisma)]);
    expect(await counts(prisma)).toEqual(demoExpectedCounts());
    // Exactly one of them did the work.
    const total = (s: DemoSeedSummary) => Object.values(s.created).reduce((x, y) => x + y, 0);
    expect([total(a), total(b)].sort((x, y) => x - y)).toEqual([0, total(a) + total(b)]);
    expect(a.users).toEqual(b.users);
    expect(a.contacts).toEqual(b.contacts);
  });

  it('keeps what an admin changed instead of overwriting it', async () => {
    const admin = await prisma.user.update({
      where: { email: 'admin@gongdan.dev' },
      data: { passwordHash: 'changed-hash', name: '改过的名字' },
    });
    await prisma.ticketType.update({
      where: { name: '技术支持' },
      data: { acceptAfterAutoDispatch: false, assignmentModes: ['MANAGER'] },
    });
    const finance = await prisma.team.findUniqueOrThrow({ where: { name: '财务组' } });
    await prisma.teamMember.delete({
      where: { teamId_userId: { teamId: finance.id, userId: (await prisma.user.findUniqueOrThrow({ where: { email: 'agent8@gongdan.dev' } })).id } },
    });
    const field = await prisma.ticketField.update({
      where: { typeId_key: { typeId: (await prisma.ticketType.findUniqueOrThrow({ where: { name: '订单问题' } })).id, key: 'amount' } },
      data: { archived: true, label: '订单金额' },
    });
    const sla = await prisma.slaPolicy.updateMany({
      where: { priority: 'URGENT', typeId: null, tier: null },
      data: { firstResponseMinutes: 10 },
    });
    expect(sla.count).toBe(1);

    const rerun = await seedDemo(prisma);
    expect(rerun.created).toEqual(zero);
    expect(await prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).toMatchObject({
      passwordHash: 'changed-hash',
      name: '改过的名字',
    });
    expect(await prisma.ticketType.findUniqueOrThrow({ where: { name: '技术支持' } })).toMatchObject({
      acceptAfterAutoDispatch: false,
      assignmentModes: ['MANAGER'],
    });
    expect(await prisma.teamMember.count({ where: { teamId: finance.id } })).toBe(2);
    expect(await prisma.ticketField.findUniqueOrThrow({ where: { id: field.id } })).toMatchObject({
      archived: true,
      label: '订单金额',
    });
    expect(
      (await prisma.slaPolicy.findFirstOrThrow({ where: { priority: 'URGENT', typeId: null, tier: null } }))
        .firstResponseMinutes,
    ).toBe(10);
  });

  it('restores demo rows that were deleted, without touching the rest', async () => {
    await prisma.contact.delete({ where: { id: (await prisma.contact.findFirstOrThrow({ where: { email: 'ma.jun@qinfeng-media.com' } })).id } });
    await prisma.organization.delete({ where: { name: '武汉长江印务有限公司' } });
    const rerun = await seedDemo(prisma);
    // The organisation comes back; its old contact survived (organizationId set null), so
    // only the deleted contact is recreated.
    expect(rerun.created).toEqual({ ...zero, organizations: 1, contacts: 1 });
    expect(await prisma.contact.count({ where: { email: 'ma.jun@qinfeng-media.com' } })).toBe(1);
  });
});
