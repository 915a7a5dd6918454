/**
 * A request to the stand-in as tests read it back, with the credentials taken out.
 */
import type { IncomingMessage } from 'node:http';

export interface RecordedCall {
  method: string;
  /** Without the query: '/rest/api/3/issue/OPS-1'. */
  path: string;
  /** Repeated names give arrays. */
  query: Record<string, string | string[]>;
  /** Lower-case names; `authorization` is reduced to its scheme: 'Basic [redacted]'. */
  headers: Record<string, string>;
  /** Parsed JSON; the raw text when it does not parse; undefined when empty. */
  body: unknown;
  /** 0 when an injected failure dropped the connection. */
  status: number;
  /** The body answered: an object for JSON, a string for text, undefined for 204. */
  response: unknown;
  /** Epoch milliseconds (the stand-in's clock). */
  at: number;
}

export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    record[name] = values.length > 1 ? values : (values[0] ?? '');
  }
  return record;
}

export function headerRecord(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }

  const { authorization } = headers;
  if (authorization !== undefined) {
    const scheme = /^(Basic|Bearer) /i.exec(authorization)?.[1] ?? '';
    headers.authorization = `${scheme ? `${scheme} ` : ''}[redacted]`;
  }
  return headers;
}
