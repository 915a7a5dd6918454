/**
 * Delivers webhooks the way GitHub does (wire-formats.md §2.2): one POST per event with
 * `X-GitHub-Event`, `X-GitHub-Delivery` (a GUID, the same on a redelivery),
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>` and a `GitHub-Hookshot` user
 * agent; never retried on its own. Only loopback targets: tests never send anything off the
 * machine.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { assertLoopback as assertLoopbackUrl } from '../http/loopback.ts';

export interface GitHubWebhookOptions {
  /** The hook's secret. Required: the bot must verify every delivery. */
  secret: string;
  /** `X-GitHub-Delivery`. Default: a fresh UUID; pass the same one to act as a redelivery. */
  deliveryId?: string;
  /** `X-GitHub-Hook-ID`. Default '48213', the fixtures'. */
  hookId?: string;
  /** More headers; they override the defaults (e.g. a wrong signature). */
  headers?: Record<string, string>;
  /** Gives up after this long, ms. Default 10 000, GitHub's deadline. */
  timeoutMs?: number;
}

/** One POST of a webhook, as tests read it back. */
export interface GitHubWebhookDelivery {
  url: string;
  event: string;
  deliveryId: string;
  /** The receiver's HTTP status; absent when the request failed (see `error`). */
  status?: number;
  error?: string;
  /** The exact bytes sent, as text, and the headers. */
  body: string;
  headers: Record<string, string>;
  /** Epoch milliseconds when the answer (or failure) came. */
  at: number;
}

/** `sha256=` and the lowercase hex HMAC-SHA256 of the raw body. */
export function gitHubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Throws unless `url` is http(s) on this machine. */
export function assertLoopback(url: string): void {
  assertLoopbackUrl(url, 'GitHubStandIn');
}

export async function postGitHubWebhook(
  url: string,
  event: string,
  payload: object,
  options: GitHubWebhookOptions,
): Promise<GitHubWebhookDelivery> {
  assertLoopback(url);
  if (!options.secret) throw new Error('sendWebhook: give the hook secret');

  const body = JSON.stringify(payload);
  const deliveryId = options.deliveryId ?? randomUUID();
  const hookId = options.hookId ?? '48213';
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'GitHub-Hookshot/f1eb2ea',
    'X-GitHub-Event': event,
    'X-GitHub-Delivery': deliveryId,
    'X-GitHub-Hook-ID': hookId,
    'X-GitHub-Hook-Installation-Target-Type': 'repository',
    'X-GitHub-Hook-Installation-Target-ID': '70321',
    'X-Hub-Signature-256': gitHubSignature(options.secret, body),
    ...options.headers,
  };
  const base = { url, event, deliveryId, body, headers };

  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    await response.arrayBuffer(); // drain, so the connection is free for the next webhook
    return { ...base, status: response.status, at: Date.now() };
  } catch (error) {
    return { ...base, error: String(error), at: Date.now() };
  }
}
