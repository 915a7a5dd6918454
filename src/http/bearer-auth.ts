import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * Requires `Authorization: Bearer <token>`. Both sides are hashed first so the comparison is
 * constant-time whatever the lengths; the token is never logged or echoed.
 */
export function requireBearer(token: string, onRefused: () => void): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1] && timingSafeEqual(digest(match[1]), expected)) {
      next();
      return;
    }
    onRefused();
    res.status(401).json({
      error: 'unauthorized',
      message: 'send the webhook token as "Authorization: Bearer <ALERT_WEBHOOK_TOKEN>"',
    });
  };
}

function digest(value: string) {
  return createHash('sha256').update(value, 'utf8').digest();
}
