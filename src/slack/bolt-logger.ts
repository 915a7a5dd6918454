import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../core/ports.ts';

/** Bolt's logger interface over ours; Bolt's chatter goes to debug, its warnings stay warnings. */
export function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) =>
    parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' ');
  return {
    debug: (...parts) => logger.debug({ library: 'bolt' }, text(parts)),
    info: (...parts) => logger.debug({ library: 'bolt' }, text(parts)),
    warn: (...parts) => logger.warn({ library: 'bolt', detail: text(parts) }, 'bolt warning'),
    error: (...parts) => logger.error({ library: 'bolt', detail: text(parts) }, 'bolt error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
