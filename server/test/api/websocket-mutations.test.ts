// Mutations over graphql-ws. Clients such as Apollo's GraphQLWsLink (when it carries
// everything) and graphql-ws's own client send them on the socket; they run through the
// same pipeline as over HTTP. A mutation in an HTTP GET request stays refused.
import { ApolloClient, InMemoryCache, gql } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actor, globalId, uid } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { createTicket, makeType, uidOf } from '../support/tickets.ts';
import { collect, openWs, settle, wsClient } from '../support/ws.ts';

let t: TestApp;
let url: string;
let manager: { user: { id: string }; token: string };
beforeAll(async () => {
  t = await startTestApp();
  url = await t.listen();
  manager = await actor(t.db.prisma, 'MANAGER');
});
afterAll(() => t.close());
// Each test starts once the server has ended the previous one's subscriptions (see settle).
afterEach(() => settle(t));
const p = () => t.db.prisma;

const GRAB = /* GraphQL */ `
  mutation Grab($id: ID!) {
    grabTicket(input: { ticketId: $id }) {
      __typename
      ... on TicketPayload { ticket { id status assignee { id } } }
      ... on TicketAlreadyTaken { takenBy { id } }
    }
  }
`;
type Grab = { grabTicket: { __typename: string; ticket?: { status: string; assignee: { id: string } | null }; takenBy?: { id: string } } };

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateTicketInput!) {
    createTicket(input: $input) { __typename ... on CreateTicketPayload { ticket { id status } } }
  }
`;

describe('mutations over graphql-ws', () => {
  it('graphql-ws client: a customer files a ticket and an agent grabs it, both on their sockets', async () => {
    const customer = await actor(p(), 'CUSTOMER');
    const agent = await actor(p(), 'AGENT');
    const type = await makeType(p(), { modes: ['GRAB'] });
    const [cws, aws] = await Promise.all([openWs(url, customer.token), openWs(url, agent.token)]);

    const created = await cws.run<{ createTicket: { __typename: string; ticket: { id: string; status: string } } }>(CREATE, {
      input: { typeId: globalId('TicketType', type.id), title: `网页打不开 ${uid()}`, replyMethod: 'IM', idempotencyKey: uid() + uid() },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data?.createTicket).toMatchObject({ __typename: 'CreateTicketPayload', ticket: { status: 'NEW' } });
    const ticketId = created.data!.createTicket.ticket.id;

    const grabbed = await aws.run<Grab>(GRAB, { id: ticketId });
    expect(grabbed.errors).toBeUndefined();
    expect(grabbed.data?.grabTicket).toMatchObject({ __typename: 'TicketPayload', ticket: { status: 'PROCESSING', assignee: { id: uidOf(agent.user.id) } } });
    // Written, not only answered.
    const row = await p().ticket.findFirstOrThrow({ where: { title: { startsWith: '网页打不开' }, assigneeId: agent.user.id } });
    expect(row.status).toBe('PROCESSING');
    await Promise.all([cws.client.dispose(), aws.client.dispose()]);
  });

  it('concurrent grabs over five sockets: exactly one wins, the others are told who has it', async () => {
    const agents = await Promise.all(Array.from({ length: 5 }, () => actor(p(), 'AGENT')));
    const c = await createTicket(t, manager.token, (await makeType(p(), { modes: ['GRAB'] })).id);
    const sockets = await Promise.all(agents.map((a) => openWs(url, a.token)));
    const results = await Promise.all(sockets.map((ws) => ws.run<Grab>(GRAB, { id: c.gid })));
    expect(results.map((r) => r.errors)).toEqual(results.map(() => undefined));
    const won = results.filter((r) => r.data!.grabTicket.__typename === 'TicketPayload');
    expect(won).toHaveLength(1);
    const winner = won[0]!.data!.grabTicket.ticket!.assignee!.id;
    for (const r of results.filter((x) => x !== won[0])) expect(r.data!.grabTicket).toEqual({ __typename: 'TicketAlreadyTaken', takenBy: { id: winner } });
    await Promise.all(sockets.map((ws) => ws.client.dispose()));
  });

  it('Apollo Client with GraphQLWsLink for everything: query, mutation, and the subscription sees the grab', async () => {
    const agent = await actor(p(), 'AGENT');
    const watcher = await actor(p(), 'AGENT');
    const c = await createTicket(t, manager.token, (await makeType(p(), { modes: ['GRAB'] })).id);
    const watching = wsClient(url, watcher.token);
    const events = collect<{ queueEvents: { reason: string; ticketId: string } }>(watching, `subscription { queueEvents(queues: [POOL]) { reason ticketId } }`);
    await settle(t);

    const ws = wsClient(url, agent.token);
    const apollo = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    const me = await apollo.query<{ me: { id: string } }>({ query: gql`{ me { id } }`, fetchPolicy: 'no-cache' });
    expect(me.data?.me.id).toBe(uidOf(agent.user.id));
    const r = await apollo.mutate<Grab>({ mutation: gql(GRAB), variables: { id: c.gid } });
    expect(r.error).toBeUndefined();
    expect(r.data?.grabTicket).toMatchObject({ __typename: 'TicketPayload', ticket: { status: 'PROCESSING', assignee: { id: uidOf(agent.user.id) } } });
    await events.until((xs) => xs.some((x) => x.queueEvents.reason === 'GRABBED' && x.queueEvents.ticketId === c.gid));
    apollo.stop();
    events.close();
    await Promise.all([ws.dispose(), watching.dispose()]);
  });

  it('over HTTP a mutation still needs POST: GET is refused with 405 and changes nothing', async () => {
    const agent = await actor(p(), 'AGENT');
    const c = await createTicket(t, manager.token, (await makeType(p(), { modes: ['GRAB'] })).id);
    const q = new URLSearchParams({ query: GRAB, variables: JSON.stringify({ id: c.gid }) });
    // With the CSRF header, so that it is the mutation rule that refuses, not CSRF prevention.
    const res = await fetch(`${url}/graphql?${q}`, {
      headers: { authorization: `Bearer ${agent.token}`, accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1' },
    });
    expect(res.status).toBe(405);
    expect(JSON.stringify(await res.json())).toContain('Can only perform a mutation operation from a POST request');
    expect((await p().ticket.findUniqueOrThrow({ where: { id: c.id } })).assigneeId).toBeNull();
  });
});
