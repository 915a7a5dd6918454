import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/**
 * Requires `Authorization: Bearer <token>`. Both sides are hashed first so the comparison is
 * constant-time whatever the lengths; the token is never logged or echoed. `refuse` answers
 * the 401.
 */
export function requireBearer(token: string, refuse: (res: Response) => void): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1] && timingSafeEqual(digest(match[1]), expected)) {
      next();
      return;
    }
    refuse(res);
  };
}

function digest(value: string) {
  return createHash('sha256').update(value, 'utf8').digest();
}
