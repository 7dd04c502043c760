// Failed logins as admins see them (User.loginLock) and lift them (unlockUser). The
// counters live in the rate-limiter store, not the database (services/auth/login-throttle.ts).
import { NotFound } from '../../domain/errors.ts';
import { builder } from '../builder.ts';
import { UserPayload, UserRef } from './user.ts';

const LoginLockRef = builder.simpleObject('LoginLock', {
  description: 'Failed logins of a user since their last successful login (or unlock), and the wait they impose.',
  fields: (t) => ({
    failures: t.int({ description: 'Consecutive failed password checks (logins and changePassword).' }),
    lockedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Until when logins answer LoginThrottled without checking the password: a back-off, or a lock after LOGIN_LOCK_FAILURES failures. Null when none is in force.',
    }),
  }),
});

builder.objectField(UserRef, 'loginLock', (t) =>
  t.field({
    type: LoginLockRef,
    nullable: true,
    description: 'Failed logins and any wait in force; null when there are none. Admins only (null for everyone else).',
    authScopes: { $all: { admin: true, scope: 'settings:read' } },
    unauthorizedResolver: () => null,
    resolve: (user, _args, ctx) => ctx.services.auth.loginLock(user),
  }),
);

builder.mutationFields((t) => ({
  unlockUser: t.withAuth({ $all: { admin: true, scope: 'settings:write' } }).field({
    type: UserPayload,
    description: 'Forget a user\'s failed logins and lift their wait or lock, so they can log in at once. Admins only.',
    args: {
      input: t.arg({
        type: builder.inputType('UnlockUserInput', { fields: (f) => ({ id: f.globalID({ for: UserRef }) }) }),
        required: true,
      }),
    },
    errors: { types: [NotFound], union: { name: 'UnlockUserResult' } },
    resolve: async (_root, { input }, ctx) => ({ user: await ctx.services.auth.unlockUser(input.id.id) }),
  }),
}));
