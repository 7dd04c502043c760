// Every bound on the text and lists people and integrators send, in one table. The
// GraphQL schema states each one in its field's description (and checks it where no
// service does); the services check it and answer ValidationFailed. Both read it here,
// so what the SDL documents is what is enforced (test/api/input-limits.test.ts sends the
// maximum and one more for every documented limit).
//
// Lists whose items are enum values are bounded by the number of values (each once) and
// take their bound from the enum, not from here.

export const LIMITS = {
  ticket: {
    title: 200,
    description: 20_000,
    tags: 20,
    tag: 30,
    idempotencyKey: 200,
    replyAddress: 254,
    fieldValues: 100,
    resolution: 20_000,
    /** Reopening or closing. */
    reason: 2000,
    /** A number as typed: T-000123. */
    number: 20,
  },
  fieldValue: { key: 100, json: 100_000 },
  comment: { body: 20_000, mentions: 20, attachments: 20 },
  attachment: { fileName: 255, contentType: 100, storageKey: 500 },
  rating: { comment: 2000 },
  offer: { declineNote: 2000 },
  handover: { reason: 1000, note: 1000 },
  assist: { note: 2000, reply: 10_000 },
  reassign: { reason: 1000 },
  filter: { search: 200, typeIds: 50, tags: 20, tag: 30 },
  ticketType: { name: 40, description: 2000 },
  template: { fields: 50, key: 40, label: 60, description: 500, options: 200, optionValue: 60, optionLabel: 100 },
  assignment: { eligibleAgents: 1000, eligibleTeams: 100, assistTeams: 100 },
  team: { name: 40, description: 500, members: 500 },
  user: { email: 254, name: 60, password: 200, skills: 30, skill: 30, search: 100 },
  organization: { name: 100, notes: 2000, search: 100 },
  contact: { name: 60, email: 254, phone: 20, search: 100 },
  apiToken: { name: 100 },
  notifications: { ids: 500 },
} as const;

/** Length as the limits count it: characters (Unicode code points), not UTF-16 units or bytes. */
export function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
