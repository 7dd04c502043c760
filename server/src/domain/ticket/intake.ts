// 客户提单: what a customer decides about a ticket they file, and what stays with the
// service side. A customer files in the portal (or through a token acting as them); the
// other channels are intake the service side records — a phone call an agent logs, an
// email or chat gateway, an integration. A customer states how urgent it is on a
// three-step scale (seed 002's 普通/紧急/特急: NORMAL, HIGH, URGENT, shown as 中, 高, 紧急);
// LOW is the service side's triage of suggestions and wishes. Progress and the resolution go to the customer's own
// addresses only: an address of someone else would send them the ticket.
import type { FieldError } from '../errors.ts';

export type Priority = 'URGENT' | 'HIGH' | 'NORMAL' | 'LOW';
export type Channel = 'WEB' | 'PORTAL' | 'EMAIL' | 'CHAT' | 'PHONE' | 'API' | 'OFFLINE_MESSAGE';
export type ReplyMethod = 'SMS' | 'EMAIL' | 'IM';

/** The channels a customer's ticket may name. */
export const CUSTOMER_CHANNELS: readonly Channel[] = ['PORTAL'];
/** The priorities the portal offers (中, 高, 紧急). Not given = the type's default. */
export const CUSTOMER_PRIORITIES: readonly Priority[] = ['NORMAL', 'HIGH', 'URGENT'];

/** Where a customer can be reached: their contact's and their login's addresses. */
export interface CustomerAddresses {
  emails: readonly (string | null | undefined)[];
  phones: readonly (string | null | undefined)[];
}

const normalEmail = (s: string) => s.trim().toLowerCase();
/** Phone numbers as people type them: spaces, dashes and brackets do not count. */
const normalPhone = (s: string) => s.replace(/[\s\-()]/g, '');

/** Whether `address` is one of the customer's own for `method` (IM replies need none). */
export function isOwnAddress(method: ReplyMethod, address: string, own: CustomerAddresses): boolean {
  if (method === 'EMAIL') return own.emails.some((e) => !!e && normalEmail(e) === normalEmail(address));
  if (method === 'SMS') return own.phones.some((p) => !!p && normalPhone(p) === normalPhone(address));
  return false;
}

/**
 * What a customer may not choose when filing a ticket, as field errors (empty: fine).
 * `replyAddress` is the address the ticket would use, defaults filled in.
 */
export function customerIntakeErrors(
  input: { channel?: Channel | null; priority?: Priority | null; replyMethod: ReplyMethod; replyAddress: string | null },
  own: CustomerAddresses,
): FieldError[] {
  const errors: FieldError[] = [];
  if (input.channel && !CUSTOMER_CHANNELS.includes(input.channel)) {
    errors.push({ field: 'channel', message: `customers file tickets through ${CUSTOMER_CHANNELS.join(', ')}` });
  }
  if (input.priority && !CUSTOMER_PRIORITIES.includes(input.priority)) {
    errors.push({ field: 'priority', message: `customers choose ${CUSTOMER_PRIORITIES.join(', ')}; leave it out for the type's default` });
  }
  if (input.replyAddress) {
    if (input.replyMethod === 'IM') errors.push({ field: 'replyAddress', message: 'in-app replies reach your own account; leave the address out' });
    else if (!isOwnAddress(input.replyMethod, input.replyAddress, own)) {
      errors.push({ field: 'replyAddress', message: `must be one of your own ${input.replyMethod === 'EMAIL' ? 'email addresses' : 'phone numbers'}` });
    }
  }
  return errors;
}
