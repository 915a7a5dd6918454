/**
 * Delivers Jira Cloud admin webhooks (wire-formats.md §2.3): one JSON POST per event with
 * `X-Atlassian-Webhook-Identifier` (the same on every retry: the dedup key),
 * `X-Atlassian-Webhook-Flow`, `X-Atlassian-Webhook-Retry` from the second try on, and
 * `X-Hub-Signature: sha256=<hex>` when the webhook has a secret. Only loopback targets are
 * allowed: tests never send anything off the machine.
 */
import { randomUUID } from 'node:crypto';

import { jiraSignature, type JiraWebhookPayload } from './webhook-events.ts';
import { assertLoopback as assertLoopbackUrl } from '../http/loopback.ts';

export interface WebhookSendOptions {
  /** The admin webhook's secret; without one Jira sends no `X-Hub-Signature`. */
  secret?: string;
  /** `X-Atlassian-Webhook-Identifier`. Default: a fresh UUID, shared by all `times` sends. */
  identifier?: string;
  /** `X-Atlassian-Webhook-Flow`. Default 'Primary'. */
  flow?: 'Primary' | 'Secondary';
  /** Sends the same webhook (same identifier and bytes) this many times; from the 2nd on with
   * `X-Atlassian-Webhook-Retry: <n>`. Default 1. */
  times?: number;
  /** More headers. */
  headers?: Record<string, string>;
  /** Gives up on an attempt after this long, ms. Default 5000. */
  timeoutMs?: number;
}

/** One POST of a webhook, as tests read it back. */
export interface WebhookDelivery {
  url: string;
  identifier: string;
  webhookEvent: string;
  /** 1 for the first try. */
  attempt: number;
  /** The receiver's HTTP status; absent when the request failed (see `error`). */
  status?: number;
  error?: string;
  /** The exact bytes sent, as text, and the headers. */
  body: string;
  headers: Record<string, string>;
  at: number;
}

/** Throws unless `url` is http(s) on this machine. */
export function assertLoopback(url: string): void {
  assertLoopbackUrl(url, 'JiraStandIn');
}

/** POSTs the webhook `times` times (default once), one after another; one delivery per POST. */
export async function postWebhook(
  url: string,
  payload: JiraWebhookPayload,
  options: WebhookSendOptions = {},
): Promise<WebhookDelivery[]> {
  assertLoopback(url);
  const times = options.times ?? 1;
  if (!Number.isInteger(times) || times < 1) throw new Error(`sendWebhook: bad times ${times}`);

  const body = JSON.stringify(payload);
  const identifier = options.identifier ?? randomUUID();
  const deliveries: WebhookDelivery[] = [];
  for (let attempt = 1; attempt <= times; attempt += 1) {
    const headers: Record<string, string> = {
      ...options.headers,
      'Content-Type': 'application/json',
      'User-Agent': 'Atlassian Webhook HTTP Client',
      'X-Atlassian-Webhook-Identifier': identifier,
      'X-Atlassian-Webhook-Flow': options.flow ?? 'Primary',
      ...(attempt > 1 && { 'X-Atlassian-Webhook-Retry': String(attempt - 1) }),
      ...(options.secret !== undefined && {
        'X-Hub-Signature': jiraSignature(options.secret, body),
      }),
    };
    const base = { url, identifier, webhookEvent: payload.webhookEvent, attempt, body, headers };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      await response.arrayBuffer(); // drain, so the connection is free for the next webhook
      deliveries.push({ ...base, status: response.status, at: Date.now() });
    } catch (error) {
      deliveries.push({ ...base, error: String(error), at: Date.now() });
    }
  }
  return deliveries;
}
