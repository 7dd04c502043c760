// Per HTTP request: the request id (header in, header out), latency and count by route
// and GraphQL operation type, and a structured log line when the response is done.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics, OperationType, Route } from './metrics.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.ts';

/** Slower than this and the request is logged at warn. */
const SLOW_MS = 2000;

export interface HttpObserver {
  /** Starts observing a request; returns its id (already set on the response). */
  begin(req: IncomingMessage, res: ServerResponse, route: Route): string;
  /** Called by the GraphQL layer once it knows which kind of operation the request runs. */
  setOperation(req: IncomingMessage, type: OperationType): void;
}

export function routeOf(pathname: string): Route {
  if (pathname === '/graphql' || pathname.startsWith('/graphql/')) return 'graphql';
  if (pathname === '/metrics') return 'metrics';
  if (pathname === '/healthz' || pathname === '/readyz') return 'health';
  return 'web';
}

export function createHttpObserver(metrics: Metrics, logger: Logger): HttpObserver {
  const operations = new WeakMap<IncomingMessage, OperationType>();
  return {
    begin(req, res, route) {
      const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      const start = performance.now();
      res.once('close', () => {
        const ms = performance.now() - start;
        // A response closed before it finished: the client went away (nginx's 499).
        const status = res.writableFinished ? res.statusCode : 499;
        const operation = route === 'graphql' ? (operations.get(req) ?? 'unknown') : 'none';
        metrics.http(route, operation, status, ms / 1000);
        const line = { requestId, method: req.method, route, operation, status, ms: Math.round(ms * 10) / 10 };
        if (status >= 500) logger.error(line, 'request failed');
        else if (ms > SLOW_MS) logger.warn(line, 'slow request');
        else logger.debug(line, 'request');
      });
      return requestId;
    },
    setOperation(req, type) {
      operations.set(req, type);
    },
  };
}
