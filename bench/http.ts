// GraphQL over HTTP from the benchmark: node:http with keep-alive agents, so a race
// measures requests, not TCP handshakes.
import http from 'node:http';
import { BENCH_METRICS_TOKEN } from './processes.ts';

export function keepAliveAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

export interface GqlResponse<T> {
  data?: T | null;
  errors?: { message: string }[];
}

export function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  opts: { token?: string; agent?: http.Agent } = {},
): Promise<GqlResponse<T>> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: opts.agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          'content-length': Buffer.byteLength(body),
          ...(opts.token && { authorization: `Bearer ${opts.token}` }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()) as GqlResponse<T>);
          } catch (e) {
            reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`, { cause: e }));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Reads a Prometheus series' value (summed over matching labels) from /metrics. */
export async function scrape(url: string): Promise<string> {
  const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  return r.text();
}
