import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { explainRoute, route } from '../../src/core/routing.ts';
import { loadRulesFile, parseRulesFile, RulesFileError } from '../../src/rules/rules-file.ts';

const EXAMPLE = path.join(import.meta.dirname, '..', 'fixtures', 'rules', 'firebreak.yml');

function problemsOf(text: string) {
  try {
    parseRulesFile(text, 'firebreak.yml');
  } catch (error) {
    if (error instanceof RulesFileError) return error.problems;
    throw error;
  }
  throw new Error('accepted');
}

describe('the rule file', () => {
  it('reads rules, conditions, automations and permissions', () => {
    const config = loadRulesFile(EXAMPLE);

    expect(config.rules.map((r) => r.name)).toEqual([
      'payments-critical',
      'noisy-staging',
      'everything-else',
    ]);
    const [payments] = config.rules;
    expect(payments).toMatchObject({
      channel: 'C0PAYMENTS1',
      severity: 'critical',
      links: [{ title: 'Runbook', kind: 'runbook' }],
    });
    expect(payments?.automations.map((a) => a.type)).toEqual([
      'page',
      'ticket',
      'declare',
      'post',
      'invite',
    ]);
    expect(config.permissions).toEqual({ page: ['U0SAM0001', 'S0ONCALL01'], close: ['U0SAM0001'] });
  });

  it('reads the annotated example the README points to', () => {
    const example = path.join(import.meta.dirname, '..', '..', 'firebreak.example.yml');

    const config = loadRulesFile(example);

    expect(config.rules).toHaveLength(3);
    expect(config.permissions.statuspage).toEqual(['S0COMMS001']);
  });

  it('routes to the first rule that matches, by source, severity, labels (equality, regex, presence)', () => {
    const { rules } = loadRulesFile(EXAMPLE);
    const input = { source: 'alertmanager', severity: 'error' as const };

    expect(route(rules, { ...input, labels: { service: 'payments', env: 'prod-eu' } })?.name).toBe(
      'payments-critical',
    );
    expect(route(rules, { ...input, labels: { service: 'payments', env: 'staging' } })?.name).toBe(
      'noisy-staging',
    );
    const why = explainRoute(rules, {
      ...input,
      severity: 'warning',
      labels: { service: 'payments', env: 'prod' },
    });
    expect(why.rule?.name).toBe('everything-else');
    expect(why.tried[0]).toEqual({
      rule: 'payments-critical',
      matched: false,
      why: 'severity is SEV3, wanted one of "critical", "error"',
    });
    const present = parseRulesFile(
      'rules:\n  - name: owned\n    match:\n      labels:\n        team: { present: true }\n',
      'f.yml',
    ).rules;
    expect(route(present, { ...input, labels: { team: 'x' } })?.name).toBe('owned');
    expect(route(present, { ...input, labels: {} })).toBeUndefined();
  });

  it.each([
    [
      'channel: C0PAYMENTS1',
      'channel: "#payments"',
      'firebreak.yml:9:14: rules[0].channel must be a channel ID',
    ],
    [
      '{ regex: "^prod" }',
      '{ regex: "(" }',
      'firebreak.yml:7:14: rules[0].match.labels.env is not a regular expression',
    ],
    [
      '- ticket: jira',
      '- ticket: gitlab',
      'firebreak.yml:15:9: rules[0].automations[1] must be one of',
    ],
    [
      'severity: critical',
      'severity: urgent',
      'firebreak.yml:10:15: rules[0].severity must be a severity',
    ],
    [
      'page: [U0SAM0001',
      'page: [pat',
      'firebreak.yml:26:10: permissions.page[0] must be a Slack user',
    ],
  ])('names the line and the reason of a broken file (%s → %s)', async (from, to, problem) => {
    const { readFile } = await import('node:fs/promises');
    const text = (await readFile(EXAMPLE, 'utf8')).replace(from, to);

    expect(problemsOf(text)[0]).toContain(problem);
  });

  it('stops start-up on a broken CONFIG_FILE with the file, line and reason', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'firebreak-rules-'));
    const file = path.join(dir, 'firebreak.yml');
    await writeFile(file, 'rules:\n  - name: a\n    chanel: C0123ABCD\n');

    let problems: string[] = [];
    try {
      loadConfig({ CONFIG_FILE: file });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }

    expect(problems).toEqual([expect.stringContaining(`${file}:3:13: rules[0] has an unknown`)]);
    expect(problems[0]).toContain('chanel');
    expect(() => loadConfig({ CONFIG_FILE: path.join(dir, 'missing.yml') })).toThrow(
      /cannot be read/,
    );
  });
});
