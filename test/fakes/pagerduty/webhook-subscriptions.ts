/**
 * V3 webhook subscriptions of the stand-in: each change made through the REST API, the Events
 * API or a test helper is sent to every matching subscription, as the real PagerDuty would,
 * after the answer to the request that caused it. Deliveries of one subscription go one at a
 * time, in order (PagerDuty orders per subscription and incident).
 */
import type { WebhookEvent } from './webhook-events.ts';
import { assertLoopback, deliverWithRetries, type WebhookDelivery } from './webhook-sender.ts';

export interface SubscribeOptions {
  /** The signing secret; or `secrets` to sign with several (rotation). One is required. */
  secret?: string;
  secrets?: readonly string[];
  /** Event types to send. Default: all. */
  events?: readonly string[];
  /** Only incidents of these services (a `service_reference` filter). Default: all. */
  serviceIds?: readonly string[];
  /** Custom headers sent with every webhook (PagerDuty's `custom_headers`). */
  headers?: Record<string, string>;
  /** Tries per webhook. Default 5, PagerDuty's maximum. */
  attempts?: number;
  /** Wait between tries, ms. Default 20 (PagerDuty waits minutes). */
  retryDelayMs?: number;
}

export interface StandInSubscription {
  /** 'PSUB' + 3 digits; sent as `X-Webhook-Subscription`. */
  id: string;
  url: string;
}

interface Subscription extends StandInSubscription {
  options: SubscribeOptions;
  queue: Promise<void>;
}

export class WebhookSubscriptions {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly subscriptions = new Map<string, Subscription>();
  private count = 0;

  subscribe(url: string, options: SubscribeOptions): StandInSubscription {
    assertLoopback(url);
    if (options.secret === undefined && (options.secrets ?? []).length === 0) {
      throw new Error('subscribe: give a secret or secrets');
    }

    this.count += 1;
    const id = `PSUB${String(this.count).padStart(3, '0')}`;
    this.subscriptions.set(id, { id, url, options, queue: Promise.resolve() });
    return { id, url };
  }

  unsubscribe(id: string): void {
    this.subscriptions.delete(id);
  }

  /** Drops every subscription; webhooks still queued are not sent. */
  unsubscribeAll(): void {
    this.subscriptions.clear();
  }

  /** Queues `event` (about an incident of `serviceId`) to every subscription that wants it. */
  dispatch(event: WebhookEvent, serviceId: string | undefined): void {
    for (const subscription of this.subscriptions.values()) {
      const { events, serviceIds } = subscription.options;
      if (events !== undefined && !events.includes(event.event_type)) continue;
      if (
        serviceIds !== undefined &&
        (serviceId === undefined || !serviceIds.includes(serviceId))
      ) {
        continue;
      }

      subscription.queue = subscription.queue
        .then(() => this.deliver(subscription, event))
        .catch((error: unknown) =>
          console.error('PagerDutyStandIn: webhook delivery broke', error),
        );
    }
  }

  /** Resolves once every queued webhook was delivered, dropped or gave up retrying. */
  async settled(): Promise<void> {
    for (;;) {
      const queues = [...this.subscriptions.values()].map((subscription) => subscription.queue);
      await Promise.all(queues);
      const after = [...this.subscriptions.values()].map((subscription) => subscription.queue);
      if (after.every((queue, index) => queue === queues[index])) return;
    }
  }

  clear(): void {
    this.deliveries.length = 0;
  }

  private async deliver(subscription: Subscription, event: WebhookEvent): Promise<void> {
    if (!this.subscriptions.has(subscription.id)) return; // unsubscribed meanwhile

    const { options } = subscription;
    await deliverWithRetries(
      subscription.url,
      event,
      {
        ...(options.secret !== undefined && { secret: options.secret }),
        ...(options.secrets !== undefined && { secrets: options.secrets }),
        ...(options.headers !== undefined && { headers: options.headers }),
        subscriptionId: subscription.id,
        attempts: options.attempts ?? 5,
        retryDelayMs: options.retryDelayMs ?? 20,
      },
      (delivery) => this.deliveries.push(delivery),
    );
  }
}
