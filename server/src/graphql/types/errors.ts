// The typed failures of mutations. Each domain error class becomes an object type
// implementing `Error`, so a client can always ask `... on Error { message }` and
// ask for details where it cares.
import {
  InvalidCredentials,
  InvalidTransition,
  LoginThrottled,
  NotAllowed,
  NotEligible,
  NotFound,
  StaleWrite,
  TicketAlreadyTaken,
  ValidationFailed,
  type DomainError,
  type FieldError,
} from '../../domain/errors.ts';
import { builder } from '../builder.ts';

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure of a mutation. Nothing was changed.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'Human-readable explanation, in English.' }),
    code: t.exposeString('code', { description: 'Stable machine-readable code, e.g. NOT_FOUND.' }),
  }),
});

builder.objectType(NotFound, {
  name: 'NotFound',
  description: 'The record does not exist, or you may not see it.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotFound,
  fields: (t) => ({ entity: t.exposeString('entity', { description: 'What was looked for, e.g. Ticket.' }) }),
});

builder.objectType(NotAllowed, {
  name: 'NotAllowed',
  description: 'You may see the record but not do this.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotAllowed,
  fields: (t) => ({ reason: t.exposeString('reason') }),
});

builder.objectType(InvalidTransition, {
  name: 'InvalidTransition',
  description: 'The command does not apply in the current status.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof InvalidTransition,
  fields: (t) => ({
    from: t.exposeString('from', { description: 'The status the ticket is in.' }),
    command: t.exposeString('command', { description: 'The command that was refused.' }),
  }),
});

const FieldErrorRef = builder.objectRef<FieldError>('FieldError').implement({
  description: 'One invalid input field.',
  fields: (t) => ({
    field: t.exposeString('field', {
      description: 'Dotted path of the input, e.g. `title`, `fields.2.options`, `fieldValues.order_no`.',
    }),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationFailed, {
  name: 'ValidationFailed',
  description: 'Some input is invalid; every problem is listed against its field.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ValidationFailed,
  fields: (t) => ({ fieldErrors: t.field({ type: [FieldErrorRef], resolve: (e) => e.fieldErrors }) }),
});

builder.objectType(StaleWrite, {
  name: 'StaleWrite',
  description: 'The record changed since you read it (expectedVersion did not match).',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof StaleWrite,
  fields: (t) => ({ currentVersion: t.exposeInt('currentVersion') }),
});

builder.objectType(TicketAlreadyTaken, {
  name: 'TicketAlreadyTaken',
  description: 'Another agent took the ticket first.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof TicketAlreadyTaken,
  fields: (t) => ({
    takenBy: t.prismaField({
      type: 'User',
      nullable: true,
      description: 'The agent who has the ticket now.',
      resolve: (query, e, _args, ctx) =>
        e.takenBy ? ctx.prisma.user.findUnique({ ...query, where: { id: e.takenBy.id } }) : null,
    }),
    takenAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.takenAt }),
  }),
});

builder.objectType(NotEligible, {
  name: 'NotEligible',
  description: 'The agent is not eligible for this ticket type (or not available).',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotEligible,
  fields: (t) => ({ reason: t.exposeString('reason') }),
});

builder.objectType(InvalidCredentials, {
  name: 'InvalidCredentials',
  description: 'Email or password is wrong (deliberately not saying which).',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof InvalidCredentials,
  fields: () => ({}),
});

builder.objectType(LoginThrottled, {
  name: 'LoginThrottled',
  description:
    'Too many failed logins for this account or from this address: the password was not checked. Retry after the wait; it grows with every further failure, up to a temporary lock an admin can lift (`unlockUser`).',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof LoginThrottled,
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds', { description: 'Seconds until the next attempt is checked.' }) }),
});

/** The failures every settings mutation can return. */
export const SETTINGS_ERRORS = [NotFound, NotAllowed, ValidationFailed, StaleWrite];
