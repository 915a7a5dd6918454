import { SEVERITIES, type Severity } from './types.ts';

/** Every severity word we understand, lower-case, and what it means. */
export const SEVERITY_ALIASES: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  crit: 'critical',
  page: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  p1: 'critical',
  sev1: 'critical',
  error: 'error',
  err: 'error',
  high: 'error',
  major: 'error',
  p2: 'error',
  sev2: 'error',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  minor: 'warning',
  p3: 'warning',
  sev3: 'warning',
  info: 'info',
  informational: 'info',
  low: 'info',
  none: 'info',
  p4: 'info',
  p5: 'info',
  sev4: 'info',
};

/** Maps the many spellings sources use ('page', 'P1', 'warn') to our four levels. */
export function normalizeSeverity(value: string | undefined, fallback: Severity = 'warning') {
  if (value === undefined) return fallback;
  return SEVERITY_ALIASES[value.trim().toLowerCase()] ?? fallback;
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** The more severe of two severities. */
export function worstSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

const LABELS: Readonly<Record<Severity, string>> = {
  critical: 'SEV1',
  error: 'SEV2',
  warning: 'SEV3',
  info: 'SEV4',
};

/** The label people use for a severity: critical is SEV1, info is SEV4. */
export function severityLabel(severity: Severity) {
  return LABELS[severity];
}
