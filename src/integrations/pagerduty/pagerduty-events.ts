import type { Logger } from '../../core/ports.ts';
import type { Severity } from '../../core/types.ts';
import { OutboundError, unreachable } from '../../outbound/outbound-error.ts';

/** PagerDuty suggests waiting about 30 s after a throttled event (wire-formats.md §4.1). */
const DEFAULT_RATE_LIMIT_WAIT_MS = 30_000;
const TIMEOUT_MS = 10_000;

export interface PagerDutyEventsOptions {
  /** The integration's 32-character routing key. */
  routingKey: string;
  /** Events API base, ending in `/` (https://events.pagerduty.com/, or a stand-in). */
  eventsUrl: string;
  logger: Logger;
}

/**
 * The PagerDuty Events API v2: trigger, acknowledge and resolve one alert by its `dedup_key`.
 * pdjs's event helpers only speak https to PagerDuty's own host, so this posts itself:
 * 202 is success; 400 a final error naming the problem; 429 waits (Retry-After or 30 s); 5xx and
 * network errors are retried by the outbound queue.
 */
export class PagerDutyEvents {
  readonly #o: PagerDutyEventsOptions;

  constructor(options: PagerDutyEventsOptions) {
    this.#o = options;
  }

  trigger(dedupKey: string, input: { summary: string; severity: Severity; details: object }) {
    return this.#send('trigger', dedupKey, {
      payload: {
        summary: input.summary.slice(0, 1024),
        source: 'firebreak',
        severity: input.severity,
        custom_details: input.details,
      },
    });
  }

  acknowledge(dedupKey: string) {
    return this.#send('acknowledge', dedupKey, {});
  }

  resolve(dedupKey: string) {
    return this.#send('resolve', dedupKey, {});
  }

  async #send(action: string, dedupKey: string, extra: object) {
    const what = `events ${action}`;
    let res: Response;
    try {
      res = await fetch(new URL('v2/enqueue', this.#o.eventsUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: this.#o.routingKey,
          event_action: action,
          dedup_key: dedupKey,
          ...extra,
        }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw unreachable('pagerduty', what, error);
    }
    const body = (await res.json().catch(() => ({}))) as { message?: string; errors?: string[] };
    if (res.status === 202 || res.ok) return;
    const detail = [body.message, ...(body.errors ?? [])].filter(Boolean).join('; ');
    const message = `${what}: HTTP ${res.status}${detail ? ` (${detail})` : ''}`;
    if (res.status === 429) {
      const seconds = Number(res.headers.get('retry-after') ?? NaN);
      const retryAfterMs = Number.isFinite(seconds) ? seconds * 1000 : DEFAULT_RATE_LIMIT_WAIT_MS;
      this.#o.logger.warn({ what, retryAfterMs }, 'pagerduty events rate limit');
      throw new OutboundError({ service: 'pagerduty', message, code: '429', retryAfterMs });
    }
    throw new OutboundError({
      service: 'pagerduty',
      message,
      code: String(res.status),
      retryable: res.status >= 500,
    });
  }
}
