import { createSign, createVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertBatch, NormalizedAlert } from '../../src/core/types.ts';
import {
  isSnsHost,
  parseCloudWatchAlarm,
  parseSnsEnvelope,
  snsSignatureAlgorithm,
  snsStringToSign,
  type SnsEnvelope,
} from '../../src/sources/cloudwatch.ts';
import type { ParseResult } from '../../src/sources/parse-result.ts';
import { readFixture } from './fixtures.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'cloudwatch');
const CERT = readFileSync(join(FIXTURES, 'sns-test-signing-cert.pem'), 'utf8');
const KEY = readFileSync(join(FIXTURES, 'sns-test-signing-key.pem'), 'utf8');

function envelopeOf(body: unknown): SnsEnvelope {
  const parsed = parseSnsEnvelope(body);
  if (!parsed.ok) throw new Error(`did not parse: ${parsed.field} ${parsed.message}`);
  return parsed.envelope;
}

function verifies(envelope: SnsEnvelope) {
  const verifier = createVerify(snsSignatureAlgorithm(envelope.SignatureVersion));
  verifier.update(snsStringToSign(envelope), 'utf8');
  return verifier.verify(CERT, envelope.Signature, 'base64');
}

function batchOf(result: ParseResult): AlertBatch {
  if (!result.ok) throw new Error(`did not parse: ${result.field} ${result.message}`);
  return result.batch;
}

function soleAlert(batch: AlertBatch): NormalizedAlert {
  expect(batch.alerts).toHaveLength(1);
  return batch.alerts[0] as NormalizedAlert;
}

/** The alarm document inside a fixture's `Message`, with some fields replaced. */
function alarm(file: string, fields: Record<string, unknown> = {}) {
  const envelope = readFixture(`cloudwatch/${file}`) as { Message: string };
  return { ...(JSON.parse(envelope.Message) as Record<string, unknown>), ...fields };
}

const signed = {
  MessageId: 'm-1',
  TopicArn: 'arn:aws:sns:eu-west-1:111122223333:alarms',
  Message: 'hello',
  Timestamp: '2024-06-01T10:00:00.000Z',
  SignatureVersion: '1' as const,
  Signature: 'c2ln',
  SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/cert.pem',
};

describe('snsStringToSign', () => {
  it('lists a notification in key order, Subject included', () => {
    const envelope: SnsEnvelope = { Type: 'Notification', Subject: 'ALARM: x', ...signed };

    expect(snsStringToSign(envelope)).toBe(
      'Message\nhello\nMessageId\nm-1\nSubject\nALARM: x\nTimestamp\n2024-06-01T10:00:00.000Z\n' +
        'TopicArn\narn:aws:sns:eu-west-1:111122223333:alarms\nType\nNotification\n',
    );
  });

  it('skips the Subject of a notification that has none', () => {
    const envelope: SnsEnvelope = { Type: 'Notification', ...signed };

    expect(snsStringToSign(envelope)).not.toContain('Subject');
  });

  it('lists a confirmation with SubscribeURL and Token, and never the UnsubscribeURL', () => {
    const envelope: SnsEnvelope = {
      Type: 'SubscriptionConfirmation',
      ...signed,
      Token: 'tok',
      SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription',
    };

    expect(snsStringToSign(envelope)).toBe(
      'Message\nhello\nMessageId\nm-1\n' +
        'SubscribeURL\nhttps://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription\n' +
        'Timestamp\n2024-06-01T10:00:00.000Z\nToken\ntok\n' +
        'TopicArn\narn:aws:sns:eu-west-1:111122223333:alarms\nType\nSubscriptionConfirmation\n',
    );
  });

  it.each(['sns-alarm.json', 'sns-ok.json', 'sns-subscription-confirmation.json'])(
    'reproduces what signed the fixture %s (SignatureVersion 1, SHA1withRSA)',
    (file) => {
      const envelope = envelopeOf(readFixture(`cloudwatch/${file}`));

      expect(envelope.SignatureVersion).toBe('1');
      expect(verifies(envelope)).toBe(true);
    },
  );

  it('verifies SignatureVersion 2 with SHA256withRSA', () => {
    const envelope = envelopeOf({ ...signed, Type: 'Notification', SignatureVersion: '2' });
    envelope.Signature = createSign('RSA-SHA256')
      .update(snsStringToSign(envelope))
      .sign(KEY, 'base64');

    expect(verifies(envelope)).toBe(true);
    expect(verifies({ ...envelope, SignatureVersion: '1' })).toBe(false);
  });

  it('no longer verifies once the Message changed', () => {
    const envelope = envelopeOf(readFixture('cloudwatch/sns-alarm.json'));

    expect(verifies({ ...envelope, Message: envelope.Message.replace('ALARM', 'OK') })).toBe(false);
  });
});

describe('parseSnsEnvelope', () => {
  it('reads the F10 confirmation but says Signature is required: SNS signs every message', () => {
    const f10 = {
      Type: 'SubscriptionConfirmation',
      MessageId: '00000000-0000-0000-0000-000000000001',
      Token: 'tok-test',
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:alarms',
      Message: 'confirm',
      SubscribeURL:
        'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok-test',
      Timestamp: '2024-06-01T10:00:00.000Z',
    };

    expect(parseSnsEnvelope(f10)).toEqual({
      ok: false,
      field: 'Signature',
      message: 'is required',
    });
  });

  it('says Type is required when it is missing', () => {
    expect(parseSnsEnvelope({ ...signed })).toEqual({
      ok: false,
      field: 'Type',
      message: 'is required',
    });
  });

  it('refuses an unknown Type, naming it', () => {
    expect(parseSnsEnvelope({ ...signed, Type: 'Other' })).toMatchObject({
      ok: false,
      field: 'Type',
    });
  });

  it('refuses a SignatureVersion other than 1 or 2', () => {
    const body = { ...signed, Type: 'Notification', SignatureVersion: '3' };

    expect(parseSnsEnvelope(body)).toMatchObject({ ok: false, field: 'SignatureVersion' });
  });

  it('says SubscribeURL is required on a confirmation', () => {
    const body = { ...signed, Type: 'SubscriptionConfirmation', Token: 'tok' };

    expect(parseSnsEnvelope(body)).toEqual({
      ok: false,
      field: 'SubscribeURL',
      message: 'is required',
    });
  });
});

describe('isSnsHost', () => {
  it.each([
    'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem',
    'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t',
    'https://sns.ap-southeast-2.amazonaws.com/x.pem',
    'https://sns.us-gov-west-1.amazonaws.com/x.pem',
    'https://sns.il-central-1.amazonaws.com/x.pem',
  ])('accepts %s', (url) => {
    expect(isSnsHost(url)).toBe(true);
  });

  it.each([
    ['http', 'http://sns.eu-west-1.amazonaws.com/x.pem'],
    ['a look-alike suffix', 'https://sns.eu-west-1.amazonaws.com.evil.test/x.pem'],
    ['a look-alike prefix', 'https://evilsns.eu-west-1.amazonaws.com/x.pem'],
    ['another service', 'https://sqs.eu-west-1.amazonaws.com/x.pem'],
    ['no region', 'https://sns.amazonaws.com/x.pem'],
    ['a made-up region', 'https://sns.evil.amazonaws.com/x.pem'],
    ['a nested host', 'https://sns.evil.test.eu-west-1.amazonaws.com/x.pem'],
    ['userinfo', 'https://sns.eu-west-1.amazonaws.com@evil.test/x.pem'],
    ['userinfo before the host', 'https://evil.test@sns.eu-west-1.amazonaws.com/x.pem'],
    ['a port', 'https://sns.eu-west-1.amazonaws.com:8443/x.pem'],
    ['a trailing dot', 'https://sns.eu-west-1.amazonaws.com./x.pem'],
    ['upper case', 'https://SNS.eu-west-1.amazonaws.com/x.pem'],
    ['an encoded dot', 'https://sns.eu-west-1.amazonaws%2Ecom/x.pem'],
    ['a backslash', 'https://sns.eu-west-1.amazonaws.com\\@evil.test/x.pem'],
    ['no path', 'https://sns.eu-west-1.amazonaws.com'],
    ['China (not in wire-formats.md)', 'https://sns.cn-north-1.amazonaws.com.cn/x.pem'],
    ['a loopback', 'https://127.0.0.1/x.pem'],
    ['not a URL', 'sns.eu-west-1.amazonaws.com/x.pem'],
    ['an empty string', ''],
  ])('refuses %s', (_what, url) => {
    expect(isSnsHost(url)).toBe(false);
  });
});

describe('parseCloudWatchAlarm', () => {
  it('maps the ALARM fixture to one firing alert keyed by its ARN', () => {
    const batch = batchOf(parseCloudWatchAlarm(alarm('sns-alarm.json')));

    const alert = soleAlert(batch);
    const arn = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-alb-target-5xx-high';
    expect(batch).toMatchObject({
      source: 'cloudwatch',
      groupKey: arn,
      title: 'checkout-alb-target-5xx-high',
    });
    expect(alert).toMatchObject({
      key: arn,
      status: 'firing',
      severity: 'error',
      summary: 'checkout-alb-target-5xx-high in ALARM',
      startsAt: '2026-03-14T02:52:10.412Z',
    });
    expect(alert.description).toContain('Threshold Crossed: 2 out of the last 3 datapoints');
    expect(alert.labels).toMatchObject({
      alarm: 'checkout-alb-target-5xx-high',
      state: 'ALARM',
      account: '123456789012',
      region: 'EU - Ireland',
      namespace: 'AWS/ApplicationELB',
      metric: 'HTTPCode_Target_5XX_Count',
      'dimension.LoadBalancer': 'app/checkout-prod/4f6c1e2a9b3d7e80',
    });
    expect(alert.links).toEqual([
      {
        title: 'CloudWatch alarm',
        url: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/checkout-alb-target-5xx-high',
        kind: 'generator',
      },
      { title: 'Runbook', url: 'https://runbooks.example.test/checkout/alb-5xx', kind: 'runbook' },
    ]);
  });

  it('maps the OK fixture to the same alert, resolved at its state change time', () => {
    const firing = soleAlert(batchOf(parseCloudWatchAlarm(alarm('sns-alarm.json'))));

    const resolved = soleAlert(batchOf(parseCloudWatchAlarm(alarm('sns-ok.json'))));

    expect(resolved).toMatchObject({
      key: firing.key,
      status: 'resolved',
      endsAt: '2026-03-14T03:19:10.834Z',
    });
    expect(resolved.startsAt).toBeUndefined();
  });

  it('reads the F10 alarm of three fields, keyed by its name', () => {
    const message = JSON.parse(
      '{"AlarmName":"HighCPU-api","NewStateValue":"ALARM","StateChangeTime":"2024-06-01T10:01:00.000+0000"}',
    ) as unknown;

    const alert = soleAlert(batchOf(parseCloudWatchAlarm(message)));

    expect(alert).toMatchObject({
      key: '//HighCPU-api',
      status: 'firing',
      severity: 'error',
      startsAt: '2024-06-01T10:01:00.000Z',
      links: [],
    });
  });

  it('keys an alarm without ARN by account, region and name', () => {
    const message = alarm('sns-alarm.json', { AlarmArn: undefined });

    const alert = soleAlert(batchOf(parseCloudWatchAlarm(message)));

    expect(alert.key).toBe('123456789012/EU - Ireland/checkout-alb-target-5xx-high');
    expect(alert.links.map((l) => l.title)).toEqual(['Runbook']);
  });

  it.each([
    ['severity=critical on call', 'critical'],
    ['Disk filling. severity: warning', 'warning'],
    ['SEVERITY=P1', 'critical'],
    ['severity=whatever', 'error'],
    [null, 'error'],
  ])('reads the description %j as severity %s', (description, severity) => {
    const message = alarm('sns-alarm.json', { AlarmDescription: description });

    const alert = soleAlert(batchOf(parseCloudWatchAlarm(message)));

    expect(alert.severity).toBe(severity);
  });

  it('fires INSUFFICIENT_DATA at warning, whatever the description says', () => {
    const message = alarm('sns-alarm.json', {
      NewStateValue: 'INSUFFICIENT_DATA',
      AlarmDescription: 'severity=critical',
    });

    const alert = soleAlert(batchOf(parseCloudWatchAlarm(message)));

    expect(alert).toMatchObject({ status: 'firing', severity: 'warning' });
  });

  it('says AlarmName is required when it is missing', () => {
    const result = parseCloudWatchAlarm(alarm('sns-alarm.json', { AlarmName: undefined }));

    expect(result).toEqual({ ok: false, field: 'AlarmName', message: 'is required' });
  });

  it('refuses an unknown state, naming NewStateValue', () => {
    const result = parseCloudWatchAlarm(alarm('sns-alarm.json', { NewStateValue: 'BROKEN' }));

    expect(result).toMatchObject({ ok: false, field: 'NewStateValue' });
  });

  it('refuses a StateChangeTime that is not a time', () => {
    const result = parseCloudWatchAlarm(alarm('sns-alarm.json', { StateChangeTime: 'yesterday' }));

    expect(result).toMatchObject({ ok: false, field: 'StateChangeTime' });
  });

  it('refuses a Message that is not an object', () => {
    expect(parseCloudWatchAlarm('ALARM')).toMatchObject({ ok: false, field: '(body)' });
  });
});
