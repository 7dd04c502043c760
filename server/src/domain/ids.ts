// Ids are UUIDs. Anything else cannot name a record, so it is "not found" before it
// reaches a query (where PostgreSQL would reject it as malformed).
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID_RE.test(s);
