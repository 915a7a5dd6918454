import { severityLabel } from './severity.ts';
import type { AlertBatch, Link, Severity } from './types.ts';
import { worstSeverity } from './severity.ts';

/** How much of a label value a regular expression looks at. */
const MAX_MATCHED_LENGTH = 1_024;

/** One condition on a value: equal to, matching a regular expression, present or absent. */
export type Condition =
  { equals: string[] } | { regex: RegExp; source: string } | { present: boolean };

/** What a rule looks at; every part given must hold. */
export interface RuleMatch {
  source?: Condition;
  severity?: Condition;
  labels?: Record<string, Condition>;
}

/** A step a rule runs on a new incident. */
export type Automation =
  | { type: 'page'; service: string; urgency: 'high' | 'low' }
  | { type: 'ticket'; system?: 'jira' | 'github' }
  | { type: 'declare'; channel: boolean }
  | { type: 'post'; text: string }
  | { type: 'invite'; usergroup: string };

export interface Rule {
  name: string;
  match: RuleMatch;
  /** Where the incident's message goes (a channel ID); default ALERTS_CHANNEL. */
  channel?: string;
  severity?: Severity;
  links: Link[];
  automations: Automation[];
}

/** What routing needs to know of a batch of alerts. */
export interface RouteInput {
  source: string;
  severity: Severity;
  labels: Record<string, string>;
}

export interface RouteExplanation {
  rule: Rule | undefined;
  /** Per rule tried, in order: matched, or the first condition that did not hold. */
  tried: { rule: string; matched: boolean; why: string }[];
}

/** What an automation does, in a few words (the timeline, `/incident rules test`). */
export function automationText(step: Automation) {
  switch (step.type) {
    case 'page':
      return `page ${step.service}${step.urgency === 'low' ? ' (low urgency)' : ''}`;
    case 'ticket': {
      const where = step.system === 'github' ? 'GitHub ' : step.system === 'jira' ? 'Jira ' : '';
      return `open a ${where}ticket`;
    }
    case 'declare':
      return step.channel ? 'declare it with a channel' : 'declare it';
    case 'post':
      return `post "${step.text.length > 60 ? `${step.text.slice(0, 60)}…` : step.text}"`;
    case 'invite':
      return `invite user group ${step.usergroup}`;
  }
}

/** The route input of a batch: its source, worst severity, and its first alert's labels. */
export function routeInput(batch: AlertBatch): RouteInput {
  const severity = batch.alerts
    .map((a) => a.severity)
    .reduce<Severity>((worst, s) => worstSeverity(worst, s), 'info');
  const labels = Object.assign({}, ...batch.alerts.map((a) => a.labels).reverse()) as Record<
    string,
    string
  >;
  return { source: batch.source, severity, labels };
}

/** The first rule that matches wins; says why each rule tried did or did not. */
export function explainRoute(rules: readonly Rule[], input: RouteInput): RouteExplanation {
  const tried: RouteExplanation['tried'] = [];
  for (const rule of rules) {
    const miss = firstMiss(rule.match, input);
    tried.push({ rule: rule.name, matched: miss === undefined, why: miss ?? matchedWhy(rule) });
    if (miss === undefined) return { rule, tried };
  }
  return { rule: undefined, tried };
}

export function route(rules: readonly Rule[], input: RouteInput) {
  return explainRoute(rules, input).rule;
}

function firstMiss(match: RuleMatch, input: RouteInput): string | undefined {
  if (match.source && !holds(match.source, input.source))
    return `source is "${input.source}", wanted ${describe(match.source)}`;
  if (match.severity && !holds(match.severity, input.severity))
    return `severity is ${severityLabel(input.severity)}, wanted ${describe(match.severity)}`;
  for (const [label, condition] of Object.entries(match.labels ?? {})) {
    const value = input.labels[label];
    if (!holds(condition, value)) {
      const is = value === undefined ? 'is absent' : `is "${value}"`;
      return `label ${label} ${is}, wanted ${describe(condition)}`;
    }
  }
  return undefined;
}

function matchedWhy(rule: Rule) {
  const parts = [
    rule.match.source && `source ${describe(rule.match.source)}`,
    rule.match.severity && `severity ${describe(rule.match.severity)}`,
    ...Object.entries(rule.match.labels ?? {}).map(([k, c]) => `label ${k} ${describe(c)}`),
  ].filter(Boolean);
  return parts.length === 0 ? 'matches everything' : `all hold: ${parts.join(', ')}`;
}

function holds(condition: Condition, value: string | undefined) {
  if ('present' in condition) return (value !== undefined) === condition.present;
  if (value === undefined) return false;
  if ('equals' in condition) return condition.equals.includes(value);
  // Alert senders choose label values: a regex only ever sees the start of a long one.
  return condition.regex.test(value.slice(0, MAX_MATCHED_LENGTH));
}

function describe(condition: Condition) {
  if ('present' in condition) return condition.present ? 'present' : 'absent';
  if ('equals' in condition)
    return condition.equals.length === 1
      ? `"${condition.equals[0]}"`
      : `one of ${condition.equals.map((v) => `"${v}"`).join(', ')}`;
  return `matching /${condition.source}/`;
}
