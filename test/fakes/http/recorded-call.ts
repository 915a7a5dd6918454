/**
 * A request to a vendor stand-in (PagerDuty, GitHub, Jira) as tests read it back, with the
 * credentials taken out.
 */
import type { IncomingMessage } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Below the base URL, without the query: '/incidents/PI00001'. */
  path: string;
  /** Repeated names give arrays (and names the stand-in reads as lists, like `ids[]`). */
  query: Record<string, string | string[]>;
  /** Lower-case names; the credentials in `authorization` are replaced by '[redacted]'. */
  headers: Record<string, string>;
  /** Parsed JSON; the raw text when it does not parse; undefined when empty. */
  body: unknown;
  /** 0 when an injected failure dropped the connection. */
  status: number;
  /** The body answered: an object or array for JSON, a string for text, undefined for 204. */
  response: unknown;
  /** Epoch milliseconds (the stand-in's clock). */
  at: number;
}

export function queryRecord(
  params: URLSearchParams,
  isList: (name: string) => boolean = () => false,
): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    record[name] = values.length > 1 || isList(name) ? values : (values[0] ?? '');
  }
  return record;
}

/**
 * The request headers, `authorization` reduced to the part `scheme` matches (its scheme, as
 * 'Token token=' or 'Basic ') followed by '[redacted]'.
 */
export function headerRecord(req: IncomingMessage, scheme: RegExp): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }

  const { authorization } = headers;
  if (authorization !== undefined) {
    headers.authorization = `${scheme.exec(authorization)?.[0] ?? ''}[redacted]`;
  }
  return headers;
}
