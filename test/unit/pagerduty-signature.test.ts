import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPagerDutySignature } from '../../src/integrations/pagerduty/pagerduty-signature.ts';

const body = Buffer.from('{"event":{"id":"01EVTTEST0001","event_type":"incident.acknowledged"}}');
const sign = (secret: string, raw: Buffer = body) =>
  `v1=${createHmac('sha256', secret).update(raw).digest('hex')}`;

describe('verifyPagerDutySignature', () => {
  it('accepts the signature made with our secret', () => {
    expect(verifyPagerDutySignature(sign('current-secret'), body, ['current-secret'])).toBe(true);
  });

  it('accepts any of several signatures while a secret is rotated', () => {
    const header = `${sign('old-secret')}, ${sign('new-secret')}`;

    expect(verifyPagerDutySignature(header, body, ['new-secret'])).toBe(true);
    expect(verifyPagerDutySignature(header, body, ['old-secret'])).toBe(true);
  });

  it('accepts our previous secret too when two are configured', () => {
    expect(verifyPagerDutySignature(sign('previous'), body, ['current', 'previous'])).toBe(true);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['another secret', sign('someone-else')],
    ['a tampered body', sign('current-secret', Buffer.from('{"event":{}}'))],
    ['an unknown scheme', sign('current-secret').replace('v1=', 'v2=')],
    ['hex that is too short', 'v1=abcd'],
    ['not hex at all', 'v1=zzzz'],
  ])('refuses %s', (_what, header) => {
    expect(verifyPagerDutySignature(header, body, ['current-secret'])).toBe(false);
  });

  it('refuses everything when no secret is configured', () => {
    expect(verifyPagerDutySignature(sign(''), body, [])).toBe(false);
  });
});
