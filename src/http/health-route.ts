import express, { type Router } from 'express';
import type { Health } from '../health.ts';
import type { Metrics } from '../metrics.ts';
import type { OutboundQueue } from '../outbound/outbound-queue.ts';

export interface HealthRouteOptions {
  health: Health;
  queue: OutboundQueue;
  metrics: Metrics;
  /** Resolves when the store can take a write; rejects with the reason when it cannot. */
  checkStore: () => Promise<void>;
}

/**
 * `GET /healthz`: 503 until the bot is ready, then 200 with `status` "ok", or "degraded" with
 * the problems found and the outbound backlog. `GET /readyz`: 200 only while the bot takes
 * alerts (ready, not shutting down, store writable). `GET /metrics`: Prometheus text format.
 */
export function healthRoute(options: HealthRouteOptions): Router {
  const { health, queue, metrics } = options;
  const router = express.Router();

  router.get('/healthz', (_req, res) => {
    if (!health.ready) {
      res.status(503).json({ status: 'starting' });
      return;
    }
    const problems = health.problems();
    const status = problems.length > 0 ? 'degraded' : 'ok';
    res.status(200).json({ status, problems, outbound: queue.stats() });
  });

  router.get('/readyz', async (_req, res) => {
    if (!health.ready || health.draining) {
      res
        .status(503)
        .json({ ready: false, reason: health.draining ? 'shutting down' : 'starting' });
      return;
    }
    try {
      await options.checkStore();
      res.status(200).json({ ready: true });
    } catch (error) {
      res
        .status(503)
        .json({ ready: false, reason: `store unavailable: ${(error as Error).message}` });
    }
  });

  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
