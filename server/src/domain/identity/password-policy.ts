// What a new password must be: long enough, not the person's email or name, and not
// one that guessing tools try early. "Early" is zxcvbn's estimate (@zxcvbn-ts with its
// common-password, diceware and English dictionaries, keyboard patterns, sequences,
// repeats, dates and l33t spellings): a score of at least 3, about 10^8 guesses. Not
// reusing the previous password needs its hash and is checked by the services.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { LIMITS } from '../limits.ts';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = LIMITS.user.password;
/** zxcvbn scores 0–4; 3 is "safely unguessable" online and slow to find offline against argon2. */
export const PASSWORD_MIN_SCORE = 3;

export interface PasswordOwner {
  email: string;
  name: string;
}

// Loading the dictionaries takes about half a second and 40 MB: only when a password is set.
let estimator: ZxcvbnFactory | undefined;
function strength(password: string, userInputs: string[]): number {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return estimator.check(password, userInputs).score;
}

const compact = (s: string) => s.toLowerCase().replace(/\s+/g, '');

/** Why `password` may not be `owner`'s new password, or null when it may. */
export function passwordProblem(password: string, owner: PasswordOwner): string | null {
  if (password.length < PASSWORD_MIN) return `at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `at most ${PASSWORD_MAX} characters`;
  const pw = compact(password);
  const email = compact(owner.email);
  if (pw === email) return 'must not be the email address';
  const local = email.split('@')[0] ?? '';
  if (local.length >= 4 && pw.includes(local)) return 'must not contain the email address';
  const name = compact(owner.name);
  const parts = owner.name.toLowerCase().split(/\s+/).filter((p) => p.length >= 3);
  if ((name.length >= 2 && pw.includes(name)) || parts.some((p) => pw.includes(p))) return 'must not contain the name';
  if (strength(password, [owner.email, local, owner.name, ...parts, 'gongdan']) < PASSWORD_MIN_SCORE) {
    return 'is too common or too easy to guess';
  }
  return null;
}
