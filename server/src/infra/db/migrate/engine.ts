// Loads Prisma's schema engine compiled to WebAssembly and runs one engine per call.
//
// The native `schema-engine` binary is downloaded by the Prisma CLI on first use, which
// cannot work on machines that only reach the npm registry. The wasm build is the same
// engine, driven through a driver adapter factory instead of a connection string.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import { overrideAdapter } from './adapters.ts';

export type SchemaEngine = bindings.SchemaEngine;

declare global {
  // Read by the wasm bindings when the engine panics, just before it traps.
  var PRISMA_WASM_PANIC_REGISTRY: { set_message(message: string): void } | undefined;
}


/**
 * Per process, not per copy of this module: the wasm bindings come from Node's module
 * cache, one per process, while a test runner may load this file once per project.
 */
interface EngineState {
  loaded?: Promise<void>;
  /** Set when the engine panicked; the trap that follows only says "unreachable". */
  panicMessage?: string;
  /** The end of the line of engines waiting their turn. */
  queue: Promise<void>;
}
const STATE = Symbol.for('gongdan.schemaEngine');
const state: EngineState = ((globalThis as { [STATE]?: EngineState })[STATE] ??= { queue: Promise.resolve() });

/**
 * Instantiates the wasm module once per process. The package's own entry point imports
 * the `.wasm` file as an ES module, which Node only allows behind
 * `--experimental-wasm-modules`, so the glue module is wired to the instance by hand.
 */
function loadEngine(): Promise<void> {
  state.loaded ??= (async () => {
    // Must exist before the first call: a panic without it surfaces as an unrelated
    // TypeError from inside the bindings.
    globalThis.PRISMA_WASM_PANIC_REGISTRY = {
      set_message(message: string) {
        state.panicMessage = message;
      },
    };
    const require = createRequire(import.meta.url);
    // The package's exports map does not expose the .wasm file; it sits next to the glue.
    const glue = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(join(dirname(glue), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return state.loaded;
}

/** Error raised by the schema engine, with the engine's own message. */
export class SchemaEngineError extends Error {
  override name = 'SchemaEngineError';
  /** Prisma's error code (`P3009`…), when the engine gives one. */
  readonly code: string | undefined;

  constructor(message: string, options: { cause: unknown; code?: string | undefined }) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

/**
 * The engine rejects with plain objects or Errors depending on the failure; a panic
 * traps with a meaningless "unreachable". Normalise all of them to one readable Error.
 */
function toEngineError(cause: unknown): SchemaEngineError {
  if (state.panicMessage !== undefined) {
    const message = state.panicMessage;
    state.panicMessage = undefined;
    return new SchemaEngineError(`schema engine panicked: ${message}`, { cause });
  }
  const fields = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown; code?: unknown }) : {};
  const message = fields.message === undefined ? String(cause) : String(fields.message);
  // Engine messages end with a Rust span trace ("   0: schema_engine_wasm::…"): noise for
  // a person, and still available on `cause`.
  return new SchemaEngineError(message.split(/\n\s*0: /)[0]!.trimEnd(), {
    cause,
    code: typeof fields.code === 'string' ? fields.code : undefined,
  });
}

/**
 * The engine disposes the shadow databases it opens but never the main connection
 * (dropping the wasm engine cannot await JavaScript), which would keep a pool or a
 * PGlite instance alive. Track every connection so the caller can close what is left.
 */
function trackConnections(factory: SqlMigrationAwareDriverAdapterFactory) {
  const open = new Set<SqlDriverAdapter>();
  const track = async (connect: () => Promise<SqlDriverAdapter>) => {
    const adapter = await connect();
    const tracked = overrideAdapter(adapter, {
      dispose: () => {
        open.delete(tracked);
        return adapter.dispose();
      },
    });
    open.add(tracked);
    return tracked;
  };
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => track(() => factory.connect()),
    connectToShadowDb: () => track(() => factory.connectToShadowDb()),
  };
  const closeAll = async () => {
    for (const adapter of [...open]) await adapter.dispose();
  };
  return { tracking, closeAll };
}

/**
 * Runs `fn` with a fresh engine bound to `factory`, then frees the engine and closes
 * every connection it opened. The engine opens the main connection as it starts.
 *
 * The engine never clears the timers it sets (applyMigrations leaves a 10 s lock
 * timeout pending), so a command-line script should `process.exit` when done rather
 * than wait for the event loop to drain.
 */
export function withSchemaEngine<T>(factory: SqlMigrationAwareDriverAdapterFactory, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  // One engine at a time in a process: they share the one wasm instance, and two running
  // at once (two test projects migrating their templates together) made it panic.
  const run = state.queue.then(() => runSchemaEngine(factory, fn));
  state.queue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

async function runSchemaEngine<T>(factory: SqlMigrationAwareDriverAdapterFactory, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  await loadEngine();
  const { tracking, closeAll } = trackConnections(factory);
  try {
    const engine = await bindings.SchemaEngine.new(
      // Commands take their schema as arguments; the engine needs none up front.
      { datamodels: undefined },
      // Engine tracing; errors that matter come back as rejections instead.
      () => {},
      bindMigrationAwareSqlAdapterFactory(tracking),
    ).catch((cause: unknown) => Promise.reject(toEngineError(cause)));
    try {
      return await fn(rejectingWithEngineErrors(engine));
    } finally {
      try {
        engine.free();
      } catch {
        // Only after a panic, which left the engine borrowed: the panic is the error
        // to report, and the wasm memory goes with the process.
      }
    }
  } finally {
    await closeAll();
  }
}

/** `engine`, with its rejections turned into SchemaEngineErrors. */
function rejectingWithEngineErrors(engine: SchemaEngine): SchemaEngine {
  return new Proxy(engine, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = Reflect.apply(value, target, args);
          return result instanceof Promise ? result.catch((cause: unknown) => Promise.reject(toEngineError(cause))) : result;
        } catch (cause) {
          throw toEngineError(cause);
        }
      };
    },
  });
}
