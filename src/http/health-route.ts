import express, { type Router } from 'express';
import type { Health } from '../health.ts';
import type { OutboundQueue } from '../outbound/outbound-queue.ts';

/**
 * `GET /healthz`: 503 until the bot is ready, then 200 with `status` "ok", or "degraded" with
 * the problems found (a channel the bot cannot post to, say) and the outbound backlog.
 */
export function healthRoute(health: Health, queue: OutboundQueue): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    if (!health.ready) {
      res.status(503).json({ status: 'starting' });
      return;
    }
    const problems = health.problems();
    res
      .status(200)
      .json({ status: problems.length > 0 ? 'degraded' : 'ok', problems, outbound: queue.stats() });
  });
  return router;
}
