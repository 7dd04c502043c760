// 二次确认 is two switches per ticket type (seed 000 §5 ②③): 自动派单后需人员确认接单
// and 管理员派单后需人员确认接单. Each decides alone whether its kind of dispatch waits
// in PENDING_ACCEPT for the agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId, makeUser } from '../support/builders.ts';
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

const SET = /* GraphQL */ `
  mutation ($input: UpdateTicketTypeAssignmentInput!) {
    updateTicketTypeAssignment(input: $input) {
      __typename
      ... on TicketTypePayload { ticketType { acceptAfterAutoDispatch acceptAfterManagerDispatch requireAcceptance } }
      ... on ValidationFailed { fieldErrors { field message } }
    }
  }
`;
type SetResult = {
  updateTicketTypeAssignment: {
    __typename: string;
    ticketType?: { acceptAfterAutoDispatch: boolean; acceptAfterManagerDispatch: boolean; requireAcceptance: boolean };
    fieldErrors?: { field: string }[];
  };
};

/** A type with AUTO and MANAGER dispatch and the two switches set through the API. */
async function typeWith(switches: Record<string, unknown>, agentIds: string[]) {
  const type = await makeType(p(), { modes: ['AUTO', 'MANAGER'] });
  const r = await t.gql<SetResult>(
    SET,
    { input: { typeId: globalId('TicketType', type.id), assignment: { modes: ['AUTO', 'MANAGER'], eligibleAgentIds: agentIds.map(uidOf), ...switches } } },
    manager.token,
  );
  expect(r.errors).toBeUndefined();
  return { type, result: r.data!.updateTicketTypeAssignment };
}

/** What auto dispatch does with a new ticket, and what a manager's dispatch of another does. */
async function outcomes(typeId: string, online: { id: string }, offline: { id: string }) {
  const auto = await createTicket(t, manager.token, typeId);
  // The only online agent is busy with an offer or a ticket now; the next ticket waits in the pool.
  await p().user.update({ where: { id: online.id }, data: { presence: 'OFFLINE' } });
  const pooled = await createTicket(t, manager.token, typeId);
  expect(pooled.view.status).toBe('NEW');
  const dispatched = await mutate(t, 'dispatchTicket', { ticketId: pooled.gid, agentId: uidOf(offline.id) }, manager.token);
  await p().user.update({ where: { id: online.id }, data: { presence: 'ONLINE' } });
  return { auto: auto.view.status, manager: dispatched.ticket!.status };
}

describe('the two confirmation switches', () => {
  it('after auto dispatch only: auto offers wait for the agent, a manager\'s dispatch assigns at once', async () => {
    const [online, offline] = [await makeUser(p(), 'AGENT', { presence: 'ONLINE' }), await makeUser(p(), 'AGENT', { presence: 'OFFLINE' })];
    const { type, result } = await typeWith({ acceptAfterAutoDispatch: true, acceptAfterManagerDispatch: false }, [online.id, offline.id]);
    expect(result.ticketType).toEqual({ acceptAfterAutoDispatch: true, acceptAfterManagerDispatch: false, requireAcceptance: true });
    expect(await outcomes(type.id, online, offline)).toEqual({ auto: 'PENDING_ACCEPT', manager: 'PROCESSING' });
  });

  it('after manager dispatch only: auto dispatch assigns at once, a manager\'s dispatch waits for the agent', async () => {
    const [online, offline] = [await makeUser(p(), 'AGENT', { presence: 'ONLINE' }), await makeUser(p(), 'AGENT', { presence: 'OFFLINE' })];
    const { type, result } = await typeWith({ acceptAfterAutoDispatch: false, acceptAfterManagerDispatch: true }, [online.id, offline.id]);
    expect(result.ticketType).toEqual({ acceptAfterAutoDispatch: false, acceptAfterManagerDispatch: true, requireAcceptance: true });
    expect(await outcomes(type.id, online, offline)).toEqual({ auto: 'PROCESSING', manager: 'PENDING_ACCEPT' });
  });

  it('both, or neither', async () => {
    for (const [on, expected] of [
      [true, { auto: 'PENDING_ACCEPT', manager: 'PENDING_ACCEPT' }],
      [false, { auto: 'PROCESSING', manager: 'PROCESSING' }],
    ] as const) {
      const [online, offline] = [await makeUser(p(), 'AGENT', { presence: 'ONLINE' }), await makeUser(p(), 'AGENT', { presence: 'OFFLINE' })];
      const { type } = await typeWith({ acceptAfterAutoDispatch: on, acceptAfterManagerDispatch: on }, [online.id, offline.id]);
      expect(await outcomes(type.id, online, offline)).toEqual(expected);
    }
  });

  it('the deprecated requireAcceptance still sets the switch of every dispatch mode the type uses', async () => {
    const agent = await makeUser(p(), 'AGENT');
    const { result } = await typeWith({ requireAcceptance: true }, [agent.id]);
    expect(result.ticketType).toEqual({ acceptAfterAutoDispatch: true, acceptAfterManagerDispatch: true, requireAcceptance: true });
    // Given together with the new switches it is ambiguous, and refused.
    const { result: both } = await typeWith({ requireAcceptance: true, acceptAfterAutoDispatch: false }, [agent.id]);
    expect(both).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'requireAcceptance' }] });
  });

  it('a switch for a dispatch mode the type does not use is refused', async () => {
    const type = await makeType(p(), { modes: ['GRAB'] });
    const r = await t.gql<SetResult>(
      SET,
      { input: { typeId: globalId('TicketType', type.id), assignment: { modes: ['GRAB', 'MANAGER'], acceptAfterAutoDispatch: true, acceptAfterManagerDispatch: true } } },
      manager.token,
    );
    expect(r.data!.updateTicketTypeAssignment).toMatchObject({ __typename: 'ValidationFailed', fieldErrors: [{ field: 'acceptAfterAutoDispatch' }] });
  });
});
