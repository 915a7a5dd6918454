/** Runs the load generator (bench/load-worker.ts) in a worker thread and waits for its result. */
import type { Workload } from './payloads.ts';
import { median, quantile } from './stats.ts';
import { startTsWorker } from './ts-worker.ts';

export interface LoadSpec {
  /** Base URL; must be http://127.0.0.1:<port>. */
  url: string;
  path: string;
  headers: Record<string, string>;
  /** Signs each body as Slack does (slash commands). */
  signingSecret?: string;
  workload: Workload;
  /** Requests in flight at once (one per keep-alive connection). */
  concurrency: number;
  /** Requests sent first and not recorded. */
  warmup: number;
  /** Requests recorded. */
  requests: number;
  /** Paces the recorded requests to this rate; unset: as fast as the server answers. */
  ratePerSecond?: number;
  /** Stops sending after this long (the result says how many were sent). */
  maxDurationMs?: number;
}

export interface LoadResult {
  /** Recorded requests that got an answer (or a network error). */
  sent: number;
  durationMs: number;
  /** Requests per second over the recorded phase. */
  throughput: number;
  latenciesMs: number[];
  /** Status of recorded request i (0: network error, -1: not sent). */
  statuses: number[];
  statusCounts: Record<string, number>;
  warmupStatusCounts: Record<string, number>;
  errors: string[];
}

const WORKER = new URL('./load-worker.ts', import.meta.url);

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (!spec.url.startsWith('http://127.0.0.1:')) throw new Error(`not loopback: ${spec.url}`);
  return new Promise((resolve, reject) => {
    const worker = startTsWorker(WORKER, spec);
    let settled = false;
    worker.once('message', (message: { ok: boolean; result?: LoadResult; error?: string }) => {
      settled = true;
      void worker.terminate();
      if (message.ok && message.result) resolve(message.result);
      else reject(new Error(`load generator failed: ${message.error}`));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with code ${code}`));
    });
  });
}

/** p50/p99 and throughput of a load run, rounded for reports. */
export function summarize(result: LoadResult) {
  return {
    requests: result.sent,
    durationS: result.durationMs / 1000,
    throughput: result.throughput,
    p50Ms: quantile(result.latenciesMs, 0.5),
    p99Ms: quantile(result.latenciesMs, 0.99),
    maxMs: quantile(result.latenciesMs, 1),
    statusCounts: result.statusCounts,
  };
}

export type Summary = ReturnType<typeof summarize>;

/**
 * Several runs of one measurement as one: the median of each figure across runs (so one run
 * disturbed by something else on the machine does not decide), with every run kept.
 */
export function medianOf(runs: Summary[]) {
  const mid = (pick: (s: Summary) => number) => median(runs.map(pick));
  const statusCounts: Record<string, number> = {};
  for (const run of runs) {
    for (const [status, n] of Object.entries(run.statusCounts))
      statusCounts[status] = (statusCounts[status] ?? 0) + n;
  }
  return {
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    throughput: mid((r) => r.throughput),
    p50Ms: mid((r) => r.p50Ms),
    p99Ms: mid((r) => r.p99Ms),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
    statusCounts,
    runs: runs.map((r) => ({
      throughput: r.throughput,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      maxMs: r.maxMs,
      durationS: r.durationS,
    })),
  };
}
