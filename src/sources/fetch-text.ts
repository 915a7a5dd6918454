import { isSnsHost } from './cloudwatch.ts';

/** A signing certificate or a confirmation answer is a few KB; anything larger is wrong. */
const MAX_BYTES = 64 * 1024;
const TIMEOUT_MS = 10_000;

/**
 * Fetches a small text from Amazon SNS (a signing certificate, a SubscribeURL): https to an
 * `sns.<region>.amazonaws.com` host only, no redirects (a redirect could lead anywhere), at most
 * 64 KB, within 10 s. The routes check the host first; this checks again, so no caller can
 * make the bot fetch anything else.
 */
export async function fetchSnsText(url: string): Promise<string> {
  if (!isSnsHost(url)) throw new Error(`refused to fetch ${url}: not an Amazon SNS address`);
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${new URL(url).host} answered HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_BYTES) throw new Error(`${new URL(url).host} sent ${length} bytes`);
  const text = await response.text();
  if (text.length > MAX_BYTES) throw new Error(`${new URL(url).host} sent too much`);
  return text;
}
