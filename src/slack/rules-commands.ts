import { automationText, explainRoute, routeInput, type Rule } from '../core/routing.ts';
import type { RouteInput } from '../core/routing.ts';
import { normalizeSeverity, severityLabel } from '../core/severity.ts';
import { parseAlertmanager } from '../sources/alertmanager.ts';
import { parseDatadog } from '../sources/datadog.ts';
import { parseGeneric } from '../sources/generic.ts';
import { parseGrafana } from '../sources/grafana.ts';
import type { AlertParser } from '../sources/parse-result.ts';
import { escapeText, truncate } from './mrkdwn.ts';

/** Payloads `/incident rules test <source> <json>` can read as that source sends them. */
const PARSERS: Record<string, AlertParser> = {
  alertmanager: parseAlertmanager,
  generic: parseGeneric,
  grafana: parseGrafana,
  datadog: parseDatadog,
};

export const RULES_TEST_USAGE =
  '`/incident rules test {"source": "alertmanager", "severity": "critical", "labels": ' +
  '{"service": "payments"}}`, or `/incident rules test <alertmanager|grafana|datadog|generic> ' +
  '<a payload as that tool sends it>`.';

/** `/incident rules`: the rules in order, from the rule file. */
export function rulesText(rules: readonly Rule[], file: string | undefined) {
  if (!file || rules.length === 0)
    return (
      'No routing rules: every alert goes to ALERTS_CHANNEL with its own severity. Put rules ' +
      'in firebreak.yml (or the file CONFIG_FILE names): see the README’s Routing rules.'
    );
  const lines = rules.map((r, i) => `${i + 1}. *${escapeText(r.name)}*${effects(r)}`);
  return `*Routing rules* from \`${escapeText(file)}\`, first match wins:\n${lines.join('\n')}`;
}

/** `/incident rules test …`: which rule a payload would follow, and why the ones before not. */
export function rulesTestText(rules: readonly Rule[], text: string) {
  const [word = ''] = text.trim().split(/\s+/, 1);
  const parser = PARSERS[word.toLowerCase()] as AlertParser | undefined;
  if (!parser && /^[a-z][\w-]*$/i.test(word))
    return (
      `\`${escapeText(word.slice(0, 30))}\` is not a source I can read a payload of here ` +
      `(${Object.keys(PARSERS).join(', ')}). ${RULES_TEST_USAGE}`
    );
  const json = parser ? text.trim().slice(word.length) : text;
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return `That is not JSON. ${RULES_TEST_USAGE}`;
  }
  const input = parser ? fromPayload(parser, body) : fromShape(body);
  if (typeof input === 'string') return `${input} ${RULES_TEST_USAGE}`;
  const { rule, tried } = explainRoute(rules, input);
  const labels = Object.entries(input.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const head =
    `Source \`${escapeText(input.source)}\`, ${severityLabel(input.severity)}` +
    (labels ? `, labels \`${escapeText(truncate(labels, 300))}\`` : ', no labels');
  const lines = tried.map(
    (t) =>
      `${t.matched ? ':white_check_mark:' : ':x:'} *${escapeText(t.rule)}*: ${escapeText(t.why)}`,
  );
  const outcome = rule
    ? `Follows *${escapeText(rule.name)}*${effects(rule)}`
    : 'No rule matches: ALERTS_CHANNEL, with the alerts’ own severity, no automations.';
  return [head, ...lines, outcome].join('\n');
}

function fromPayload(parser: AlertParser, body: unknown): RouteInput | string {
  const parsed = parser(body);
  if (!parsed.ok) return `The payload was refused: ${parsed.field} ${parsed.message}.`;
  return routeInput(parsed.batch);
}

function fromShape(body: unknown): RouteInput | string {
  if (typeof body !== 'object' || body === null) return 'Give a JSON object.';
  const b = body as { source?: unknown; severity?: unknown; labels?: unknown };
  const labels: Record<string, string> = {};
  if (typeof b.labels === 'object' && b.labels !== null)
    for (const [k, v] of Object.entries(b.labels)) labels[k] = String(v);
  return {
    source: typeof b.source === 'string' ? b.source : 'generic',
    severity: normalizeSeverity(typeof b.severity === 'string' ? b.severity : undefined),
    labels,
  };
}

function effects(rule: Rule) {
  const parts = [
    rule.channel ? `to <#${rule.channel}>` : 'to ALERTS_CHANNEL',
    rule.severity && `as ${severityLabel(rule.severity)}`,
    rule.links.length > 0 && `links ${rule.links.map((l) => escapeText(l.title)).join(', ')}`,
    rule.automations.length > 0 &&
      `then ${rule.automations.map((a) => escapeText(automationText(a))).join('; ')}`,
  ].filter(Boolean);
  return `: ${parts.join(' · ')}`;
}
