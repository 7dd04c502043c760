// Builders and a mutation helper for ticket tests.
import { getNamedType, isUnionType } from 'graphql';
import type { PrismaClient } from '../../src/infra/db/generated/client.ts';
import { schema } from '../../src/graphql/schema.ts';
import { globalId, uid } from './builders.ts';
import type { TestApp } from './test-app.ts';

export interface TypeOptions {
  modes?: ('AUTO' | 'MANAGER' | 'GRAB')[];
  /** Both confirmation switches at once; the two below override it. */
  requireAcceptance?: boolean;
  acceptAfterAutoDispatch?: boolean;
  acceptAfterManagerDispatch?: boolean;
  acceptTimeoutSeconds?: number;
  agentIds?: string[];
  assistTeamIds?: string[];
  autoCloseAfterSeconds?: number | null;
  fields?: { key: string; label?: string; kind: string; required?: boolean; customerVisible?: boolean; editableAfterSubmit?: boolean; editableBy?: ('CREATOR' | 'ASSIGNEE' | 'MANAGER')[]; options?: { value: string; label: string }[] }[];
}

export async function makeType(prisma: PrismaClient, o: TypeOptions = {}) {
  return prisma.ticketType.create({
    data: {
      name: `类型-${uid()}`,
      assignmentModes: o.modes ?? ['GRAB', 'MANAGER'],
      acceptAfterAutoDispatch: o.acceptAfterAutoDispatch ?? o.requireAcceptance ?? false,
      acceptAfterManagerDispatch: o.acceptAfterManagerDispatch ?? o.requireAcceptance ?? false,
      acceptTimeoutSeconds: o.acceptTimeoutSeconds ?? 600,
      autoCloseAfterSeconds: o.autoCloseAfterSeconds === undefined ? 3600 : o.autoCloseAfterSeconds,
      eligibleAgents: o.agentIds ? { create: o.agentIds.map((userId) => ({ userId })) } : undefined,
      assistTeams: o.assistTeamIds ? { create: o.assistTeamIds.map((teamId) => ({ teamId })) } : undefined,
      fields: o.fields
        ? {
            create: o.fields.map((f, position) => ({
              key: f.key,
              label: f.label ?? f.key,
              kind: f.kind as never,
              required: f.required ?? false,
              customerVisible: f.customerVisible ?? true,
              editableAfterSubmit: f.editableAfterSubmit ?? false,
              editableBy: f.editableBy ?? [],
              options: f.options,
              position,
            })),
          }
        : undefined,
    },
  });
}

const ERROR_DETAILS: Record<string, string> = {
  NotAllowed: 'reason',
  NotEligible: 'reason',
  InvalidTransition: 'from command',
  StaleWrite: 'currentVersion',
  ValidationFailed: 'fieldErrors { field message }',
  TicketAlreadyTaken: 'takenBy { id name } takenAt',
};

/** Fragments for the failures a mutation's result union actually has (GraphQL rejects others). */
function resultFields(name: string): string {
  const field = schema.getMutationType()!.getFields()[name];
  if (!field) throw new Error(`no mutation ${name}`);
  const union = getNamedType(field.type);
  if (!isUnionType(union)) throw new Error(`${name} does not return a union`);
  const members = union.getTypes().map((t) => t.name);
  return ['__typename', '... on Error { code message }', ...members.filter((m) => ERROR_DETAILS[m]).map((m) => `... on ${m} { ${ERROR_DETAILS[m]} }`)].join('\n');
}

export const TICKET_FIELDS = /* GraphQL */ `id number status version title assignee { id } owner { id } sharers { id } resolvedAt acceptedAt firstRespondedAt`;

export interface TicketView {
  id: string;
  number: string;
  status: string;
  version: number;
  title: string;
  assignee: { id: string } | null;
  owner: { id: string } | null;
  sharers: { id: string }[];
  resolvedAt: string | null;
  acceptedAt: string | null;
  firstRespondedAt: string | null;
}

export interface MutationResult {
  __typename: string;
  code?: string;
  message?: string;
  reason?: string;
  from?: string;
  command?: string;
  currentVersion?: number;
  fieldErrors?: { field: string; message: string }[];
  takenBy?: { id: string; name: string } | null;
  ticket?: TicketView;
  [k: string]: unknown;
}

/** Runs `name(input: $input)` and returns its result union member, with the ticket if any. */
export async function mutate(t: TestApp, name: string, input: Record<string, unknown>, token: string, extra = ''): Promise<MutationResult> {
  const inputType = `${name[0]!.toUpperCase()}${name.slice(1)}Input`;
  const withTicket = ['addComment', 'requestHandover', 'requestAssist', 'dispatchAssist', 'completeAssist', 'forwardAssist', 'createTicket'].includes(name)
    ? `... on ${payloadName(name)} { ticket { ${TICKET_FIELDS} } ${extra} }`
    : `... on TicketPayload { ticket { ${TICKET_FIELDS} } ${extra} }`;
  const r = await t.gql<Record<string, MutationResult>>(`mutation ($input: ${inputType}!) { ${name}(input: $input) { ${resultFields(name)} ${withTicket} } }`, { input }, token);
  if (r.errors?.length) throw new Error(`${name}: ${JSON.stringify(r.errors)}`);
  return r.data![name]!;
}

function payloadName(name: string) {
  if (name === 'addComment') return 'AddCommentPayload';
  if (name === 'requestHandover') return 'HandoverPayload';
  if (name === 'createTicket') return 'CreateTicketPayload';
  return 'AssistPayload';
}

export const tid = (id: string) => globalId('Ticket', id);
export const uidOf = (id: string) => globalId('User', id);
export const rawId = (gid: string) => Buffer.from(gid, 'base64').toString().split(':')[1]!;

/** Creates a ticket through the API and returns its raw id. */
export async function createTicket(t: TestApp, token: string, typeId: string, input: Record<string, unknown> = {}): Promise<{ id: string; gid: string; view: TicketView }> {
  const r = await mutate(t, 'createTicket', { typeId: globalId('TicketType', typeId), title: `问题 ${uid()}`, replyMethod: 'IM', ...input }, token);
  if (r.__typename !== 'CreateTicketPayload') throw new Error(`createTicket: ${JSON.stringify(r)}`);
  return { id: rawId(r.ticket!.id), gid: r.ticket!.id, view: r.ticket! };
}

export async function eventKinds(prisma: PrismaClient, ticketId: string): Promise<string[]> {
  return (await prisma.timelineEvent.findMany({ where: { ticketId }, orderBy: { seq: 'asc' }, select: { kind: true } })).map((e) => e.kind);
}
