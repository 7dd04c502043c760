// A minimal graphql-ws client for trying subscriptions from a terminal:
//   pnpm subscribe <token> 'subscription { queueEvents(queues: [POOL]) { seq reason ticket { number } } }'
// GRAPHQL_WS_URL overrides the default ws://localhost:4000/graphql.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [token, query] = process.argv.slice(2);
if (!token || !query) {
  console.error("usage: pnpm subscribe <token> '<subscription document>'");
  process.exit(2);
}

const client = createClient({
  url: process.env.GRAPHQL_WS_URL ?? 'ws://localhost:4000/graphql',
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: 5,
  on: { connected: () => console.error('connected; waiting for events (Ctrl+C to stop)') },
});

client.subscribe(
  { query },
  {
    next: (value) => console.log(JSON.stringify(value)),
    error: (e) => {
      console.error('subscription failed:', e instanceof Error ? e.message : JSON.stringify(e));
      process.exit(1);
    },
    complete: () => process.exit(0),
  },
);
process.on('SIGINT', () => {
  void Promise.resolve(client.dispose()).then(() => process.exit(0));
});
