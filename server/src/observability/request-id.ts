// Request ids: a caller's `x-request-id` is kept when it looks like an id (so a proxy's or
// client's id follows the request through our logs), otherwise one is generated. It is
// echoed in the response header and is the GraphQL context's `requestId`.
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's id if acceptable, else a new one. */
export function requestIdFrom(header: string | string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && ACCEPTABLE.test(value) ? value : randomUUID();
}
