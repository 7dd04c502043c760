// 共享人: the agent who handed a ticket over stays on it as a sharer, and a sharer only
// views the ticket (seed 000 §6.3, "仅可查看工单"): no public reply to the customer, no
// internal note — until they hold the ticket again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, mutate, uidOf } from '../support/tickets.ts';

let t: TestApp;
let manager: { user: { id: string }; token: string };
beforeAll(async () => {
  t = await startTestApp();
  manager = await actor(t.db.prisma, 'MANAGER');
});
afterAll(() => t.close());
const p = () => t.db.prisma;

type Action = { command: string; allowed: boolean; reason: string | null };
async function commentAction(ticketId: string, token: string): Promise<Action> {
  const r = await t.gql<{ ticket: { actions: Action[]; viewerRelations: string[] } }>(
    'query ($id: ID!) { ticket(id: $id) { viewerRelations actions { command allowed reason } } }',
    { id: ticketId },
    token,
  );
  expect(r.errors).toBeUndefined();
  return r.data!.ticket.actions.find((a) => a.command === 'COMMENT')!;
}

/** A ticket agent a grabbed and handed over to agent b, who accepted: a is now a sharer. */
async function handedOver() {
  const [a, b] = await Promise.all([actor(p(), 'AGENT'), actor(p(), 'AGENT')]);
  const type = await makeType(p());
  const c = await createTicket(t, manager.token, type.id);
  await mutate(t, 'grabTicket', { ticketId: c.gid }, a.token);
  const req = await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(b.user.id), reason: '换班' }, a.token, 'handover { id }');
  const acc = await mutate(t, 'acceptHandover', { handoverId: (req.handover as { id: string }).id }, b.token);
  expect(acc.ticket).toMatchObject({ assignee: { id: uidOf(b.user.id) }, sharers: [{ id: uidOf(a.user.id) }] });
  return { a, b, c };
}

describe('a sharer (the agent who handed the ticket over)', () => {
  it('cannot reply to the customer or add an internal note, and actions says so', async () => {
    const { a, b, c } = await handedOver();
    const comments = await p().comment.count({ where: { ticketId: c.id } });
    for (const visibility of ['PUBLIC', 'INTERNAL']) {
      const r = await mutate(t, 'addComment', { ticketId: c.gid, body: '我还想补充一句', visibility }, a.token);
      expect(r).toMatchObject({ __typename: 'NotAllowed', reason: 'Sharers can only view this ticket' });
    }
    expect(await p().comment.count({ where: { ticketId: c.id } })).toBe(comments);
    expect(await commentAction(c.gid, a.token)).toEqual({ command: 'COMMENT', allowed: false, reason: 'Sharers can only view this ticket' });

    // The new assignee replies as before; the sharer still reads the ticket and its conversation.
    expect((await mutate(t, 'addComment', { ticketId: c.gid, body: '您好，我接手了', visibility: 'PUBLIC' }, b.token)).__typename).toBe('AddCommentPayload');
    expect(await commentAction(c.gid, b.token)).toMatchObject({ allowed: true });
    const read = await t.gql<{ ticket: { comments: { edges: unknown[] } } | null }>('query ($id: ID!) { ticket(id: $id) { comments { edges { node { id } } } } }', { id: c.gid }, a.token);
    expect(read.data?.ticket?.comments.edges).toHaveLength(comments + 1);
  });

  it('writes again once the ticket is theirs again; a manager who shares a ticket is not read-only', async () => {
    const { a, b, c } = await handedOver();
    const back = await mutate(t, 'requestHandover', { ticketId: c.gid, toUserId: uidOf(a.user.id), reason: '还给你' }, b.token, 'handover { id }');
    await mutate(t, 'acceptHandover', { handoverId: (back.handover as { id: string }).id }, a.token);
    expect((await mutate(t, 'addComment', { ticketId: c.gid, body: '我回来了', visibility: 'PUBLIC' }, a.token)).__typename).toBe('AddCommentPayload');
    // b handed it back and is the read-only one now.
    expect(await commentAction(c.gid, b.token)).toMatchObject({ allowed: false });

    await p().ticketSharer.create({ data: { ticketId: c.id, userId: manager.user.id, reason: 'HANDOVER' } });
    expect(await commentAction(c.gid, manager.token)).toMatchObject({ allowed: true });
  });
});
