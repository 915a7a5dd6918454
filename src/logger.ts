import { pino } from 'pino';
import type { Logger } from './core/ports.ts';

/**
 * The one pino logger; components take child loggers. Anything that looks like a credential is
 * redacted, whatever the component passes in.
 */
export function createLogger(options: { level: string; format: 'json' | 'pretty' }): Logger {
  return pino({
    level: options.level,
    redact: {
      paths: [
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'headers',
        '*.headers',
        'signingSecret',
        '*.signingSecret',
        'appToken',
        '*.appToken',
      ],
      censor: '[redacted]',
    },
    transport:
      options.format === 'pretty'
        ? {
            target: 'pino-pretty',
            options: { translateTime: 'UTC:HH:MM:ss', ignore: 'pid,hostname' },
          }
        : undefined,
  });
}
