// Expected failures of domain operations. Services throw them; the GraphQL layer maps
// each class to a typed member of a mutation's result union, so a client can tell
// "somebody else took it" from "you may not" from "that is not a valid value".
// Anything not listed here is a bug and surfaces as a masked server error.

export abstract class DomainError extends Error {
  abstract readonly code: string;
}

/** The record does not exist, or the viewer may not know that it exists. */
export class NotFound extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(readonly entity: string) {
    super(`${entity} not found`);
  }
}

/** The viewer may see the record but not do this to it. */
export class NotAllowed extends DomainError {
  readonly code = 'NOT_ALLOWED';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The command does not apply in the ticket's current state. */
export class InvalidTransition extends DomainError {
  readonly code = 'INVALID_TRANSITION';
  constructor(
    readonly from: string,
    readonly command: string,
    detail?: string,
  ) {
    super(detail ?? `${command} is not possible while the ticket is ${from}`);
  }
}

export interface FieldError {
  /** Dotted path of the offending input, e.g. `fields.2.options` or `fieldValues.order_no`. */
  field: string;
  message: string;
}

export class ValidationFailed extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly fieldErrors: FieldError[]) {
    super(
      fieldErrors.length === 1
        ? `${fieldErrors[0]!.field}: ${fieldErrors[0]!.message}`
        : `${fieldErrors.length} fields are invalid`,
    );
  }

  static one(field: string, message: string): ValidationFailed {
    return new ValidationFailed([{ field, message }]);
  }
}

/** The caller's expectedVersion is behind the stored one: nothing was changed. */
export class StaleWrite extends DomainError {
  readonly code = 'STALE_WRITE';
  constructor(readonly currentVersion: number) {
    super(`The record changed meanwhile (now at version ${currentVersion}); reload and retry`);
  }
}

/** Lost a grab (or a dispatch) race: somebody else is already the assignee. */
export class TicketAlreadyTaken extends DomainError {
  readonly code = 'TICKET_ALREADY_TAKEN';
  constructor(
    readonly takenBy: { id: string; name: string } | null,
    readonly takenAt: Date | null,
  ) {
    super(takenBy ? `Already taken by ${takenBy.name}` : 'Already taken');
  }
}

/** The chosen agent (or the caller) is not eligible for this ticket type. */
export class NotEligible extends DomainError {
  readonly code = 'NOT_ELIGIBLE';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Wrong email or password; deliberately does not say which. */
export class InvalidCredentials extends DomainError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('Email or password is incorrect');
  }
}

/**
 * Too many failed logins for the account or from the client's address: the attempt was
 * refused without checking the password. Unknown emails are throttled the same way.
 */
export class LoginThrottled extends DomainError {
  readonly code = 'LOGIN_THROTTLED';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed logins. Retry in ${retryAfterSeconds} s.`);
  }
}
