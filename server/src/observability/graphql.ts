// The yoga/envelop side of observability: request ids on GraphQL requests (also when
// called in-process through app.fetch), operations counted by type, name and outcome,
// the operation type handed to the HTTP metrics, and unexpected errors logged with
// their request id before they are masked.
import type { IncomingMessage } from 'node:http';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { DomainError } from '../domain/errors.ts';
import type { HttpObserver } from './http.ts';
import type { Metrics, OperationType } from './metrics.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.ts';

interface OperationContext {
  requestId?: string;
  req?: IncomingMessage;
  wsExtra?: unknown;
}

export interface GraphQLObservability {
  plugin: Plugin;
  /** The request id of a GraphQL request (the one echoed in its response). */
  requestIdOf(request: Request | undefined, serverContext?: { requestId?: string }): string;
}

const outcomeOf = (r: ExecutionResult): 'ok' | 'partial' | 'error' =>
  !r.errors?.length ? 'ok' : r.data ? 'partial' : 'error';

/** Errors that are not an expected answer (a GraphQLError raised on purpose, a DomainError). */
function unexpected(errors: readonly GraphQLError[] | undefined): unknown[] {
  const out: unknown[] = [];
  for (const e of errors ?? []) {
    const original = e.originalError;
    if (original && !(original instanceof GraphQLError) && !(original instanceof DomainError)) out.push(original);
  }
  return out;
}

export function createGraphQLObservability(metrics: Metrics, logger: Logger, http: HttpObserver): GraphQLObservability {
  const ids = new WeakMap<Request, string>();
  const requestIdOf: GraphQLObservability['requestIdOf'] = (request, serverContext) => {
    // Websocket operations have no Request of their own; app.ts gives them an id.
    if (!request) return serverContext?.requestId ?? requestIdFrom(null);
    let id = ids.get(request);
    if (!id) ids.set(request, (id = serverContext?.requestId ?? requestIdFrom(request.headers.get(REQUEST_ID_HEADER))));
    return id;
  };

  const describe = (document: DocumentNode, operationName: string | null | undefined, ctx: OperationContext) => {
    const op = getOperationAST(document, operationName);
    const type: OperationType = op?.operation === 'mutation' ? 'mutation' : op?.operation === 'subscription' ? 'subscription' : 'query';
    const transport = ctx.wsExtra ? ('ws' as const) : ('http' as const);
    if (transport === 'http' && ctx.req) http.setOperation(ctx.req, type);
    return { type, name: op?.name?.value ?? operationName ?? null, transport };
  };

  const report = (d: ReturnType<typeof describe>, result: ExecutionResult, ctx: OperationContext) => {
    metrics.operation(d.type, d.name, outcomeOf(result), d.transport);
    for (const err of unexpected(result.errors)) {
      logger.error({ err, requestId: ctx.requestId, operation: d.name, type: d.type }, 'unexpected error in a GraphQL operation');
    }
  };

  return {
    requestIdOf,
    plugin: {
      onRequest({ request, serverContext }) {
        requestIdOf(request, serverContext as { requestId?: string });
      },
      onResponse({ request, response }) {
        const id = ids.get(request);
        if (id) response.headers.set(REQUEST_ID_HEADER, id);
      },
      onExecute({ args }) {
        const ctx = args.contextValue as OperationContext;
        const d = describe(args.document, args.operationName, ctx);
        return {
          onExecuteDone({ result }) {
            // Incremental delivery is not enabled; a stream here would be counted as ok.
            report(d, Symbol.asyncIterator in result ? {} : (result as ExecutionResult), ctx);
          },
        };
      },
      onSubscribe({ args }) {
        const ctx = args.contextValue as OperationContext;
        const d = describe(args.document, args.operationName, ctx);
        return {
          onSubscribeResult({ result }) {
            report(d, Symbol.asyncIterator in result ? {} : (result as ExecutionResult), ctx);
          },
          onSubscribeError({ error }) {
            metrics.operation(d.type, d.name, 'error', d.transport);
            logger.error({ err: error, requestId: ctx.requestId, operation: d.name }, 'subscription failed to start');
          },
        };
      },
    },
  };
}
