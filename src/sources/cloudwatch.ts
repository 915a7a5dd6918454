import { z } from 'zod';
import { normalizeSeverity } from '../core/severity.ts';
import type { Link, Severity } from '../core/types.ts';
import { isWebUrl, parseBody, type ParseResult } from './parse-result.ts';

const text = z.string();
const signed = {
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: text,
  Timestamp: z.string().min(1),
  Signature: z.string().min(1),
  SignatureVersion: z.enum(['1', '2']),
  SigningCertURL: z.string().min(1),
};

const confirmation = { Token: z.string().min(1), SubscribeURL: z.string().min(1) };

/**
 * The SNS HTTP(S) envelope; only the fields we use or that are signed are declared.
 * https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html
 */
const envelopeSchema = z.discriminatedUnion(
  'Type',
  [
    z.object({ Type: z.literal('Notification'), ...signed, Subject: text.optional() }),
    z.object({ Type: z.literal('SubscriptionConfirmation'), ...signed, ...confirmation }),
    z.object({ Type: z.literal('UnsubscribeConfirmation'), ...signed, ...confirmation }),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : 'must be one of "Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"',
  },
);

export type SnsEnvelope = z.infer<typeof envelopeSchema>;

/** Reads an SNS message (the whole POST body); names the first field that is missing or wrong. */
export function parseSnsEnvelope(
  body: unknown,
): { ok: true; envelope: SnsEnvelope } | { ok: false; field: string; message: string } {
  const parsed = parseBody(envelopeSchema, body);
  return parsed.ok ? { ok: true, envelope: parsed.data } : parsed;
}

/**
 * The text SNS signs: `Key\nValue\n` for each key in this order, skipping an absent Subject.
 * SignatureVersion 1 signs it with SHA1withRSA, 2 with SHA256withRSA.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
export function snsStringToSign(envelope: SnsEnvelope) {
  const keys =
    envelope.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : ([
          'Message',
          'MessageId',
          'SubscribeURL',
          'Timestamp',
          'Token',
          'TopicArn',
          'Type',
        ] as const);
  const fields = envelope as Partial<Record<(typeof keys)[number], string>>;
  return keys
    .filter((key) => fields[key] !== undefined)
    .map((key) => `${key}\n${fields[key]}\n`)
    .join('');
}

/** node:crypto's name for the signature algorithm of an SNS SignatureVersion. */
export function snsSignatureAlgorithm(version: SnsEnvelope['SignatureVersion']) {
  return version === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
}

const SNS_HOST = /^sns\.[a-z]{2}(?:-[a-z]+){1,2}-\d{1,2}\.amazonaws\.com$/;

/**
 * True only for `https://sns.<region>.amazonaws.com/…` (default port, no credentials), the hosts
 * SNS signs with and confirms from. The text must start with exactly that origin and a slash,
 * so a URL another parser reads differently (backslashes, `%2E`, a trailing dot) is refused.
 * China's `.amazonaws.com.cn` is not accepted: wire-formats.md §1.4 names only `.amazonaws.com`.
 */
export function isSnsHost(value: string) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  if (!SNS_HOST.test(url.hostname)) return false;
  return value.startsWith(`https://${url.hostname}/`) && !/[\s\\]/.test(value);
}

const STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;

/** CloudWatch writes `2026-03-14T02:52:10.412+0000`: an offset without a colon. */
const changeTime = z
  .string()
  .refine(
    (value) => toIso(value) !== undefined,
    'must be a time like 2026-03-14T02:52:10.412+0000',
  );

/** The alarm, a JSON document inside a Notification's `Message`; only fields we use declared. */
const alarmSchema = z.object({
  AlarmName: z.string().trim().min(1, 'must not be empty'),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string().nullish(),
  NewStateValue: z.enum(STATES),
  OldStateValue: z.string().nullish(),
  NewStateReason: z.string().nullish(),
  StateChangeTime: changeTime.nullish(),
  Region: z.string().nullish(),
  AlarmArn: z.string().nullish(),
  Trigger: z
    .object({
      MetricName: z.string().nullish(),
      Namespace: z.string().nullish(),
      Dimensions: z
        .array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]) }))
        .nullish(),
    })
    .nullish(),
});

type Alarm = z.infer<typeof alarmSchema>;

/** The alert list's line; the reason (long: datapoints, threshold) goes in the description. */
const SUMMARY: Readonly<Record<Alarm['NewStateValue'], string>> = {
  ALARM: 'in ALARM',
  OK: 'is OK',
  INSUFFICIENT_DATA: 'has insufficient data',
};

/**
 * A CloudWatch alarm state change as one alert, keyed by its ARN (else account, region, name).
 * ALARM fires and OK resolves. INSUFFICIENT_DATA fires at warning: SNS only sends it when the
 * alarm's InsufficientDataActions name the topic, so someone asked to hear that the metric went
 * quiet. Severity is a `severity=<word>` in the description, else error.
 */
export function parseCloudWatchAlarm(message: unknown): ParseResult {
  const parsed = parseBody(alarmSchema, message);
  if (!parsed.ok) return parsed;

  const alarm = parsed.data;
  const key = alarm.AlarmArn || [alarm.AWSAccountId, alarm.Region, alarm.AlarmName].join('/');
  const resolved = alarm.NewStateValue === 'OK';
  const at = alarm.StateChangeTime ? toIso(alarm.StateChangeTime) : undefined;
  return {
    ok: true,
    batch: {
      source: 'cloudwatch',
      groupKey: key,
      title: alarm.AlarmName,
      description: alarm.AlarmDescription ?? undefined,
      links: [],
      alerts: [
        {
          key,
          status: resolved ? 'resolved' : 'firing',
          title: alarm.AlarmName,
          summary: `${alarm.AlarmName} ${SUMMARY[alarm.NewStateValue]}`,
          description: descriptionOf(alarm),
          severity: severityOf(alarm),
          labels: labelsOf(alarm),
          links: linksOf(alarm),
          startsAt: resolved ? undefined : at,
          endsAt: resolved ? at : undefined,
        },
      ],
    },
  };
}

function severityOf(alarm: Alarm): Severity {
  if (alarm.NewStateValue === 'INSUFFICIENT_DATA') return 'warning';

  const word = alarm.AlarmDescription?.match(/\bseverity\s*[=:]\s*([a-z0-9]+)/i)?.[1];
  return normalizeSeverity(word, 'error');
}

function descriptionOf(alarm: Alarm) {
  const parts = [alarm.AlarmDescription, alarm.NewStateReason].filter((p) => p && p.trim());
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

function labelsOf(alarm: Alarm) {
  const labels: Record<string, string> = { alarm: alarm.AlarmName, state: alarm.NewStateValue };
  const optional: Record<string, string | null | undefined> = {
    previous_state: alarm.OldStateValue,
    account: alarm.AWSAccountId,
    region: alarm.Region,
    namespace: alarm.Trigger?.Namespace,
    metric: alarm.Trigger?.MetricName,
  };
  for (const [name, value] of Object.entries(optional)) if (value) labels[name] = value;
  for (const d of alarm.Trigger?.Dimensions ?? []) labels[`dimension.${d.name}`] = String(d.value);
  return labels;
}

/** The alarm in the CloudWatch console (commercial partition only), and a runbook it names. */
function linksOf(alarm: Alarm): Link[] {
  const links: Link[] = [];
  const arn = alarm.AlarmArn?.match(/^arn:aws:cloudwatch:([a-z]{2}(?:-[a-z]+){1,2}-\d{1,2}):/);
  if (arn) {
    const region = arn[1];
    const url =
      `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
      `#alarmsV2:alarm/${encodeURIComponent(alarm.AlarmName)}`;
    links.push({ title: 'CloudWatch alarm', url, kind: 'generator' });
  }
  const runbook = alarm.AlarmDescription?.match(/runbook\s*[:=]\s*(\S+)/i)?.[1]?.replace(
    /[.,;)]+$/,
    '',
  );
  if (isWebUrl(runbook)) links.push({ title: 'Runbook', url: runbook, kind: 'runbook' });
  return links;
}

/** `2026-03-14T02:52:10.412+0000` (or any ISO 8601 time) as UTC ISO 8601; undefined if not. */
function toIso(value: string) {
  const withColon = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(withColon)) return undefined;
  const time = new Date(withColon);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
