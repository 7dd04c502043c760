import { FIELD_EDITORS, type FIELD_KINDS, type FieldDefinition, type FieldOption } from '../../domain/ticket-type/template.ts';
import { ASSIGNMENT_MODES } from '../../services/settings/ticket-types.ts';
import { API_SCOPES, isInternal } from '../../domain/identity/viewer.ts';
import { builder } from '../builder.ts';
import { enumList, list, text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { isUuid } from '../../domain/ids.ts';
import { internalOnly, internalOnlyList } from '../internal-only.ts';
import { SETTINGS_ERRORS } from './errors.ts';
import { AssignmentModeEnum, PriorityEnum } from './enums.ts';
import { TeamRef } from './team.ts';
import { UserRef, stripNulls } from './user.ts';

const FieldKindEnum = builder.enumType('FieldKind', {
  description: 'What a custom field holds.',
  values: {
    TEXT: { description: 'One line of text.' },
    LONG_TEXT: { description: 'Several lines of text.' },
    NUMBER: {},
    DATE: { description: 'A calendar date, YYYY-MM-DD.' },
    SINGLE_SELECT: { description: 'One of the options (its value).' },
    MULTI_SELECT: { description: 'Some of the options (a list of values).' },
    CHECKBOX: { description: 'true or false.' },
    USER: { description: 'A user id.' },
    ORDER_REF: { description: 'An order or asset number in another system.' },
  } satisfies Record<(typeof FIELD_KINDS)[number], unknown>,
});

const FieldEditorEnum = builder.enumType('FieldEditor', {
  description: 'Who may edit a field after the ticket was submitted (提交后允许编辑).',
  values: {
    CREATOR: { description: 'Whoever created the ticket.' },
    ASSIGNEE: { description: 'The current assignee.' },
    MANAGER: { description: 'Managers and admins.' },
  } satisfies Record<(typeof FIELD_EDITORS)[number], unknown>,
});

const FieldOptionRef = builder.objectRef<FieldOption>('FieldOption').implement({
  description: 'A choice of a select field. Tickets store the value.',
  fields: (t) => ({ value: t.exposeString('value'), label: t.exposeString('label') }),
});

export const TicketFieldRef = builder.prismaNode('TicketField', {
  description: 'A custom field of a ticket type\'s template.',
  id: { field: 'id' },
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Stable machine key, used in `fieldValues`.' }),
    label: t.exposeString('label'),
    description: t.exposeString('description', { nullable: true }),
    kind: t.expose('kind', { type: FieldKindEnum }),
    required: t.exposeBoolean('required'),
    position: t.exposeInt('position', { description: 'Layout order, 0 first.' }),
    customerVisible: t.exposeBoolean('customerVisible', { description: 'Shown to customers in the portal; otherwise internal only.' }),
    editableAfterSubmit: t.exposeBoolean('editableAfterSubmit'),
    editableBy: t.field({ type: [FieldEditorEnum], resolve: (f) => f.editableBy }),
    options: t.field({
      type: [FieldOptionRef],
      description: 'Choices of select fields; empty for other kinds.',
      resolve: (f) => (Array.isArray(f.options) ? (f.options as unknown as FieldOption[]) : []),
    }),
    maxLength: t.exposeInt('maxLength', { nullable: true }),
    archived: t.exposeBoolean('archived', { description: 'Removed from the template; old tickets keep their values.' }),
  }),
});


export const TicketTypeRef = builder.prismaNode('TicketType', {
  description: '工单类型: a kind of ticket with its own field template, assignment and SLA settings.',
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    active: t.exposeBoolean('active', { description: 'Inactive types accept no new tickets.' }),
    defaultPriority: t.expose('defaultPriority', { type: PriorityEnum }),
    fields: t.relation('fields', {
      description: 'The template in layout order. Customers see only customer-visible fields.',
      args: { includeArchived: t.arg.boolean({ required: false, defaultValue: false }) },
      query: ({ includeArchived }, ctx) => ({
        where: {
          ...(includeArchived ? {} : { archived: false }),
          ...(!ctx.viewer || !isInternal(ctx.viewer.role) ? { customerVisible: true, archived: false } : {}),
        },
        // Archived fields keep their old position; list them after the live template.
        orderBy: [{ archived: 'asc' }, { position: 'asc' }],
      }),
    }),
    assignmentModes: t.field({
      type: [AssignmentModeEnum],
      description: '分配方式: how tickets of this type reach an assignee. Empty for customers.',
      ...internalOnlyList,
      resolve: (tt) => tt.assignmentModes,
    }),
    acceptAfterAutoDispatch: t.exposeBoolean('acceptAfterAutoDispatch', {
      nullable: true,
      description: '自动派单后需人员确认接单: auto-dispatched tickets wait in PENDING_ACCEPT for the agent to accept.',
      ...internalOnly,
    }),
    acceptAfterManagerDispatch: t.exposeBoolean('acceptAfterManagerDispatch', {
      nullable: true,
      description: '管理员派单后需人员确认接单: tickets a manager dispatches wait in PENDING_ACCEPT for the agent to accept.',
      ...internalOnly,
    }),
    requireAcceptance: t.boolean({
      nullable: true,
      description: 'True when either kind of dispatch waits for the agent to accept.',
      deprecationReason: 'Confirmation is two switches: use acceptAfterAutoDispatch and acceptAfterManagerDispatch.',
      select: { acceptAfterAutoDispatch: true, acceptAfterManagerDispatch: true },
      ...internalOnly,
      resolve: (tt) => tt.acceptAfterAutoDispatch || tt.acceptAfterManagerDispatch,
    }),
    acceptTimeoutSeconds: t.exposeInt('acceptTimeoutSeconds', { nullable: true, ...internalOnly }),
    autoCloseAfterSeconds: t.exposeInt('autoCloseAfterSeconds', {
      nullable: true,
      description: 'Resolved tickets close by themselves after this long; null = never.',
    }),
    eligibleAgents: t.field({
      type: [UserRef],
      description: 'Agents listed by name. With no agents and no teams listed, every agent is eligible.',
      ...internalOnlyList,
      select: (_a, _c, nested) => ({ eligibleAgents: { select: { user: nested() } } }),
      resolve: (tt) => tt.eligibleAgents.map((a) => a.user),
    }),
    eligibleTeams: t.field({
      type: [TeamRef],
      description: 'Service teams whose members are eligible.',
      ...internalOnlyList,
      select: (_a, _c, nested) => ({ eligibleTeams: { select: { team: nested() } } }),
      resolve: (tt) => tt.eligibleTeams.map((a) => a.team),
    }),
    assistTeams: t.field({
      type: [TeamRef],
      description: 'Assist teams tickets of this type may be transferred to (转办).',
      ...internalOnlyList,
      select: (_a, _c, nested) => ({ assistTeams: { select: { team: nested() } } }),
      resolve: (tt) => tt.assistTeams.map((a) => a.team),
    }),
    version: t.exposeInt('version', { description: 'Pass as expectedVersion when changing the type.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

// Tickets and settings both refer to the types (and filing a ticket needs one), so any token may read them.
const anyToken = { $all: { authenticated: true, scope: API_SCOPES } } as const;

builder.queryFields((t) => ({
  ticketTypes: t.withAuth(anyToken).prismaField({
    type: ['TicketType'],
    description: 'Ticket types by name. Customers see active ones only.',
    args: { includeInactive: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (query, _root, { includeInactive }, ctx) =>
      ctx.prisma.ticketType.findMany({
        ...query,
        where: includeInactive && isInternal(ctx.viewer.role) ? {} : { active: true },
        orderBy: { name: 'asc' },
      }),
  }),
  ticketType: t.withAuth(anyToken).prismaField({
    type: 'TicketType',
    nullable: true,
    args: { id: t.arg.globalID({ for: TicketTypeRef, required: true }) },
    resolve: (query, _root, { id }, ctx) =>
      isUuid(id.id)
        ? ctx.prisma.ticketType.findFirst({
            ...query,
            where: { id: id.id, ...(!isInternal(ctx.viewer.role) && { active: true }) },
          })
        : null,
  }),
}));

const FieldOptionInput = builder.inputType('FieldOptionInput', {
  description: 'A choice of a select field.',
  fields: (t) => ({
    value: t.string({ ...text(LIMITS.template.optionValue, { checked: true, description: 'What tickets store.' }) }),
    label: t.string({ ...text(LIMITS.template.optionLabel, { checked: true }) }),
  }),
});

const FieldDefinitionInput = builder.inputType('FieldDefinitionInput', {
  description: 'One field of a template. Fields are matched to existing ones by key.',
  fields: (t) => ({
    key: t.string({ ...text(LIMITS.template.key, { checked: true, description: 'A lower-case letter, then a-z, 0-9 and _.' }) }),
    label: t.string({ ...text(LIMITS.template.label, { checked: true }) }),
    description: t.string({ required: false, ...text(LIMITS.template.description, { checked: true }) }),
    kind: t.field({ type: FieldKindEnum }),
    required: t.boolean({ required: false, defaultValue: false }),
    customerVisible: t.boolean({ required: false, defaultValue: true }),
    editableAfterSubmit: t.boolean({ required: false, defaultValue: false }),
    editableBy: t.field({ type: [FieldEditorEnum], required: false, ...enumList(FIELD_EDITORS) }),
    options: t.field({ type: [FieldOptionInput], required: false, ...list(LIMITS.template.options, { checked: true }) }),
    maxLength: t.int({ required: false }),
  }),
});

type FieldDefinitionArg = {
  key: string;
  label: string;
  description?: string | null;
  kind: FieldDefinition['kind'];
  required?: boolean | null;
  customerVisible?: boolean | null;
  editableAfterSubmit?: boolean | null;
  editableBy?: FieldDefinition['editableBy'] | null;
  options?: FieldOption[] | null;
  maxLength?: number | null;
};
const toDefinition = (f: FieldDefinitionArg): FieldDefinition => ({
  key: f.key,
  label: f.label,
  description: f.description ?? null,
  kind: f.kind,
  required: f.required ?? false,
  customerVisible: f.customerVisible ?? true,
  editableAfterSubmit: f.editableAfterSubmit ?? false,
  editableBy: f.editableBy ?? [],
  options: f.options ?? null,
  maxLength: f.maxLength ?? null,
});

const AssignmentSettingsInput = builder.inputType('AssignmentSettingsInput', {
  description: 'How tickets of a type are assigned (分配设置).',
  fields: (t) => ({
    modes: t.field({ type: [AssignmentModeEnum], ...enumList(ASSIGNMENT_MODES) }),
    acceptAfterAutoDispatch: t.boolean({
      required: false,
      description: '自动派单后需人员确认接单 (AUTO only). Default false.',
    }),
    acceptAfterManagerDispatch: t.boolean({
      required: false,
      description: '管理员派单后需人员确认接单 (MANAGER only). Default false.',
    }),
    requireAcceptance: t.boolean({
      required: false,
      description: 'Sets the switch of each of AUTO and MANAGER that `modes` lists. Not together with the two switches.',
      deprecationReason: 'Confirmation is two switches: use acceptAfterAutoDispatch and acceptAfterManagerDispatch.',
    }),
    acceptTimeoutSeconds: t.int({ required: false, defaultValue: 900 }),
    eligibleAgentIds: t.globalIDList({ for: UserRef, required: false, ...list(LIMITS.assignment.eligibleAgents) }),
    eligibleTeamIds: t.globalIDList({ for: TeamRef, required: false, ...list(LIMITS.assignment.eligibleTeams) }),
    assistTeamIds: t.globalIDList({ for: TeamRef, required: false, ...list(LIMITS.assignment.assistTeams) }),
  }),
});

type AssignmentArg = {
  modes: ('AUTO' | 'MANAGER' | 'GRAB')[];
  acceptAfterAutoDispatch?: boolean | null;
  acceptAfterManagerDispatch?: boolean | null;
  requireAcceptance?: boolean | null;
  acceptTimeoutSeconds?: number | null;
  eligibleAgentIds?: { id: string }[] | null;
  eligibleTeamIds?: { id: string }[] | null;
  assistTeamIds?: { id: string }[] | null;
};
const toAssignment = (a: AssignmentArg) => ({
  modes: a.modes,
  acceptAfterAutoDispatch: a.acceptAfterAutoDispatch,
  acceptAfterManagerDispatch: a.acceptAfterManagerDispatch,
  requireAcceptance: a.requireAcceptance,
  acceptTimeoutSeconds: a.acceptTimeoutSeconds ?? 900,
  eligibleAgentIds: (a.eligibleAgentIds ?? []).map((x) => x.id),
  eligibleTeamIds: (a.eligibleTeamIds ?? []).map((x) => x.id),
  assistTeamIds: (a.assistTeamIds ?? []).map((x) => x.id),
});

const TicketTypePayload = builder.simpleObject('TicketTypePayload', {
  fields: (t) => ({ ticketType: t.field({ type: TicketTypeRef }) }),
});
const settingsWrite = { $all: { manager: true, scope: 'settings:write' } } as const;

builder.mutationFields((t) => ({
  createTicketType: t.withAuth(settingsWrite).field({
    type: TicketTypePayload,
    description: 'Create a ticket type (工单类型), optionally with its field template and assignment settings.',
    args: {
      input: t.arg({
        type: builder.inputType('CreateTicketTypeInput', {
          fields: (f) => ({
            name: f.string({ ...text(LIMITS.ticketType.name, { checked: true }) }),
            description: f.string({ required: false, ...text(LIMITS.ticketType.description, { checked: true }) }),
            active: f.boolean({ required: false }),
            defaultPriority: f.field({ type: PriorityEnum, required: false }),
            autoCloseAfterSeconds: f.int({ required: false }),
            fields: f.field({ type: [FieldDefinitionInput], required: false, ...list(LIMITS.template.fields, { checked: true }) }),
            assignment: f.field({ type: AssignmentSettingsInput, required: false }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: SETTINGS_ERRORS, union: { name: 'CreateTicketTypeResult' } },
    resolve: async (_root, { input }, ctx) => ({
      ticketType: await ctx.services.ticketTypes.create({
        name: input.name,
        description: input.description ?? null,
        ...(input.active != null && { active: input.active }),
        ...(input.defaultPriority && { defaultPriority: input.defaultPriority }),
        ...(input.autoCloseAfterSeconds !== undefined && { autoCloseAfterSeconds: input.autoCloseAfterSeconds }),
        fields: (input.fields ?? []).map(toDefinition),
        ...(input.assignment && { assignment: toAssignment(input.assignment) }),
      }),
    }),
  }),
  updateTicketType: t.withAuth(settingsWrite).field({
    type: TicketTypePayload,
    description: 'Change name, description, active flag, default priority or auto-close delay.',
    args: {
      input: t.arg({
        type: builder.inputType('UpdateTicketTypeInput', {
          fields: (f) => ({
            id: f.globalID({ for: TicketTypeRef }),
            expectedVersion: f.int({ required: false }),
            name: f.string({ required: false, ...text(LIMITS.ticketType.name, { checked: true }) }),
            description: f.string({ required: false, ...text(LIMITS.ticketType.description, { checked: true }) }),
            active: f.boolean({ required: false }),
            defaultPriority: f.field({ type: PriorityEnum, required: false }),
            autoCloseAfterSeconds: f.int({ required: false, description: 'Set null explicitly to never auto-close.' }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: SETTINGS_ERRORS, union: { name: 'UpdateTicketTypeResult' } },
    resolve: async (_root, { input }, ctx) => {
      const { id, expectedVersion, autoCloseAfterSeconds, description, ...rest } = input;
      return {
        ticketType: await ctx.services.ticketTypes.update(id.id, expectedVersion, {
          ...stripNulls(rest),
          // For these two, an explicit null means "clear"; absent means "keep".
          ...(description !== undefined && { description }),
          ...(autoCloseAfterSeconds !== undefined && { autoCloseAfterSeconds }),
        }),
      };
    },
  }),
  setTicketTypeFields: t.withAuth(settingsWrite).field({
    type: TicketTypePayload,
    description:
      'Replace the field template. The list order is the layout; fields left out are archived (old tickets keep their values).',
    args: {
      input: t.arg({
        type: builder.inputType('SetTicketTypeFieldsInput', {
          fields: (f) => ({
            typeId: f.globalID({ for: TicketTypeRef }),
            expectedVersion: f.int({ required: false }),
            fields: f.field({ type: [FieldDefinitionInput], ...list(LIMITS.template.fields, { checked: true }) }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: SETTINGS_ERRORS, union: { name: 'SetTicketTypeFieldsResult' } },
    resolve: async (_root, { input }, ctx) => ({
      ticketType: await ctx.services.ticketTypes.setFields(input.typeId.id, input.expectedVersion, input.fields.map(toDefinition)),
    }),
  }),
  updateTicketTypeAssignment: t.withAuth(settingsWrite).field({
    type: TicketTypePayload,
    description: 'Set assignment modes, confirmation and timeout, eligible agents/teams and assist teams.',
    args: {
      input: t.arg({
        type: builder.inputType('UpdateTicketTypeAssignmentInput', {
          fields: (f) => ({
            typeId: f.globalID({ for: TicketTypeRef }),
            expectedVersion: f.int({ required: false }),
            assignment: f.field({ type: AssignmentSettingsInput }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: SETTINGS_ERRORS, union: { name: 'UpdateTicketTypeAssignmentResult' } },
    resolve: async (_root, { input }, ctx) => ({
      ticketType: await ctx.services.ticketTypes.setAssignment(input.typeId.id, input.expectedVersion, toAssignment(input.assignment)),
    }),
  }),
}));
