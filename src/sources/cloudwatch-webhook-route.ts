import { createVerify, X509Certificate } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import type { Health } from '../health.ts';
import type { Metrics } from '../metrics.ts';
import type { SeenDeliveries } from '../store/seen-deliveries.ts';
import {
  isSnsHost,
  parseCloudWatchAlarm,
  parseSnsEnvelope,
  snsSignatureAlgorithm,
  snsStringToSign,
  type SnsEnvelope,
} from './cloudwatch.ts';

/**
 * SNS messages are at most 256 KB.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html
 */
const MAX_BODY_BYTES = 256 * 1024;

/** Signing certificates kept; SNS rotates them rarely and uses one per region. */
const MAX_CERTIFICATES = 16;

export interface CloudWatchWebhookRouteOptions {
  incidents: IncidentService;
  health: Health;
  logger: Logger;
  metrics?: Metrics;
  /**
   * GETs a URL and resolves with its body: the signing certificate, and `SubscribeURL` to confirm
   * a subscription. Only called with URLs that pass `isSnsHost`. Should refuse redirects.
   */
  fetchText: (url: string) => Promise<string>;
  /** When set, only these topics are accepted (others 403); unset, every topic is. */
  topicArns?: readonly string[];
  /**
   * MessageIds applied lately: SNS redelivers with the same MessageId, and a signed message
   * replayed by someone who captured it has it too; each is applied once.
   */
  seen?: SeenDeliveries;
}

type Reply = { status: number; body: Record<string, unknown> };
/** Where SNS keeps its signing certificates: nothing else on the host is fetched as one. */
const CERT_PATH = /^\/SimpleNotificationService-[0-9a-f]{32}\.pem$/;
type Confirmation = Extract<SnsEnvelope, { Type: 'SubscriptionConfirmation' }>;

/**
 * `POST /webhooks/cloudwatch`: CloudWatch alarms through an SNS HTTP(S) subscription. SNS sends
 * JSON as `text/plain` (field report F10), so the raw body is parsed here whatever its type.
 * Every message's SNS signature is checked with the certificate from its `SigningCertURL`,
 * fetched only from an SNS host; a subscription is confirmed once by fetching `SubscribeURL`,
 * again only from an SNS host. Alarms are answered 202 once stored.
 */
export function cloudWatchWebhookRoute(options: CloudWatchWebhookRouteOptions): Router {
  const { incidents, metrics } = options;
  const logger = options.logger.child({ route: '/webhooks/cloudwatch' });
  const certificates = new SnsCertificates(options.fetchText);
  const count = (outcome: string) => metrics?.alertsReceived.inc({ source: 'cloudwatch', outcome });
  const refuse = (res: express.Response, { status, body }: Reply) => {
    logger.warn({ status, error: body.error, field: body.field, from: res.req.ip }, 'sns refused');
    count(`refused_${status}`);
    res.status(status).json(body);
  };

  const unreadable: ErrorRequestHandler = (error: { type?: string }, _req, res, next) => {
    if (error.type === 'entity.too.large')
      return refuse(res, reply(413, 'payload_too_large', 'at most 256 KB'));
    if (error.type) return refuse(res, reply(400, 'unreadable_body', 'unreadable'));
    next(error);
  };

  const verify = async (envelope: SnsEnvelope): Promise<Reply | undefined> => {
    let certificate: X509Certificate;
    try {
      certificate = await certificates.get(envelope.SigningCertURL);
    } catch (error) {
      logger.warn({ err: error, url: envelope.SigningCertURL }, 'sns certificate unavailable');
      const message = 'the signing certificate could not be fetched; retry later';
      return reply(503, 'certificate_unavailable', message);
    }
    if (signatureMatches(envelope, certificate)) return undefined;
    return reply(401, 'bad_signature', 'Signature does not match');
  };

  const confirm = async (envelope: Confirmation): Promise<Reply> => {
    const topic = envelope.TopicArn;
    try {
      // Once per delivery, never retried here: SNS (or a person) sends the confirmation again.
      await options.fetchText(envelope.SubscribeURL);
    } catch (error) {
      logger.warn({ err: error, topic }, 'sns subscription not confirmed');
      const message = 'SubscribeURL could not be fetched; confirm the subscription by hand';
      return reply(502, 'confirm_failed', message);
    }
    logger.info({ topic }, 'sns subscription confirmed');
    return { status: 202, body: { status: 'confirmed' } };
  };

  const notify = async (envelope: SnsEnvelope): Promise<Reply> => {
    let message: unknown;
    try {
      message = JSON.parse(envelope.Message);
    } catch (error) {
      const reason = (error as Error).message;
      logger.warn({ reason, messageId: envelope.MessageId }, 'sns message is not json');
      return reply(400, 'invalid_message', 'Message is not JSON', 'Message');
    }
    const parsed = parseCloudWatchAlarm(message);
    if (!parsed.ok) {
      const field = `Message.${parsed.field}`;
      return reply(400, 'invalid_payload', `${field} ${parsed.message}`, field);
    }

    const result = await incidents.ingest(parsed.batch);
    const status = result.ignored ? 'ignored' : 'accepted';
    count(status);
    options.health.clear('store');
    return { status: 202, body: { status, incident: result.incidentId, created: result.created } };
  };

  /** Checks that need no fetch: topic allow-list, certificate host, confirmation host. */
  const admit = (envelope: SnsEnvelope): Reply | undefined => {
    if (options.topicArns && !options.topicArns.includes(envelope.TopicArn))
      return reply(
        403,
        'topic_not_allowed',
        `TopicArn ${envelope.TopicArn} is not in CLOUDWATCH_TOPIC_ARNS`,
        'TopicArn',
      );
    if (
      !isSnsHost(envelope.SigningCertURL) ||
      !CERT_PATH.test(new URL(envelope.SigningCertURL).pathname)
    )
      return reply(
        401,
        'bad_signature',
        'SigningCertURL is not an SNS certificate',
        'SigningCertURL',
      );
    if (envelope.Type === 'SubscriptionConfirmation' && !isSnsHost(envelope.SubscribeURL)) {
      // Not fetched: only a person who trusts this URL should open it.
      logger.warn({ url: envelope.SubscribeURL, topic: envelope.TopicArn }, 'sns confirm by hand');
      return reply(400, 'invalid_payload', 'SubscribeURL is not an SNS host', 'SubscribeURL');
    }
    return undefined;
  };

  const handle = async (envelope: SnsEnvelope): Promise<Reply> => {
    if (envelope.Type === 'SubscriptionConfirmation') return confirm(envelope);
    if (envelope.Type === 'Notification') {
      const key = `sns:${envelope.MessageId}`;
      if (options.seen && !(await options.seen.firstTime(key)))
        return { status: 202, body: { status: 'duplicate' } };
      return notify(envelope).catch((error: unknown) => {
        // Not applied: SNS's retry must get another chance.
        options.seen?.forget(key);
        throw error;
      });
    }

    logger.info({ topic: envelope.TopicArn }, 'sns subscription removed');
    return { status: 202, body: { status: 'ignored' } };
  };

  const accept: RequestHandler = async (req, res) => {
    const body = readBody(req.body);
    if (body === undefined) return refuse(res, reply(400, 'invalid_json', 'not JSON', '(body)'));
    const parsed = parseSnsEnvelope(body);
    if (!parsed.ok) {
      const message = `${parsed.field} ${parsed.message}`;
      return refuse(res, reply(400, 'invalid_payload', message, parsed.field));
    }

    const refused = admit(parsed.envelope) ?? (await verify(parsed.envelope));
    if (refused) return refuse(res, refused);

    let answer: Reply;
    try {
      answer = await handle(parsed.envelope);
    } catch (error) {
      logger.error({ err: error }, 'alarm could not be stored');
      options.health.report('store', `cannot write to DATA_DIR: ${(error as Error).message}`);
      count('failed');
      answer = reply(500, 'store_failed', 'not stored; retry later');
    }
    if (answer.status >= 400 && answer.status < 500) return refuse(res, answer);
    res.status(answer.status).json(answer.body);
  };

  const router = express.Router();
  router.post(
    '/webhooks/cloudwatch',
    express.raw({ type: () => true, limit: MAX_BODY_BYTES }),
    unreadable,
    accept,
  );
  return router;
}

/**
 * The raw bytes as JSON; undefined when they are not JSON. SNS signs the fields, not the bytes,
 * so a body an app-wide parser already read (a string, an object) is taken as it is.
 */
function readBody(body: unknown): unknown {
  if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) return body;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function reply(status: number, error: string, message: string, field?: string): Reply {
  return { status, body: field ? { error, field, message } : { error, message } };
}

/** Verifies the message's SNS signature; false for any malformed signature or key. */
function signatureMatches(envelope: SnsEnvelope, certificate: X509Certificate) {
  try {
    const verifier = createVerify(snsSignatureAlgorithm(envelope.SignatureVersion));
    verifier.update(snsStringToSign(envelope), 'utf8');
    return verifier.verify(certificate.publicKey, envelope.Signature, 'base64');
  } catch {
    return false;
  }
}

/**
 * SNS signing certificates by URL, fetched once (concurrent requests share the fetch), at most
 * MAX_CERTIFICATES kept, the least recently used dropped first. A failed fetch is not kept.
 */
class SnsCertificates {
  readonly #fetchText: (url: string) => Promise<string>;
  readonly #byUrl = new Map<string, Promise<X509Certificate>>();

  constructor(fetchText: (url: string) => Promise<string>) {
    this.#fetchText = fetchText;
  }

  get(url: string) {
    const known = this.#byUrl.get(url);
    if (known) {
      this.#byUrl.delete(url);
      this.#byUrl.set(url, known);
      return known;
    }

    const fetched = this.#fetchText(url).then((pem) => new X509Certificate(pem));
    fetched.catch(() => {
      if (this.#byUrl.get(url) === fetched) this.#byUrl.delete(url);
    });
    this.#byUrl.set(url, fetched);
    const oldest = this.#byUrl.keys().next().value;
    if (this.#byUrl.size > MAX_CERTIFICATES && oldest !== undefined) this.#byUrl.delete(oldest);
    return fetched;
  }
}
