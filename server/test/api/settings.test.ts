import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId, makeUser, uid } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let manager: string;
let agent: string;
let customer: string;
beforeAll(async () => {
  t = await startTestApp();
  manager = (await actor(t.db.prisma, 'MANAGER')).token;
  agent = (await actor(t.db.prisma, 'AGENT')).token;
  customer = (await actor(t.db.prisma, 'CUSTOMER')).token;
});
afterAll(() => t.close());

const CREATE_TYPE = /* GraphQL */ `
  mutation ($input: CreateTicketTypeInput!) {
    createTicketType(input: $input) {
      __typename
      ... on TicketTypePayload { ticketType { id name version fields { key kind position customerVisible } } }
      ... on ValidationFailed { fieldErrors { field message } }
      ... on Error { code }
    }
  }
`;
type CreateTypeData = {
  createTicketType: {
    __typename: string;
    ticketType?: { id: string; name: string; version: number; fields: { key: string; kind: string; position: number }[] };
    fieldErrors?: { field: string; message: string }[];
  };
};

const field = (key: string, kind = 'TEXT', extra: Record<string, unknown> = {}) => ({ key, label: key, kind, ...extra });

async function createType(name = `类型-${uid()}`, fields: unknown[] = [field('device_model')]) {
  const r = await t.gql<CreateTypeData>(CREATE_TYPE, { input: { name, fields } }, manager);
  expect(r.data?.createTicketType.__typename).toBe('TicketTypePayload');
  return r.data!.createTicketType.ticketType!;
}

describe('who may use the settings API', () => {
  it('an agent cannot create or change a ticket type (FORBIDDEN, nothing written)', async () => {
    const name = `agent-made-${uid()}`;
    const r = await t.gql(CREATE_TYPE, { input: { name } }, agent);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const type = await createType();
    const upd = await t.gql(
      `mutation ($id: ID!) { updateTicketType(input: { id: $id, name: "hijacked" }) { __typename } }`,
      { id: type.id },
      agent,
    );
    expect(upd.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await t.db.prisma.ticketType.count({ where: { name: { in: [name, 'hijacked'] } } })).toBe(0);
  });

  it('a customer cannot list users, teams or organisations; anonymous callers are UNAUTHENTICATED', async () => {
    for (const q of ['{ users { edges { node { id } } } }', '{ teams { id } }', '{ organizations { edges { node { id } } } }']) {
      const asCustomer = await t.gql(q, {}, customer);
      expect(asCustomer.errors?.[0]?.extensions?.code, q).toBe('FORBIDDEN');
      const anonymous = await t.gql(q);
      expect(anonymous.errors?.[0]?.extensions?.code, q).toBe('UNAUTHENTICATED');
    }
  });

  it('an agent can read users (for pickers) but not their own role change', async () => {
    const users = await t.gql<{ users: { edges: unknown[] } }>('{ users(first: 5) { edges { node { id email } } } }', {}, agent);
    expect(users.errors).toBeUndefined();
    expect(users.data?.users.edges.length).toBeGreaterThan(0);
    const other = await makeUser(t.db.prisma, 'AGENT');
    const r = await t.gql(`mutation ($id: ID!) { updateUser(input: { id: $id, role: ADMIN }) { __typename } }`, { id: globalId('User', other.id) }, agent);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a manager cannot create an admin or promote anyone to manager', async () => {
    const r = await t.gql<{ createUser: { __typename: string; reason?: string } }>(
      `mutation { createUser(input: { email: "boss-${uid()}@test.gongdan.dev", name: "Boss", role: ADMIN }) { __typename ... on NotAllowed { reason } } }`,
      {},
      manager,
    );
    expect(r.data?.createUser.__typename).toBe('NotAllowed');
    const someone = await makeUser(t.db.prisma, 'AGENT');
    const p = await t.gql<{ updateUser: { __typename: string } }>(
      `mutation ($id: ID!) { updateUser(input: { id: $id, role: MANAGER }) { __typename } }`,
      { id: globalId('User', someone.id) },
      manager,
    );
    expect(p.data?.updateUser.__typename).toBe('NotAllowed');
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: someone.id } })).role).toBe('AGENT');
  });

  it('customers see active types and only their customer-visible fields, without assignment settings', async () => {
    const type = await createType(`可见-${uid()}`, [field('public_one'), field('internal_one', 'TEXT', { customerVisible: false })]);
    const q = `query ($id: ID!) { ticketType(id: $id) { name fields { key } assignmentModes requireAcceptance eligibleAgents { id } } }`;
    const asCustomer = await t.gql<{ ticketType: { fields: { key: string }[]; assignmentModes: unknown; eligibleAgents: unknown[] } }>(q, { id: type.id }, customer);
    expect(asCustomer.errors).toBeUndefined();
    expect(asCustomer.data?.ticketType.fields.map((f) => f.key)).toEqual(['public_one']);
    expect(asCustomer.data?.ticketType.assignmentModes).toEqual([]);
    const asAgent = await t.gql<{ ticketType: { fields: { key: string }[]; assignmentModes: string[] } }>(q, { id: type.id }, agent);
    expect(asAgent.data?.ticketType.fields.map((f) => f.key)).toEqual(['public_one', 'internal_one']);
    expect(asAgent.data?.ticketType.assignmentModes).toEqual(expect.arrayContaining(['GRAB', 'MANAGER']));

    await t.gql(`mutation ($id: ID!) { updateTicketType(input: { id: $id, active: false }) { __typename } }`, { id: type.id }, manager);
    const hidden = await t.gql<{ ticketType: unknown }>(q, { id: type.id }, customer);
    expect(hidden.data?.ticketType).toBeNull();
  });
});

describe('field templates', () => {
  it('rejects an invalid template with an error on each bad field, and writes nothing', async () => {
    const name = `坏模板-${uid()}`;
    const r = await t.gql<CreateTypeData>(
      CREATE_TYPE,
      {
        input: {
          name,
          fields: [
            field('order_no', 'ORDER_REF', { required: true }),
            field('order_no'),
            field('Bad Key'),
            field('category', 'SINGLE_SELECT'),
            field('colour', 'MULTI_SELECT', { options: [{ value: 'red', label: '红' }, { value: 'red', label: '赤' }] }),
            field('notes', 'LONG_TEXT', { editableAfterSubmit: true }),
            field('flag', 'CHECKBOX', { maxLength: 3 }),
            field('secret', 'TEXT', { customerVisible: false, editableAfterSubmit: true, editableBy: ['CREATOR'] }),
          ],
        },
      },
      manager,
    );
    const result = r.data!.createTicketType;
    expect(result.__typename).toBe('ValidationFailed');
    expect(result.fieldErrors!.map((e) => e.field).sort()).toEqual(
      [
        'fields.1.key',
        'fields.2.key',
        'fields.3.options',
        'fields.4.options.1.value',
        'fields.5.editableBy',
        'fields.6.maxLength',
        'fields.7.editableBy',
      ].sort(),
    );
    expect(await t.db.prisma.ticketType.count({ where: { name } })).toBe(0);
  });

  it('a duplicate type name is a field error on name', async () => {
    const type = await createType();
    const r = await t.gql<CreateTypeData>(CREATE_TYPE, { input: { name: type.name } }, manager);
    expect(r.data?.createTicketType).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'name' }] });
  });

  const SET_FIELDS = /* GraphQL */ `
    mutation ($typeId: ID!, $v: Int, $fields: [FieldDefinitionInput!]!) {
      setTicketTypeFields(input: { typeId: $typeId, expectedVersion: $v, fields: $fields }) {
        __typename
        ... on TicketTypePayload { ticketType { version fields(includeArchived: true) { key archived position kind } } }
        ... on ValidationFailed { fieldErrors { field message } }
        ... on StaleWrite { currentVersion }
      }
    }
  `;
  type SetFieldsData = {
    setTicketTypeFields: {
      __typename: string;
      ticketType?: { version: number; fields: { key: string; archived: boolean; position: number; kind: string }[] };
      fieldErrors?: { field: string }[];
      currentVersion?: number;
    };
  };

  it('reorders, archives removed fields and refuses a stale version', async () => {
    const type = await createType(undefined, [field('a'), field('b'), field('c')]);
    const r = await t.gql<SetFieldsData>(SET_FIELDS, { typeId: type.id, v: type.version, fields: [field('c'), field('a')] }, manager);
    const tt = r.data!.setTicketTypeFields.ticketType!;
    expect(tt.version).toBe(type.version + 1);
    expect(tt.fields.map((f) => [f.key, f.archived])).toEqual([
      ['c', false],
      ['a', false],
      ['b', true],
    ]);
    const stale = await t.gql<SetFieldsData>(SET_FIELDS, { typeId: type.id, v: type.version, fields: [field('a')] }, manager);
    expect(stale.data?.setTicketTypeFields).toMatchObject({ __typename: 'StaleWrite', currentVersion: type.version + 1 });
  });

  it('keeps the kind of a field that tickets already hold values for', async () => {
    const type = await createType(undefined, [field('amount', 'NUMBER')]);
    const typeId = Buffer.from(type.id, 'base64').toString().split(':')[1]!;
    const creator = await makeUser(t.db.prisma, 'AGENT');
    const f = await t.db.prisma.ticketField.findFirstOrThrow({ where: { typeId, key: 'amount' } });
    const ticket = await t.db.prisma.ticket.create({
      data: { title: 'x', typeId, priority: 'NORMAL', channel: 'WEB', creatorId: creator.id },
    });
    await t.db.prisma.ticketFieldValue.create({ data: { ticketId: ticket.id, fieldId: f.id, value: 42 } });

    const r = await t.gql<SetFieldsData>(SET_FIELDS, { typeId: type.id, fields: [field('amount', 'TEXT')] }, manager);
    expect(r.data?.setTicketTypeFields).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'fields.0.kind' }] });
    // Removing it archives; the value stays.
    const removed = await t.gql<SetFieldsData>(SET_FIELDS, { typeId: type.id, fields: [] }, manager);
    expect(removed.data?.setTicketTypeFields.ticketType?.fields).toEqual([{ key: 'amount', archived: true, position: 0, kind: 'NUMBER' }]);
    expect(await t.db.prisma.ticketFieldValue.count({ where: { ticketId: ticket.id } })).toBe(1);
  });
});

describe('assignment settings', () => {
  const SET = /* GraphQL */ `
    mutation ($input: UpdateTicketTypeAssignmentInput!) {
      updateTicketTypeAssignment(input: $input) {
        __typename
        ... on TicketTypePayload { ticketType { assignmentModes requireAcceptance acceptTimeoutSeconds eligibleAgents { id } eligibleTeams { name } assistTeams { name } } }
        ... on ValidationFailed { fieldErrors { field message } }
      }
    }
  `;

  it('stores modes, confirmation, eligible agents and teams', async () => {
    const type = await createType();
    const a1 = await makeUser(t.db.prisma, 'AGENT');
    const service = await t.db.prisma.team.create({ data: { name: `一线-${uid()}`, kind: 'SERVICE' } });
    const assist = await t.db.prisma.team.create({ data: { name: `财务-${uid()}`, kind: 'ASSIST' } });
    const r = await t.gql<{ updateTicketTypeAssignment: { __typename: string; ticketType: Record<string, unknown> } }>(
      SET,
      {
        input: {
          typeId: type.id,
          assignment: {
            modes: ['AUTO', 'GRAB'],
            requireAcceptance: true,
            acceptTimeoutSeconds: 300,
            eligibleAgentIds: [globalId('User', a1.id)],
            eligibleTeamIds: [globalId('Team', service.id)],
            assistTeamIds: [globalId('Team', assist.id)],
          },
        },
      },
      manager,
    );
    expect(r.data?.updateTicketTypeAssignment.__typename).toBe('TicketTypePayload');
    expect(r.data?.updateTicketTypeAssignment.ticketType).toEqual({
      assignmentModes: ['AUTO', 'GRAB'],
      requireAcceptance: true,
      acceptTimeoutSeconds: 300,
      eligibleAgents: [{ id: globalId('User', a1.id) }],
      eligibleTeams: [{ name: service.name }],
      assistTeams: [{ name: assist.name }],
    });
  });

  it('rejects unknown agents, customers as agents, teams of the wrong kind and empty modes', async () => {
    const type = await createType();
    const cust = await makeUser(t.db.prisma, 'CUSTOMER');
    const assist = await t.db.prisma.team.create({ data: { name: `协助-${uid()}`, kind: 'ASSIST' } });
    const r = await t.gql<{ updateTicketTypeAssignment: { __typename: string; fieldErrors: { field: string }[] } }>(
      SET,
      {
        input: {
          typeId: type.id,
          assignment: {
            modes: [],
            acceptTimeoutSeconds: 5,
            eligibleAgentIds: [globalId('User', cust.id), globalId('User', '00000000-0000-7000-8000-000000000000')],
            eligibleTeamIds: [globalId('Team', assist.id)],
          },
        },
      },
      manager,
    );
    expect(r.data?.updateTicketTypeAssignment.__typename).toBe('ValidationFailed');
    expect(r.data?.updateTicketTypeAssignment.fieldErrors.map((e) => e.field).sort()).toEqual(
      ['acceptTimeoutSeconds', 'eligibleAgentIds.0', 'eligibleAgentIds.1', 'eligibleTeamIds.0', 'modes'].sort(),
    );
  });
});

describe('people and customers', () => {
  it('a manager creates an agent who can then log in, and an organisation with a dedicated agent', async () => {
    const email = `new-agent-${uid()}@test.gongdan.dev`;
    const r = await t.gql<{ createUser: { __typename: string; user: { id: string } } }>(
      `mutation ($email: String!) { createUser(input: { email: $email, name: "新客服", role: AGENT, password: "s3cret-pass-fern-92", skills: ["退款", " 发票 ", "退款"] }) { __typename ... on UserPayload { user { id skills } } } }`,
      { email },
      manager,
    );
    expect(r.data?.createUser.__typename).toBe('UserPayload');
    const login = await t.gql<{ login: { __typename: string } }>(
      `mutation ($email: String!) { login(input: { email: $email, password: "s3cret-pass-fern-92" }) { __typename } }`,
      { email },
    );
    expect(login.data?.login.__typename).toBe('LoginPayload');

    const org = await t.gql<{ createOrganization: { __typename: string; organization: { tier: string; dedicatedAgent: { name: string } } } }>(
      `mutation ($agent: ID!) { createOrganization(input: { name: "华东贸易-${uid()}", tier: VIP, dedicatedAgentId: $agent }) { __typename ... on OrganizationPayload { organization { tier dedicatedAgent { name } } } } }`,
      { agent: r.data!.createUser.user.id },
      manager,
    );
    expect(org.data?.createOrganization).toMatchObject({ __typename: 'OrganizationPayload', organization: { tier: 'VIP', dedicatedAgent: { name: '新客服' } } });
  });

  it('a staff member cannot be a dedicated agent; a bad email is a field error', async () => {
    const staff = await makeUser(t.db.prisma, 'STAFF');
    const r = await t.gql<{ createContact: { __typename: string; fieldErrors: { field: string }[] } }>(
      `mutation ($agent: ID!) { createContact(input: { name: "王五", email: "not-an-email", dedicatedAgentId: $agent }) { __typename ... on ValidationFailed { fieldErrors { field } } } }`,
      { agent: globalId('User', staff.id) },
      manager,
    );
    expect(r.data?.createContact.__typename).toBe('ValidationFailed');
    expect(r.data?.createContact.fieldErrors.map((e) => e.field).sort()).toEqual(['dedicatedAgentId', 'email']);
  });

  it('assist team members: customers cannot join, the same person cannot be listed twice', async () => {
    const team = await t.db.prisma.team.create({ data: { name: `技术-${uid()}`, kind: 'ASSIST' } });
    const staff = await makeUser(t.db.prisma, 'STAFF');
    const cust = await makeUser(t.db.prisma, 'CUSTOMER');
    const SET = `mutation ($input: SetTeamMembersInput!) { setTeamMembers(input: $input) { __typename ... on ValidationFailed { fieldErrors { field } } ... on TeamPayload { team { members { isManager user { name } } } } } }`;
    const bad = await t.gql<{ setTeamMembers: { __typename: string; fieldErrors: { field: string }[] } }>(
      SET,
      {
        input: {
          teamId: globalId('Team', team.id),
          members: [{ userId: globalId('User', cust.id) }, { userId: globalId('User', staff.id) }, { userId: globalId('User', staff.id) }],
        },
      },
      manager,
    );
    expect(bad.data?.setTeamMembers.fieldErrors.map((e) => e.field)).toEqual(['members.0.userId', 'members.2.userId']);
    const ok = await t.gql<{ setTeamMembers: { team: { members: { isManager: boolean; user: { name: string } }[] } } }>(
      SET,
      { input: { teamId: globalId('Team', team.id), members: [{ userId: globalId('User', staff.id), isManager: true }] } },
      manager,
    );
    expect(ok.data?.setTeamMembers.team.members).toEqual([{ isManager: true, user: { name: staff.name } }]);
  });
});
