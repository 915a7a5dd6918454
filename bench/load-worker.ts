/**
 * The load generator, run in a worker thread so it has its own event loop (and core) apart
 * from the server under test: N keep-alive connections, each sending one request at a time,
 * optionally paced to a fixed rate. Loopback only.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { slackSignatureHeaders } from '../test/fakes/slack/sign.ts';
import type { LoadResult, LoadSpec } from './load.ts';
import { bodyFor } from './payloads.ts';

interface Outcome {
  status: number;
  ms: number;
  error?: string;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const target = new URL(spec.url);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to load ${target.hostname}`);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: spec.concurrency,
    maxFreeSockets: spec.concurrency,
  });

  const send = (body: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const headers: Record<string, string | number> = {
        ...spec.headers,
        ...(spec.signingSecret ? slackSignatureHeaders(spec.signingSecret, body) : {}),
        'content-length': Buffer.byteLength(body),
      };
      const started = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port: Number(target.port),
          path: spec.path,
          method: 'POST',
          agent,
          headers,
        },
        (res) => {
          res.resume();
          res.once('end', () =>
            resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }),
          );
          res.once('error', (error) =>
            resolve({ status: 0, ms: performance.now() - started, error: String(error) }),
          );
        },
      );
      req.once('error', (error) =>
        resolve({ status: 0, ms: performance.now() - started, error: String(error) }),
      );
      req.end(body);
    });

  const errors: string[] = [];
  const warmupStatusCounts: Record<string, number> = {};
  // Warm-up: same concurrency, not recorded.
  let nextWarm = 0;
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      for (let i = nextWarm++; i < spec.warmup; i = nextWarm++) {
        const outcome = await send(bodyFor(spec.workload, i));
        warmupStatusCounts[outcome.status] = (warmupStatusCounts[outcome.status] ?? 0) + 1;
      }
    }),
  );

  const latencies = new Float64Array(spec.requests);
  const statuses = new Int16Array(spec.requests).fill(-1);
  const started = performance.now();
  const deadline = spec.maxDurationMs ? started + spec.maxDurationMs : Infinity;
  const interval = spec.ratePerSecond ? 1000 / spec.ratePerSecond : 0;
  let next = 0;
  let done = 0;
  let lastEnd = started;
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      for (let i = next++; i < spec.requests; i = next++) {
        if (interval > 0) {
          const due = started + i * interval;
          const wait = due - performance.now();
          if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        if (performance.now() > deadline) {
          next = spec.requests;
          break;
        }
        const outcome = await send(bodyFor(spec.workload, spec.warmup + i));
        latencies[i] = outcome.ms;
        statuses[i] = outcome.status;
        done += 1;
        lastEnd = performance.now();
        if (outcome.error && errors.length < 5) errors.push(outcome.error);
      }
    }),
  );
  agent.destroy();

  const durationMs = lastEnd - started;
  const statusCounts: Record<string, number> = {};
  const measured: number[] = [];
  for (let i = 0; i < spec.requests; i += 1) {
    const status = statuses[i] ?? -1;
    if (status === -1) continue;
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    measured.push(latencies[i] ?? 0);
  }
  return {
    sent: done,
    durationMs,
    throughput: done / (durationMs / 1000),
    latenciesMs: measured,
    statuses: Array.from(statuses),
    statusCounts,
    warmupStatusCounts,
    errors,
  };
}

run(workerData as LoadSpec).then(
  (result) => parentPort?.postMessage({ ok: true, result }),
  (error: unknown) => parentPort?.postMessage({ ok: false, error: String(error) }),
);
