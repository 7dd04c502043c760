// Authentication and authorization failures are GraphQL errors (not result union
// members) because they apply to any field, queries included. They carry a stable
// `extensions.code` so clients can tell "log in again" from "you may not".
import { GraphQLError } from 'graphql';
import type { AuthFailure } from '../domain/identity/viewer.ts';

const REASON_TEXT: Record<AuthFailure, string> = {
  INVALID: 'The token is not valid',
  EXPIRED: 'The session or token has expired',
  REVOKED: 'The session or token has been revoked',
  INACTIVE_USER: 'The user is deactivated',
};

export class UnauthenticatedError extends GraphQLError {
  constructor(reason: AuthFailure | null) {
    super(reason ? `Not authenticated: ${REASON_TEXT[reason]}` : 'Not authenticated: log in or send a token', {
      extensions: { code: 'UNAUTHENTICATED', ...(reason && { reason }) },
    });
  }
}

export class ForbiddenError extends GraphQLError {
  constructor(message = 'Not allowed') {
    super(message, { extensions: { code: 'FORBIDDEN' } });
  }
}
