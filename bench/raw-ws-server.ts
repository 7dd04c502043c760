// The fan-out baseline: a plain `ws` server that broadcasts one pre-built frame to every
// client, run as a child process like the gongdan server. Commands come over IPC.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { nowMs } from './stats.ts';

const server = http.createServer((_req, res) => res.writeHead(200).end('{"status":"ok"}'));
const wss = new WebSocketServer({ server, path: '/graphql' });

process.on('message', (m: { type: string; seq: number; bytes: number }) => {
  if (m.type !== 'broadcast') return;
  // The same envelope as a graphql-ws `next` frame, padded to the gongdan frame's size.
  const sentAt = nowMs();
  const head = `{"id":"1","type":"next","payload":{"data":{"raw":{"seq":${m.seq},"sentAt":${sentAt},"pad":"`;
  const tail = '"}}}}';
  const frame = head + 'x'.repeat(Math.max(0, m.bytes - head.length - tail.length)) + tail;
  for (const c of wss.clients) c.send(frame);
  process.send!({ type: 'sent', seq: m.seq, clients: wss.clients.size });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.send!({ type: 'listening', port: (server.address() as AddressInfo).port });
});
process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
});
