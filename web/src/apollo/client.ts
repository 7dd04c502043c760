// Apollo Client with an HTTP link for queries and mutations and a graphql-ws link for
// subscriptions, both carrying the session token. The websocket's state feeds the
// connection indicator, and every reconnect tells the board to refetch.
import { ApolloClient, InMemoryCache, split, HttpLink, type NormalizedCacheObject } from '@apollo/client/core';
import { setContext } from '@apollo/client/link/context';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import { connection } from '../connection/state.ts';
import { session } from '../auth/session.ts';

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/graphql`;
}

let wsClient: Client | null = null;

export function createApollo(): ApolloClient<NormalizedCacheObject> {
  // The CSRF prevention header (server/src/app.ts): JSON POSTs would pass without it, but the
  // server asks it of anything a browser might send unpreflighted, so every request has it.
  const http = new HttpLink({ uri: '/graphql', headers: { 'x-graphql-yoga-csrf': 'gongdan-board' } });
  const auth = setContext((_op, { headers }) => ({
    headers: { ...headers, ...(session.token.value && { authorization: `Bearer ${session.token.value}` }) },
  }));

  let connectedBefore = false;
  wsClient = createClient({
    url: wsUrl(),
    // Connect right away (also anonymously on the login page) so the indicator reflects
    // the real link state; a login restarts the socket with the new token.
    lazy: false,
    // Read at every (re)connect, so a new login is used without rebuilding the client.
    connectionParams: () => (session.token.value ? { authorization: `Bearer ${session.token.value}` } : {}),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** retries, 15_000) * (0.5 + Math.random() / 2))),
    keepAlive: 20_000,
    on: {
      connecting: () => connection.set(connectedBefore ? 'reconnecting' : 'connecting'),
      connected: () => {
        if (connectedBefore) connection.reconnected();
        connectedBefore = true;
        connection.set('live');
      },
      closed: () => connection.set(session.token.value ? 'reconnecting' : 'offline'),
      error: () => connection.set('reconnecting'),
    },
  });

  const link = split(
    ({ query }) => {
      const def = getMainDefinition(query);
      return def.kind === 'OperationDefinition' && def.operation === 'subscription';
    },
    new GraphQLWsLink(wsClient),
    auth.concat(http),
  );

  return new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        // Queue lists are merged by our own code (see features/board/queue-merge.ts).
        Query: { fields: { pool: { merge: false }, myOffers: { merge: false }, myTickets: { merge: false }, openTickets: { merge: false }, assistPool: { merge: false } } },
      },
    }),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
}

/** After logout or login as someone else: the socket must re-authenticate. */
export function restartSocket(): void {
  wsClient?.terminate();
}
