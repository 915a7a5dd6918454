import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { Logger } from '../core/ports.ts';
import type { Health } from '../health.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

export interface SignedWebhookRouteOptions<T> {
  /** '/webhooks/jira'. */
  path: string;
  maxBytes: number;
  /** Checks the request's signature on the raw bytes; says what is wrong when it does not match. */
  verify(req: express.Request, raw: Buffer): { ok: true } | { ok: false; message: string };
  /** Reads the JSON body (and headers) into what `apply` takes. */
  parse(body: unknown, req: express.Request): Parsed<T>;
  /**
   * Applies and stores it; resolves with a word for the response and the log, or the whole
   * response body (`{ status, incident }`).
   */
  apply(value: T): Promise<string | ({ status: string } & Record<string, unknown>)>;
  health: Health;
  logger: Logger;
}

/**
 * A tool's webhook (PagerDuty, Jira, GitHub): the signature is checked on the raw bytes before
 * anything is parsed; a bad one is refused 401 and changes nothing. Bad JSON or a payload
 * missing a field is refused 400 naming the field. An accepted delivery is answered 202 once
 * applied and stored; a store failure answers 500 so the tool delivers again.
 */
export function signedWebhookRoute<T>(options: SignedWebhookRouteOptions<T>): Router {
  const logger = options.logger.child({ route: options.path });
  const limit = `at most ${Math.round(options.maxBytes / 1024)} KB`;
  const refuse = (res: express.Response, status: number, body: Record<string, string>) => {
    const requestId = res.getHeader('X-Request-Id');
    logger.warn(
      { status, error: body.error, field: body.field, requestId, from: res.req.ip },
      'webhook refused',
    );
    res.status(status).json(body);
  };
  const unreadable: ErrorRequestHandler = (error: { type?: string }, _req, res, next) => {
    if (error.type === 'entity.too.large')
      return refuse(res, 413, { error: 'payload_too_large', message: limit });
    if (error.type) return refuse(res, 400, { error: 'unreadable_body', message: 'unreadable' });
    next(error);
  };

  const router = express.Router();
  router.post(
    options.path,
    express.raw({ type: () => true, limit: options.maxBytes }),
    unreadable,
    (async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = options.verify(req, raw);
      if (!signature.ok)
        return refuse(res, 401, { error: 'bad_signature', message: signature.message });
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return refuse(res, 400, { error: 'invalid_json', field: '(body)', message: 'not JSON' });
      }
      const parsed = options.parse(body, req);
      if (!parsed.ok) {
        const message = `${parsed.field} ${parsed.message}`;
        return refuse(res, 400, { error: 'invalid_payload', field: parsed.field, message });
      }
      try {
        const outcome = await options.apply(parsed.value);
        res.status(202).json(typeof outcome === 'string' ? { status: outcome } : outcome);
      } catch (error) {
        logger.error({ err: error }, 'webhook not applied');
        options.health.report('store', `cannot write to DATA_DIR: ${(error as Error).message}`);
        res.status(500).json({ error: 'store_failed', message: 'not applied; retry later' });
      }
    }) satisfies RequestHandler,
  );
  return router;
}
