// Bearer tokens are 256 random bits with a readable prefix (gds_ session, gdt_ API
// token) so a leaked one is recognisable in logs and secret scanners. Only their
// SHA-256 is stored: with that much entropy a fast hash is enough, and lookups stay
// a single indexed equality match.
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_PREFIX = 'gds_';
export const API_TOKEN_PREFIX = 'gdt_';

export function newToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Accepts `Bearer <token>` (any case) or a bare token; returns null when absent. */
export function parseAuthorization(header: string | null | undefined): string | null {
  if (!header) return null;
  const trimmed = header.trim();
  const m = /^bearer\s+(\S+)$/i.exec(trimmed);
  if (m) return m[1]!;
  return /^\S+$/.test(trimmed) ? trimmed : null;
}
