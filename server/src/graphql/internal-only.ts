// Fields customers may not read. They answer null for them — an empty list for lists —
// never FORBIDDEN: an error on a non-null field would null the whole ticket, so a
// customer sharing a fragment with the board would lose the ticket itself. Every such
// field uses one of these (schema.test.ts checks).
export const internalOnly = { authScopes: { internal: true }, unauthorizedResolver: () => null } as const;
// `never`: plugin-prisma types this resolver of relation fields as its own shape, not a list.
export const internalOnlyList = { authScopes: { internal: true }, unauthorizedResolver: (): never => [] as never } as const;
