import { existsSync, readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { SEVERITY_ALIASES, normalizeSeverity } from '../core/severity.ts';
import type { Automation, Condition, Rule, RuleMatch } from '../core/routing.ts';
import type { Link } from '../core/types.ts';

/** Who may do what (Slack user U… or user group S… IDs); an action not named: everyone. */
export interface Permissions {
  page?: string[];
  statuspage?: string[];
  close?: string[];
}

/** The rule file as the bot uses it. */
export interface RulesConfig {
  /** Where it was read from; undefined when there is none. */
  file: string | undefined;
  rules: Rule[];
  permissions: Permissions;
}

export const NO_RULES: RulesConfig = { file: undefined, rules: [], permissions: {} };

/** The file's problems, each `file:line:col: where: what`. */
export class RulesFileError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RulesFileError';
    this.problems = problems;
  }
}

const CHANNEL = /^[CG][A-Z0-9]{6,}$/;
const SLACK_ID = /^[UWS][A-Z0-9]{6,}$/;
const SEVERITY_WORDS = Object.keys(SEVERITY_ALIASES);

const text = z.string().trim().min(1, 'must not be empty');
/** The alert sources the bot takes; a rule for any other could never match. */
export const SOURCES = [
  'alertmanager',
  'generic',
  'grafana',
  'datadog',
  'sentry',
  'cloudwatch',
  'pagerduty',
];
const sourceName = z
  .string()
  .trim()
  .refine((s) => SOURCES.includes(s), { message: `must be a source: ${SOURCES.join(', ')}` });
/**
 * A group holding a quantifier, itself quantified: `(a+)+`, `(\w*)*`, `(x|y+){2,}`. JavaScript's
 * regular expressions backtrack, so these can take exponential time on text made to defeat them.
 */
const NESTED_REPETITION = /(?<!\\)\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;
const severityWord = z
  .string()
  .trim()
  .toLowerCase()
  .refine((w) => SEVERITY_WORDS.includes(w), {
    message: `must be a severity: critical, error, warning, info, sev1…sev4 or p1…p4`,
  })
  .transform((w) => normalizeSeverity(w));

/** `value`, `[a, b]`, `{ regex: "…" }` or `{ present: true }`. */
const condition = (value: z.ZodType<string>) =>
  z.union(
    [
      z
        .union([value, z.number().transform(String), z.boolean().transform(String)])
        .transform((v): Condition => ({ equals: [v] })),
      z
        .array(z.union([value, z.number().transform(String)]))
        .min(1)
        .transform((v): Condition => ({ equals: v })),
      z
        .object({ regex: z.string() })
        .strict()
        .transform((v, ctx): Condition => {
          if (NESTED_REPETITION.test(v.regex)) {
            ctx.addIssue({
              code: 'custom',
              message:
                'repeats a repetition, like (a+)+: on a long label that takes exponential time ' +
                'and would stall the bot; write it without the nesting',
            });
            return z.NEVER;
          }
          try {
            return { regex: new RegExp(v.regex), source: v.regex };
          } catch (error) {
            ctx.addIssue({
              code: 'custom',
              message: `is not a regular expression: ${(error as Error).message}`,
            });
            return z.NEVER;
          }
        }),
      z
        .object({ present: z.boolean() })
        .strict()
        .transform((v): Condition => ({ present: v.present })),
    ],
    { error: 'must be a value, a list of values, { regex: "…" } or { present: true|false }' },
  );

const automation = z.union(
  [
    z
      .object({
        page: z.union([
          text.transform((service) => ({ service, urgency: 'high' as const })),
          z.object({ service: text, urgency: z.enum(['high', 'low']).default('high') }).strict(),
        ]),
      })
      .strict()
      .transform((v): Automation => ({ type: 'page', ...v.page })),
    z
      .object({ ticket: z.union([z.enum(['jira', 'github']), z.literal(true)]) })
      .strict()
      .transform((v): Automation =>
        v.ticket === true ? { type: 'ticket' } : { type: 'ticket', system: v.ticket },
      ),
    z
      .object({
        declare: z.union([z.boolean(), z.object({ channel: z.boolean().default(true) }).strict()]),
      })
      .strict()
      .transform((v): Automation => ({
        type: 'declare',
        channel: typeof v.declare === 'boolean' ? v.declare : v.declare.channel,
      })),
    z
      .object({ post: text.max(2_000) })
      .strict()
      .transform((v): Automation => ({ type: 'post', text: v.post })),
    z
      .object({
        invite: z.string().regex(/^S[A-Z0-9]{6,}$/, 'must be a user group ID like S0123ABCD'),
      })
      .strict()
      .transform((v): Automation => ({ type: 'invite', usergroup: v.invite })),
  ],
  {
    error:
      'must be one of page: <service>, ticket: jira|github, declare: true, post: <text>, ' +
      'invite: <user group ID>',
  },
);

const link = z
  .object({
    title: text.max(200),
    url: z.string().refine((u) => /^https?:\/\//.test(u), 'must be an http or https URL'),
  })
  .strict()
  .transform((l): Link => ({ ...l, kind: /runbook/i.test(l.title) ? 'runbook' : 'other' }));

const ruleSchema = z
  .object({
    name: text.max(100),
    match: z
      .object({
        source: condition(sourceName).optional(),
        severity: condition(severityWord).optional(),
        labels: z.record(z.string(), condition(text)).optional(),
      })
      .strict()
      .default({}),
    channel: z.string().regex(CHANNEL, 'must be a channel ID like C0123ABCDEF').optional(),
    severity: severityWord.optional(),
    links: z.array(link).max(10).default([]),
    automations: z.array(automation).max(10).default([]),
  })
  .strict()
  .transform((r): Rule => ({
    name: r.name,
    match: r.match as RuleMatch,
    ...(r.channel ? { channel: r.channel } : {}),
    ...(r.severity ? { severity: r.severity } : {}),
    links: r.links,
    automations: r.automations,
  }));

const slackId = z.string().regex(SLACK_ID, 'must be a Slack user (U…) or user group (S…) ID');
const ids = z.array(slackId);

const fileSchema = z
  .object({
    rules: z.array(ruleSchema).default([]),
    permissions: z
      .object({ page: ids.optional(), statuspage: ids.optional(), close: ids.optional() })
      .strict()
      .default({}),
  })
  .strict();

/**
 * The rule file to use: CONFIG_FILE, else `firebreak.yml` in the working directory if there is
 * one, else none (every alert goes to ALERTS_CHANNEL and everyone may act).
 */
export function loadRulesFile(configFile: string | undefined): RulesConfig {
  const file = configFile ?? (existsSync('firebreak.yml') ? 'firebreak.yml' : undefined);
  if (!file) return NO_RULES;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new RulesFileError([`${file}: cannot be read (${code})`]);
  }
  return parseRulesFile(source, file);
}

/** Reads and checks the rule file's text; every problem names its line. */
export function parseRulesFile(source: string, file: string): RulesConfig {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RulesFileError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const where = at ? `${file}:${at.line}:${at.col}` : file;
        return `${where}: ${e.message.split('\n')[0]?.replace(/:$/, '')}`;
      }),
    );
  }
  const parsed = fileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new RulesFileError(
      parsed.error.issues.slice(0, 10).map((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        // An unknown key is pointed at itself, not at the map that holds it.
        const extra = issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
        const node = deepestNode(doc, [...path, ...extra]);
        const at = node ? lines.linePos(node) : undefined;
        const where = at ? `${file}:${at.line}:${at.col}` : file;
        return `${where}: ${pathText(path)} ${messageOf(issue)}`;
      }),
    );
  }
  const names = new Set<string>();
  const problems: string[] = [];
  for (const rule of parsed.data.rules) {
    if (names.has(rule.name)) problems.push(`${file}: two rules are named "${rule.name}"`);
    names.add(rule.name);
  }
  if (problems.length > 0) throw new RulesFileError(problems);
  return { file, rules: parsed.data.rules, permissions: parsed.data.permissions };
}

/** The start offset of the deepest node of the path that exists in the document. */
function deepestNode(doc: ReturnType<typeof parseDocument>, path: (string | number)[]) {
  for (let n = path.length; n >= 0; n -= 1) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | null;
    if (node && typeof node === 'object' && node.range) return node.range[0];
  }
  return undefined;
}

/** A union's own message, unless one of its branches failed for a reason of its own. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `has an unknown setting ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code !== 'invalid_union') return issue.message;
  const custom = customIn(issue);
  return custom ? custom.message : issue.message;
}

/** A branch's own reason (a bad regex, not a severity), however deep the unions nest. */
function customIn(issue: z.core.$ZodIssue): z.core.$ZodIssue | undefined {
  if (issue.code === 'custom') return issue;
  if (issue.code !== 'invalid_union') return undefined;
  for (const inner of issue.errors.flat()) {
    const found = customIn(inner);
    if (found) return found;
  }
  return undefined;
}

function pathText(path: (string | number)[]) {
  if (path.length === 0) return '(file)';
  return path.reduce<string>(
    (all, part) => (typeof part === 'number' ? `${all}[${part}]` : all ? `${all}.${part}` : part),
    '',
  );
}
