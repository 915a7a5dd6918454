import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The bot's Prometheus metrics, served at GET /metrics. Components get this object and count
 * what they do; gauges that describe state (incidents, queue) are read at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly alertsReceived = new Counter({
    name: 'firebreak_alerts_received_total',
    help:
      'Alert webhook deliveries, by source and outcome ' +
      '(accepted, ignored, refused_<status>, failed).',
    labelNames: ['source', 'outcome'],
    registers: [this.registry],
  });

  readonly outboundCalls = new Counter({
    name: 'firebreak_outbound_calls_total',
    help: 'Calls to other systems, by service, method and outcome (ok or the error code).',
    labelNames: ['service', 'method', 'outcome'],
    registers: [this.registry],
  });

  readonly outboundDuration = new Histogram({
    name: 'firebreak_outbound_call_duration_seconds',
    help: 'Duration of calls to other systems.',
    labelNames: ['service', 'method'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly rateLimitWaits = new Counter({
    name: 'firebreak_rate_limit_waits_total',
    help: 'Times a service told us to wait (HTTP 429), by service and method.',
    labelNames: ['service', 'method'],
    registers: [this.registry],
  });

  readonly rateLimitWaitSeconds = new Counter({
    name: 'firebreak_rate_limit_wait_seconds_total',
    help: 'Seconds services asked us to wait, by service and method.',
    labelNames: ['service', 'method'],
    registers: [this.registry],
  });

  readonly jobsGivenUp = new Counter({
    name: 'firebreak_outbound_jobs_given_up_total',
    help: 'Outbound jobs given up after their last attempt, by kind.',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  readonly slackAckSeconds = new Histogram({
    name: 'firebreak_slack_ack_seconds',
    help: 'Time from a Slack request arriving to its HTTP answer (Slack allows 3 s).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'firebreak_' });
  }

  /** A gauge whose value is read when Prometheus scrapes. */
  gauge(
    name: string,
    help: string,
    labelNames: string[],
    read: (set: (labels: Record<string, string>, value: number) => void) => void,
  ) {
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        read((labels, value) => this.set(labels, value));
      },
    });
  }
}
