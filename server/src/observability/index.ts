// Observability of one app instance: Prometheus metrics (served at /metrics), request ids
// and structured request logs. app.ts wires the pieces in; see metrics.ts for the series.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Database } from '../infra/db/client.ts';
import { createGraphQLObservability } from './graphql.ts';
import { createHttpObserver, routeOf } from './http.ts';
import { createMetrics, type MetricsOptions } from './metrics.ts';

export { instrumentGrabs, stampingBus } from './instrument.ts';
export { routeOf };

export type Observability = ReturnType<typeof createObservability>;

export function createObservability(deps: {
  logger: Logger;
  db: Pick<Database, 'poolStats'>;
  metricsToken?: string;
  /** Refuse /metrics (403) unless a token is configured (production). */
  requireToken?: boolean;
  metrics?: MetricsOptions;
}) {
  const metrics = createMetrics(deps.metrics);
  metrics.observePool(() => deps.db.poolStats());
  const http = createHttpObserver(metrics, deps.logger);
  const graphql = createGraphQLObservability(metrics, deps.logger, http);
  const expected = deps.metricsToken ? Buffer.from(`Bearer ${deps.metricsToken}`) : null;

  /** GET /metrics in the Prometheus text format (behind a bearer token when configured). */
  function serveMetrics(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!expected && deps.requireToken) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('Set METRICS_TOKEN to serve /metrics in production.\n');
      return;
    }
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
        return;
      }
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      (e: unknown) => {
        deps.logger.error({ err: e }, 'collecting metrics failed');
        res.writeHead(500).end();
      },
    );
  }

  return { metrics, http, graphql, serveMetrics };
}
