import { InvalidCredentials, LoginThrottled } from '../../domain/errors.ts';
import { builder } from '../builder.ts';
import { text } from '../limits.ts';
import { LIMITS } from '../../domain/limits.ts';
import { PASSWORD_ATTEMPT } from '../operation-limits.ts';
import { PUBLIC_FIELD } from '../scope-rules.ts';
import { UserRef } from './user.ts';

const LoginInput = builder.inputType('LoginInput', {
  fields: (t) => ({
    email: t.string({ ...text(LIMITS.user.email) }),
    password: t.string({ ...text(LIMITS.user.password, { trim: false }) }),
  }),
});

const LoginPayload = builder.simpleObject('LoginPayload', {
  description: 'A new session. Send the token as `Authorization: Bearer <token>`, or in graphql-ws `connectionParams.authorization`.',
  fields: (t) => ({
    token: t.string({ description: 'The session token. Shown once; store it like a password.' }),
    expiresAt: t.field({ type: 'DateTime' }),
    user: t.field({ type: UserRef }),
  }),
});

builder.mutationFields((t) => ({
  login: t.field({
    type: LoginPayload,
    description:
      'Exchange email and password for a session token. One per operation (a validation error, TOO_MANY_PASSWORD_ATTEMPTS, otherwise); failed logins are counted per account and per client address, and past a few of them the next attempt waits (LoginThrottled).',
    args: { input: t.arg({ type: LoginInput, required: true }) },
    extensions: { ...PUBLIC_FIELD, ...PASSWORD_ATTEMPT },
    errors: { types: [InvalidCredentials, LoginThrottled], union: { name: 'LoginResult' } },
    resolve: async (_root, { input }, ctx) => {
      const { token, session, user } = await ctx.services.auth.login(input.email, input.password, { address: ctx.clientAddress, userAgent: ctx.userAgent });
      return { token, expiresAt: session.expiresAt, user };
    },
  }),
  // A mutation like any other: a token with read scopes only calls none.
  logout: t.withAuth({ $all: { authenticated: true, scope: ['tickets:write', 'settings:write'] } }).boolean({
    description: 'Ends the current session. Returns false for API tokens (admins revoke those).',
    resolve: (_root, _args, ctx) => ctx.services.auth.logout(ctx.viewer),
  }),
}));
