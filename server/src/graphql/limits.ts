// Input limits in the schema, from the one table in domain/limits.ts. Each limited field
// says "At most N characters." (or items) in its description. Where a service checks the
// limit (`checked`), the schema only documents it, so going over it is the mutation's
// typed ValidationFailed naming the field; elsewhere the schema checks it before the
// resolver runs (a VALIDATION_FAILED error naming the field). Lengths are counted in
// characters (charCount), after trimming, as the services count them.
import { z } from 'zod';
import { charCount } from '../domain/limits.ts';

const join = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(' ');
const within = (max: number, trim: boolean) => (s: string) => charCount(trim ? s.trim() : s) <= max;

export const textLimit = (max: number) => `At most ${max} characters.`;
export const listLimit = (max: number, itemMax?: number) => (itemMax === undefined ? `At most ${max} items.` : `At most ${max} items, each at most ${itemMax} characters.`);

interface Opts {
  description?: string;
  /** A service checks the limit: the schema only documents it. */
  checked?: boolean;
}

/** A limited string. `trim: false` for secrets, which are used exactly as sent. */
export function text(max: number, opts: Opts & { trim?: boolean } = {}) {
  const description = join(opts.description, textLimit(max));
  if (opts.checked) return { description };
  return { description, validate: z.string().refine(within(max, opts.trim ?? true), `at most ${max} characters`) };
}

/** A limited list, its items optionally limited strings. */
export function list(max: number, opts: Opts & { itemMax?: number } = {}) {
  const description = join(opts.description, listLimit(max, opts.itemMax));
  if (opts.checked) return { description };
  const item = opts.itemMax === undefined ? z.unknown() : z.string().refine(within(opts.itemMax, true), `at most ${opts.itemMax} characters`);
  return { description, validate: z.array(item).max(max, `at most ${max} items`) };
}

/** A list of enum values: each value at most once, so as many as the enum has. */
export function enumList(values: readonly string[], opts: Opts = {}) {
  return list(values.length, opts);
}
