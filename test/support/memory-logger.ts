import type { Logger } from '../../src/core/ports.ts';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

/** A Logger that keeps every line, so tests can assert what was logged (and how often). */
export function memoryLogger(
  lines: LogLine[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { lines: LogLine[] } {
  const log = (level: LogLine['level']) => (fields: object, msg: string) => {
    lines.push({ level, fields: { ...bindings, ...fields }, msg });
  };
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more: object) => memoryLogger(lines, { ...bindings, ...more }),
  };
}
