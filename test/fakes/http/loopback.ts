/** Where the stand-ins may send webhooks: this machine, nothing else. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Throws unless `url` is http(s) on this machine; `who` names the stand-in in the error. */
export function assertLoopback(url: string, who: string): void {
  const { protocol, hostname } = new URL(url);
  if (!['http:', 'https:'].includes(protocol) || !LOOPBACK_HOSTS.has(hostname)) {
    throw new Error(`${who}: webhooks go to 127.0.0.1 only, not ${url}`);
  }
}
