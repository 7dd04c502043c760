// Who is asking. Built once per request (or websocket connection) from a session or
// an API token; every authorization decision reads it.

export const ROLES = ['CUSTOMER', 'AGENT', 'MANAGER', 'STAFF', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What an API token may be used for. Sessions of people carry every scope and are
 * limited by their role alone; a token is limited by both its user's role and these.
 */
export const API_SCOPES = ['tickets:read', 'tickets:write', 'settings:read', 'settings:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface Viewer {
  userId: string;
  role: Role;
  name: string;
  email: string;
  via: 'session' | 'apiToken';
  /** Session or API token id, so logout and revocation can find it. */
  credentialId: string;
  scopes: ReadonlySet<ApiScope>;
}

export const isInternal = (role: Role) => role !== 'CUSTOMER';
export const isManager = (role: Role) => role === 'MANAGER' || role === 'ADMIN';
/** Roles that serve tickets: they can be assignees. */
export const isServiceRole = (role: Role) => role === 'AGENT' || role === 'MANAGER' || role === 'ADMIN';

export const hasScope = (viewer: Viewer, scope: ApiScope) => viewer.scopes.has(scope);

/** Why a presented credential did not authenticate; shown to the caller as a typed reason. */
export type AuthFailure = 'INVALID' | 'EXPIRED' | 'REVOKED' | 'INACTIVE_USER';
