// Durable timers (acceptance timeouts, auto-close): rows in ScheduledJob. A runner
// claims due rows with FOR UPDATE SKIP LOCKED and runs each job's effect in the same
// transaction that marks it done, so a job fires once — whichever instance claims it,
// and even if the process died while it was due.
import type { Prisma } from '../db/generated/client.ts';
import type { Logger } from 'pino';
import { DomainError } from '../../domain/errors.ts';
import { EventRecorder, publish, type UowDeps, type Work, type Tx } from '../uow.ts';

export const JOB_KINDS = ['offer.expire', 'ticket.autoClose'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface JobSpec {
  kind: JobKind;
  /** At most one pending job per key: scheduling again re-arms it. */
  dedupeKey: string;
  ticketId?: string | null;
  runAt: Date;
  payload?: Record<string, unknown>;
}

export async function scheduleJob(tx: Tx, job: JobSpec): Promise<void> {
  const data = {
    kind: job.kind,
    ticketId: job.ticketId ?? null,
    runAt: job.runAt,
    payload: (job.payload ?? {}) as Prisma.InputJsonValue,
    status: 'PENDING' as const,
    attempts: 0,
    lastError: null,
    finishedAt: null,
  };
  await tx.scheduledJob.upsert({ where: { dedupeKey: job.dedupeKey }, create: { dedupeKey: job.dedupeKey, ...data }, update: data });
}

export async function cancelJob(tx: Tx, dedupeKey: string, now: Date): Promise<void> {
  await tx.scheduledJob.updateMany({
    where: { dedupeKey, status: 'PENDING' },
    data: { status: 'CANCELLED', finishedAt: now },
  });
}

export interface ClaimedJob {
  id: string;
  kind: JobKind;
  ticketId: string | null;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Runs inside the claiming transaction. A DomainError means "nothing to do any more". */
export type JobHandler = (w: Work, job: ClaimedJob) => Promise<void>;

export interface JobRunnerOptions {
  pollMs?: number;
  batch?: number;
  maxAttempts?: number;
  logger?: Logger;
}

export class JobRunner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: UowDeps,
    private readonly handlers: Record<JobKind, JobHandler>,
    private readonly opts: JobRunnerOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      try {
        // Keep going while there is a backlog; otherwise wait for the next poll.
        while (!this.stopped && (await this.runDue()) === (this.opts.batch ?? 20));
      } catch (e) {
        this.opts.logger?.error({ err: e }, 'job runner tick failed');
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.opts.pollMs ?? 1000);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Claims and runs the jobs due now; returns how many it handled. Serialized per runner. */
  async runDue(): Promise<number> {
    while (this.running) await this.running.catch(() => 0);
    this.running = this.claimAndRun().finally(() => (this.running = null));
    return this.running;
  }

  private async claimAndRun(): Promise<number> {
    const { prisma, clock } = this.deps;
    const now = clock.now();
    const ids = await prisma.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM "ScheduledJob"
       WHERE status = 'PENDING' AND "runAt" <= ${now}
       ORDER BY "runAt" LIMIT ${this.opts.batch ?? 20}`;
    let handled = 0;
    for (const { id } of ids) {
      if (await this.runOne(id)) handled++;
    }
    return handled;
  }

  /** One job per transaction, so one failing job does not hold back the others. */
  private async runOne(id: string): Promise<boolean> {
    const { prisma, clock } = this.deps;
    const rec = new EventRecorder();
    let claimed: ClaimedJob | null = null;
    try {
      const messages = await prisma.$transaction(
        async (tx) => {
          const rows = await tx.$queryRaw<ClaimedJob[]>`
            SELECT id::text, kind, "ticketId"::text AS "ticketId", payload, attempts FROM "ScheduledJob"
             WHERE id = ${id}::uuid AND status = 'PENDING' FOR UPDATE SKIP LOCKED`;
          claimed = rows[0] ?? null;
          if (!claimed) return [];
          const now = clock.now();
          const handler = this.handlers[claimed.kind];
          let note: string | null = null;
          try {
            await handler({ tx, rec, now }, claimed);
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
            // The world moved on (the offer was accepted, the ticket reopened): done, nothing to do.
            note = `skipped: ${e.message}`;
          }
          await tx.scheduledJob.update({
            where: { id },
            data: { status: 'DONE', finishedAt: now, attempts: { increment: 1 }, lastError: note },
          });
          return rec.flush(tx, now, this.deps.snapshot);
        },
        { maxWait: 10_000, timeout: 20_000 },
      );
      await publish(this.deps, messages);
      return claimed !== null;
    } catch (e) {
      const job = claimed as ClaimedJob | null;
      this.opts.logger?.error({ err: e, jobId: id, kind: job?.kind }, 'job failed');
      const attempts = (job?.attempts ?? 0) + 1;
      const giveUp = attempts >= (this.opts.maxAttempts ?? 5);
      await prisma.scheduledJob.updateMany({
        where: { id, status: 'PENDING' },
        data: {
          attempts,
          lastError: String((e as Error)?.message ?? e).slice(0, 1000),
          // Back off exponentially: 2 s, 4 s, 8 s, …
          ...(giveUp ? { status: 'FAILED', finishedAt: clock.now() } : { runAt: new Date(clock.now().getTime() + 2000 * 2 ** attempts) }),
        },
      });
      return false;
    }
  }
}
