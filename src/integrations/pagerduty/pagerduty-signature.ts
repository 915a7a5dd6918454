import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks `X-PagerDuty-Signature` on a V3 webhook: one or more `v1=<hex>` values, comma-separated
 * (several while a secret is rotated), each HMAC-SHA256 of the raw body with a signing secret.
 * Valid when any value matches any of our secrets; compared in constant time.
 * https://developer.pagerduty.com/docs/webhooks/webhook-signatures
 */
export function verifyPagerDutySignature(
  header: string | undefined,
  rawBody: Buffer,
  secrets: readonly string[],
) {
  if (!header || secrets.length === 0) return false;
  const offered = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => Buffer.from(part.slice(3), 'hex'));
  let valid = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    for (const signature of offered) {
      // Every pair is compared (no early exit), so timing says nothing about which matched.
      if (signature.length === expected.length && timingSafeEqual(signature, expected))
        valid = true;
    }
  }
  return valid;
}
