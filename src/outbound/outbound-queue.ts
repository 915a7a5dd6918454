import { randomUUID } from 'node:crypto';
import type { Clock, Logger, StoredDocument } from '../core/ports.ts';
import { OutboundError } from './outbound-error.ts';

export interface Job {
  id: string;
  kind: string;
  /** Jobs with the same key coalesce while waiting: only the latest payload runs. */
  key: string;
  payload: Record<string, string>;
  /** Lower runs first: 0 for what people wait on, 5 for routine updates. */
  priority: number;
  attempts: number;
  /** Epoch ms before which the job does not run. */
  notBefore: number;
  createdAt: string;
  lastError?: string;
  /** Put back in line by a person after it was given up. */
  retried?: boolean;
}

export interface JobsDocument {
  jobs: Job[];
  /** Jobs given up, kept so people can see why and retry them. */
  failed?: Job[];
}

/** The longest a job waits because a service said so; it then asks again. */
const MAX_RETRY_AFTER_MS = 15 * 60 * 1000;
/** Failed jobs kept at the most; the oldest go first. */
const MAX_FAILED = 500;

export type JobHandler = (job: Job) => Promise<void>;

export interface OutboundQueueOptions {
  document: StoredDocument<JobsDocument>;
  clock: Clock;
  logger: Logger;
  /** Jobs running at once. */
  concurrency?: number;
  /**
   * Attempts before a failing job is given up (rate limits do not count); default 12, which
   * with the default backoff rides out 10 to 20 minutes of outage (the
   * jitter decides).
   */
  maxAttempts?: number;
  /** Backoff after the first failure, doubled each time up to `maxBackoffMs`; jittered. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called once when a job is given up, with the last error. */
  onGiveUp?: (job: Job, error: OutboundError) => Promise<void>;
  /** Called when a job that had failed before succeeds. */
  onRecovered?: (job: Job) => Promise<void>;
}

/**
 * Every call to another system is a stored job: it survives restarts, runs with bounded
 * concurrency, is retried with jittered exponential backoff on 5xx and network errors and after
 * the time a 429 asks for, and is given up after `maxAttempts` on anything else.
 */
export class OutboundQueue {
  readonly #doc: StoredDocument<JobsDocument>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #concurrency: number;
  readonly #maxAttempts: number;
  readonly #baseBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #onGiveUp: OutboundQueueOptions['onGiveUp'];
  readonly #onRecovered: OutboundQueueOptions['onRecovered'];
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(options: OutboundQueueOptions) {
    this.#doc = options.document;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#concurrency = options.concurrency ?? 4;
    this.#maxAttempts = options.maxAttempts ?? 12;
    this.#baseBackoffMs = options.baseBackoffMs ?? 1_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
    this.#onGiveUp = options.onGiveUp;
    this.#onRecovered = options.onRecovered;
    this.#doc.data.failed ??= [];
  }

  register(kind: string, handler: JobHandler) {
    this.#handlers.set(kind, handler);
  }

  /**
   * Stores a job (or refreshes the waiting one with the same key) and resolves once it is on disk.
   */
  async enqueue(input: {
    kind: string;
    key: string;
    payload: Record<string, string>;
    priority?: number;
  }) {
    const waiting = this.#doc.data.jobs.find(
      (j) => j.key === input.key && !this.#running.has(j.id),
    );
    if (waiting) {
      const priority = Math.min(waiting.priority, input.priority ?? 5);
      // In a storm most changes re-queue a job that is already waiting as it is: no write.
      if (priority === waiting.priority && samePayload(waiting.payload, input.payload)) return;
      // More urgent now (a state change joining a held-back update): it need not wait.
      if (priority < waiting.priority && waiting.attempts === 0) waiting.notBefore = 0;
      waiting.payload = input.payload;
      waiting.priority = priority;
    } else {
      this.#doc.data.jobs.push({
        id: randomUUID(),
        kind: input.kind,
        key: input.key,
        payload: input.payload,
        priority: input.priority ?? 5,
        attempts: 0,
        notBefore: 0,
        createdAt: this.#clock.now().toISOString(),
      });
    }
    await this.#doc.write();
    this.#pump();
  }

  start() {
    this.#stopped = false;
    this.#pump();
  }

  /** Stops taking jobs and waits for the running ones. */
  async stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.allSettled(this.#running.values());
  }

  /** Resolves when no job is waiting or running (tests and shutdown use it). */
  async idle(timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (this.#doc.data.jobs.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Puts a given-up job back in line with fresh attempts; undefined when there is no such job. */
  async retry(jobId: string) {
    const failed = this.#failed();
    const index = failed.findIndex((j) => j.id === jobId);
    const [job] = index === -1 ? [] : failed.splice(index, 1);
    if (!job) return undefined;

    const again = { ...job, attempts: 0, notBefore: 0, retried: true };
    this.#doc.data.jobs.push(again);
    await this.#doc.write();
    this.#pump();
    return again;
  }

  /** Waiting and given-up jobs whose payload names this incident. */
  jobsFor(incidentId: string) {
    const mine = (j: Job) => j.payload.incidentId === incidentId;
    return { waiting: this.#doc.data.jobs.filter(mine), failed: this.#failed().filter(mine) };
  }

  stats() {
    const jobs = this.#doc.data.jobs;
    const oldest = jobs.reduce(
      (min, j) => (j.createdAt < min ? j.createdAt : min),
      this.#clock.now().toISOString(),
    );
    return {
      waiting: jobs.filter((j) => !this.#running.has(j.id)).length,
      running: this.#running.size,
      retrying: jobs.filter((j) => j.attempts > 0).length,
      failed: this.#failed().length,
      oldestAgeSeconds: (this.#clock.now().getTime() - Date.parse(oldest)) / 1000,
    };
  }

  #failed() {
    return (this.#doc.data.failed ??= []);
  }

  #pump() {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    const now = this.#clock.now().getTime();
    while (this.#running.size < this.#concurrency) {
      const job = this.#next(now);
      if (!job) break;
      const run = this.#run(job).finally(() => {
        this.#running.delete(job.id);
        this.#pump();
      });
      this.#running.set(job.id, run);
    }

    const later = this.#doc.data.jobs.filter((j) => !this.#running.has(j.id));
    if (later.length === 0) return;
    const wake = Math.min(...later.map((j) => j.notBefore));
    this.#timer = setTimeout(() => this.#pump(), Math.max(wake - now, 10));
    this.#timer.unref();
  }

  #next(now: number) {
    const runningKeys = new Set(
      this.#doc.data.jobs.filter((j) => this.#running.has(j.id)).map((j) => j.key),
    );
    let best: Job | undefined;
    for (const job of this.#doc.data.jobs) {
      if (this.#running.has(job.id) || runningKeys.has(job.key) || job.notBefore > now) continue;
      if (
        !best ||
        job.priority < best.priority ||
        (job.priority === best.priority && job.createdAt < best.createdAt)
      ) {
        best = job;
      }
    }
    return best;
  }

  async #run(job: Job) {
    const handler = this.#handlers.get(job.kind);
    const log = this.#logger.child({ job: job.kind, key: job.key });
    try {
      if (!handler)
        throw new OutboundError({ service: 'firebreak', message: `no handler for ${job.kind}` });
      await handler(job);
      // Earlier given-up runs of the same work are settled now.
      const failed = this.#failed();
      for (let i = failed.length - 1; i >= 0; i -= 1)
        if (failed[i]?.key === job.key) failed.splice(i, 1);
      await this.#remove(job);
      if (job.attempts > 0 || job.retried) await this.#onRecovered?.(job);
    } catch (caught) {
      const error = OutboundError.from(caught);
      await this.#settleFailure(job, error, log);
    }
  }

  async #settleFailure(job: Job, error: OutboundError, log: Logger) {
    const now = this.#clock.now().getTime();
    job.lastError = error.message;
    if (error.retryAfterMs !== undefined) {
      const fields = { service: error.service, code: error.code, retryAfterMs: error.retryAfterMs };
      // A service asking for hours (a bad proxy, a typo in a header) is asked again sooner.
      job.notBefore = now + Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS);
      // Pacing is a moment's wait, not worth a write; a 429's wait is kept across restarts.
      if (error.code === 'paced') return log.debug(fields, 'paced, waiting');
      log.warn(fields, 'rate limited, waiting');
      await this.#doc.write();
      return;
    }

    job.attempts += 1;
    if (!error.retryable || job.attempts >= this.#maxAttempts) {
      log.error(
        { service: error.service, code: error.code, attempts: job.attempts, err: error },
        'outbound job given up',
      );
      const failed = this.#failed();
      failed.push(job);
      failed.splice(0, Math.max(0, failed.length - MAX_FAILED));
      await this.#remove(job);
      await this.#onGiveUp?.(job, error);
      return;
    }

    const backoff = Math.min(this.#baseBackoffMs * 2 ** (job.attempts - 1), this.#maxBackoffMs);
    job.notBefore = now + Math.round(backoff * (0.5 + Math.random() * 0.5));
    log.warn(
      { service: error.service, code: error.code, error: error.message, attempts: job.attempts },
      'outbound job failed, retrying',
    );
    await this.#doc.write();
  }

  async #remove(job: Job) {
    const jobs = this.#doc.data.jobs;
    const index = jobs.findIndex((j) => j.id === job.id);
    if (index !== -1) jobs.splice(index, 1);
    await this.#doc.write();
  }
}

function samePayload(a: Record<string, string>, b: Record<string, string>) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
