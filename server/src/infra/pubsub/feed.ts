// One subscriber's queue of messages, shared by the bus adapters.
//
// It is registered the moment subscribe() is called, not on the first read: lazy
// iterators (a Repeater runs its executor on the first next()) miss whatever is
// published between subscribe() and the first read, and callers do read the stream
// position in that window (queueEvents: subscribe, read `seq`, then iterate).
// A subscriber that falls `limit` messages behind is ended with an error rather than
// holding memory without bound; it resubscribes and refetches by seq.

export interface Feed<T> {
  readonly iterator: AsyncIterableIterator<T>;
  /** Queues a message (ignored once the feed has ended). */
  push(value: T): void;
  /** Ends the feed (and calls onEnd once): readers get `done`, or `error` once if one is given. */
  end(error?: unknown): void;
  readonly ended: boolean;
}

export class SubscriberTooSlowError extends Error {
  override name = 'SubscriberTooSlowError';
}

export function createFeed<T>(opts: { signal?: AbortSignal; limit?: number; onEnd?: () => void } = {}): Feed<T> {
  const limit = opts.limit ?? 1000;
  const buffer: T[] = [];
  const readers: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  let ended = false;
  let error: { e: unknown } | null = null;
  const done = (): IteratorResult<T> => ({ value: undefined, done: true });
  const onAbort = () => end();

  function end(e?: unknown): void {
    if (ended) return;
    ended = true;
    buffer.length = 0;
    opts.signal?.removeEventListener('abort', onAbort);
    if (e !== undefined) {
      const first = readers.shift();
      if (first) first.reject(e);
      else error = { e };
    }
    for (const r of readers.splice(0)) r.resolve(done());
    opts.onEnd?.();
  }

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (buffer.length) return Promise.resolve({ value: buffer.shift()!, done: false });
      if (error) {
        const { e } = error;
        error = null;
        return Promise.reject(e);
      }
      if (ended) return Promise.resolve(done());
      return new Promise((resolve, reject) => readers.push({ resolve, reject }));
    },
    return() {
      end();
      error = null;
      return Promise.resolve(done());
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  // Already aborted: born ended, and onEnd is not called (the caller registers the
  // feed only when `ended` is false).
  if (opts.signal?.aborted) ended = true;
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    iterator,
    push(value) {
      if (ended) return;
      const reader = readers.shift();
      if (reader) reader.resolve({ value, done: false });
      else if (buffer.length >= limit) end(new SubscriberTooSlowError(`subscriber fell more than ${limit} messages behind`));
      else buffer.push(value);
    },
    end,
    get ended() {
      return ended;
    },
  };
}

/**
 * `stream` that also runs `stop` when it ends, however it ends — including when its reader
 * returns before the first read, where an async generator's `finally` never runs (a bus
 * subscription opened before the generator started would stay registered for ever).
 */
export function stoppingWith<T>(stream: AsyncGenerator<T>, stop: () => void): AsyncGenerator<T> {
  let stopped = false;
  const once = () => {
    if (stopped) return;
    stopped = true;
    stop();
  };
  const it: AsyncGenerator<T> = {
    next: async (...a) => {
      try {
        const r = await stream.next(...a);
        if (r.done) once();
        return r;
      } catch (e) {
        once();
        throw e;
      }
    },
    return: async (value) => {
      once();
      return stream.return(value);
    },
    throw: async (e) => {
      once();
      return stream.throw(e);
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
