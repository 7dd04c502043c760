// Translating the database's answers that are part of normal operation (a unique
// key already taken) into domain errors, so they never surface as server errors.

interface PrismaKnownError {
  code: string;
  meta?: { target?: unknown; modelName?: string; driverAdapterError?: { cause?: { constraint?: { fields?: string[] } } } };
}

function asKnown(e: unknown): PrismaKnownError | null {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string'
    ? (e as PrismaKnownError)
    : null;
}

/** True when `e` is a unique-constraint violation (optionally on a column named `field`). */
export function isUniqueViolation(e: unknown, field?: string): boolean {
  const k = asKnown(e);
  if (!k || k.code !== 'P2002') return false;
  if (!field) return true;
  const target = k.meta?.target ?? k.meta?.driverAdapterError?.cause?.constraint?.fields;
  if (Array.isArray(target)) return target.some((t) => String(t).replaceAll('"', '') === field);
  if (typeof target === 'string') return target.includes(field);
  // Driver adapters do not always report the columns; the caller asked about one
  // specific constraint and this is a unique violation, so it is the likely one.
  return true;
}

/** True when a referenced row does not exist (foreign key) or a required row vanished. */
export function isMissingReference(e: unknown): boolean {
  const k = asKnown(e);
  return !!k && (k.code === 'P2003' || k.code === 'P2025');
}
