import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../core/ports.ts';
import type { Metrics } from '../metrics.ts';

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One log line per request (method, path, status, duration and a request ID, taken from
 * `X-Request-Id` when the sender gives one), and the Slack acknowledgement time in metrics.
 * Bodies, headers and tokens are never logged.
 */
export function requestLog(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const given = req.get('x-request-id');
    const requestId = given && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);

    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const fields = {
        requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Math.round(seconds * 1000),
      };
      if (QUIET_PATHS.has(req.path)) logger.debug(fields, 'request');
      else logger.info(fields, 'request');
      if (req.path === '/slack/events') metrics.slackAckSeconds.observe(seconds);
    });
    next();
  };
}
