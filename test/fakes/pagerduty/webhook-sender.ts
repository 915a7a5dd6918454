/**
 * Delivers V3 webhooks the way PagerDuty does (wire-formats.md §2.1; docs: webhooks/02-Behavior):
 * one event per POST, signed, with `X-Webhook-Id` repeated on every attempt of the same webhook;
 * per subscription in order; retried on 5xx, 429, timeouts and connection errors, dropped on any
 * other 4xx. Only loopback targets are allowed: tests never send anything off the machine.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { pagerDutySignature, type WebhookEvent } from './webhook-events.ts';
import { assertLoopback as assertLoopbackUrl } from '../http/loopback.ts';

export interface WebhookSendOptions {
  /** The subscription's signing secret; or `secrets` for several (rotation). One is required. */
  secret?: string;
  secrets?: readonly string[];
  /** Replaces `event.id`. */
  eventId?: string;
  /** `X-Webhook-Id`. Default: a fresh UUID, shared by all `times` sends. */
  webhookId?: string;
  /** Sends the same webhook (same ids and bytes) this many times, one after another. Default 1. */
  times?: number;
  /** `X-Webhook-Subscription`. Default 'PSUBSTD'. */
  subscriptionId?: string;
  /** More headers, like a subscription's custom headers. */
  headers?: Record<string, string>;
  /** Gives up on an attempt after this long, ms. Default 5000, PagerDuty's deadline. */
  timeoutMs?: number;
}

/** One POST of a webhook, as tests read it back. */
export interface WebhookDelivery {
  url: string;
  subscriptionId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  /** 1 for the first try of this webhook. */
  attempt: number;
  /** The receiver's HTTP status; absent when the request failed (see `error`). */
  status?: number;
  error?: string;
  /** The exact bytes sent, as text, and the headers. */
  body: string;
  headers: Record<string, string>;
  /** Epoch milliseconds when the answer (or failure) came. */
  at: number;
}

const DEFAULT_SUBSCRIPTION_ID = 'PSUBSTD';
/** Throws unless `url` is http(s) on this machine. */
export function assertLoopback(url: string): void {
  assertLoopbackUrl(url, 'PagerDutyStandIn');
}

/** The body and headers of one webhook; the signature covers exactly `body`. */
export function webhookRequest(
  event: WebhookEvent,
  options: WebhookSendOptions,
): { body: string; headers: Record<string, string>; webhookId: string; subscriptionId: string } {
  const secrets = options.secrets ?? (options.secret === undefined ? [] : [options.secret]);
  if (secrets.length === 0) throw new Error('sendWebhook: give a secret or secrets');

  const body = JSON.stringify({ event: { ...event, id: options.eventId ?? event.id } });
  const webhookId = options.webhookId ?? randomUUID();
  const subscriptionId = options.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID;
  const headers = {
    ...options.headers,
    'Content-Type': 'application/json',
    'User-Agent': 'PagerDuty-Webhook/V3.0',
    'X-Webhook-Id': webhookId,
    'X-Webhook-Subscription': subscriptionId,
    'X-PagerDuty-Signature': pagerDutySignature(secrets, body),
  };
  return { body, headers, webhookId, subscriptionId };
}

/** POSTs the webhook `times` times (default once), without retries; one delivery per POST. */
export async function postWebhook(
  url: string,
  event: WebhookEvent,
  options: WebhookSendOptions,
): Promise<WebhookDelivery[]> {
  assertLoopback(url);
  const times = options.times ?? 1;
  if (!Number.isInteger(times) || times < 1) throw new Error(`sendWebhook: bad times ${times}`);

  const request = webhookRequest(event, options);
  const deliveries: WebhookDelivery[] = [];
  for (let attempt = 1; attempt <= times; attempt += 1) {
    deliveries.push(await postOnce(url, event, request, attempt, options.timeoutMs ?? 5000));
  }
  return deliveries;
}

/** Whether PagerDuty would try this webhook again after that delivery. */
export function isRetryable(delivery: WebhookDelivery): boolean {
  const { status } = delivery;
  return status === undefined || status === 429 || status >= 500;
}

/**
 * Delivers with PagerDuty's retry rule: up to `attempts` tries (PagerDuty: 5), `retryDelayMs`
 * apart (PagerDuty backs off over minutes to hours; tests keep it short).
 */
export async function deliverWithRetries(
  url: string,
  event: WebhookEvent,
  options: WebhookSendOptions & { attempts: number; retryDelayMs: number },
  record: (delivery: WebhookDelivery) => void,
): Promise<void> {
  const request = webhookRequest(event, options);
  for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
    const delivery = await postOnce(url, event, request, attempt, options.timeoutMs ?? 5000);
    record(delivery);
    if (!isRetryable(delivery)) return;
    if (attempt < options.attempts) await sleep(options.retryDelayMs);
  }
}

async function postOnce(
  url: string,
  event: WebhookEvent,
  request: ReturnType<typeof webhookRequest>,
  attempt: number,
  timeoutMs: number,
): Promise<WebhookDelivery> {
  const base = {
    url,
    subscriptionId: request.subscriptionId,
    webhookId: request.webhookId,
    eventId: JSON.parse(request.body).event.id as string,
    eventType: event.event_type,
    attempt,
    body: request.body,
    headers: request.headers,
  };

  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer(); // drain, so the connection is free for the next webhook
    return { ...base, status: response.status, at: Date.now() };
  } catch (error) {
    return { ...base, error: String(error), at: Date.now() };
  }
}
