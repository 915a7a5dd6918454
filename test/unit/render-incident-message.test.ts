import { describe, expect, it } from 'vitest';

import { applyAlerts } from '../../src/core/apply-alerts.ts';
import type { Actor, AlertBatch, Incident } from '../../src/core/types.ts';
import { renderIncidentMessage } from '../../src/slack/render-incident-message.ts';
import { parseAlertmanager } from '../../src/sources/alertmanager.ts';
import { parseGeneric } from '../../src/sources/generic.ts';
import type { ParseResult } from '../../src/sources/parse-result.ts';
import { checkMessageBlocks } from '../fakes/slack/block-kit-rules.ts';
import { declaredIncident, fixtureFiles, readFixture } from './fixtures.ts';

type Json = Record<string, unknown>;

const NOW = '2026-03-14T05:00:00.000Z';
const PAT: Actor = { kind: 'user', id: 'U0PATEXMPL', name: 'pat' };

function batchOf(result: ParseResult): AlertBatch {
  if (!result.ok) throw new Error(`fixture did not parse: ${result.field} ${result.message}`);
  return result.batch;
}

/** Parses a fixture with the parser its folder (or hostile file name) names. */
function batchFromFixture(path: string): AlertBatch {
  const body = readFixture(path);
  const isAlertmanager = path.startsWith('alertmanager/') || path.includes('/alertmanager-');
  return batchOf(isAlertmanager ? parseAlertmanager(body) : parseGeneric(body));
}

/** A fresh incident as the core opens one for a batch, with the batches applied in order. */
function incidentFrom(batches: AlertBatch[], id = 'INC-42'): Incident {
  const [first] = batches;
  if (!first) throw new Error('need at least one batch');
  const starts = first.alerts.map((a) => a.startsAt ?? NOW).sort();
  const incident: Incident = {
    id,
    number: Number(id.slice(4)),
    title: first.title,
    description: first.description,
    severity: 'info',
    status: 'triggered',
    source: first.source,
    groupKey: first.groupKey,
    createdAt: NOW,
    updatedAt: NOW,
    version: 1,
    startedAt: starts[0] ?? NOW,
    notifications: 0,
    alerts: {},
    links: [],
    refs: {},
  };
  for (const batch of batches) applyAlerts(incident, batch, NOW);
  return incident;
}

function incidentFromFixtures(...paths: string[]) {
  return incidentFrom(paths.map(batchFromFixture));
}

/** Every string value anywhere inside a JSON value. */
function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(allStrings);
  return [];
}

/** Every object anywhere inside a JSON value, the value itself included. */
function allObjects(value: unknown): Json[] {
  if (Array.isArray(value)) return value.flatMap(allObjects);
  if (typeof value !== 'object' || value === null) return [];
  return [value as Json, ...Object.values(value).flatMap(allObjects)];
}

function blockById(blocks: object[], blockId: string): Json | undefined {
  return (blocks as Json[]).find((b) => b.block_id === blockId);
}

function sectionText(blocks: object[], blockId: string): string {
  const block = blockById(blocks, blockId);
  const text = (block?.text as Json | undefined)?.text;
  if (typeof text !== 'string') throw new Error(`no section text in ${blockId}`);
  return text;
}

function fieldTexts(blocks: object[]): string[] {
  const fields = blockById(blocks, 'inc_fields')?.fields as Json[] | undefined;
  return (fields ?? []).map((f) => String(f.text));
}

function buttons(blocks: object[]): Json[] {
  const actions = blockById(blocks, 'inc_actions');
  // The snooze menu (an overflow element) rides along with the buttons; snooze.test.ts covers it.
  return ((actions?.elements as Json[] | undefined) ?? []).filter((e) => e.type === 'button');
}

function headerText(blocks: object[]): string {
  return String((blockById(blocks, 'inc_header')?.text as Json).text);
}

/** What Slack would link or ping: `<…>` tokens in mrkdwn. */
function tokens(text: string) {
  return text.match(/<[^<>]*>/g) ?? [];
}

/** A URL as it must appear inside a bot-written link: & < > escaped, `|` percent-encoded. */
function linkTarget(url: string) {
  return url
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '%7C');
}

function isBotToken(token: string, incident: Incident) {
  if (/^<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>|]*>$/.test(token)) return true;
  return incident.links.some((l) => token.startsWith(`<${linkTarget(l.url)}|`));
}

/** Block Kit limits of wire-formats.md §3.6, checked one by one. */
function limitViolations(blocks: object[]): string[] {
  const problems: string[] = [];
  if (blocks.length > 50) problems.push(`${blocks.length} blocks`);
  for (const block of blocks as Json[]) {
    const text = block.text as Json | undefined;
    if (block.type === 'section') {
      if (text && String(text.text).length > 3000) problems.push('section text > 3000');
      const fields = (block.fields as Json[] | undefined) ?? [];
      if (fields.length > 10) problems.push(`${fields.length} fields`);
      for (const f of fields) if (String(f.text).length > 2000) problems.push('field > 2000');
    }
    if (block.type === 'header') {
      if (text?.type !== 'plain_text') problems.push('header not plain_text');
      if (String(text?.text).length > 150) problems.push('header > 150');
    }
    if (block.type === 'context') {
      for (const e of block.elements as Json[]) {
        if (String(e.text).length > 3000) problems.push('context element > 3000');
      }
    }
    if (typeof block.block_id === 'string' && block.block_id.length > 255) {
      problems.push('block_id > 255');
    }
    if (block.type === 'actions') {
      for (const e of (block.elements as Json[]).filter((el) => el.type === 'button')) {
        const label = e.text as Json;
        if (String(label.text).length > 75) problems.push('button text > 75');
        if (String(e.value).length > 2000) problems.push('button value > 2000');
        if (String(e.action_id).length > 255) problems.push('action_id > 255');
      }
    }
  }
  return problems;
}

const injectionPath = 'hostile/generic-mrkdwn-injection.json';
const longPath = 'hostile/alertmanager-long-description.json';
const manyPath = 'hostile/alertmanager-60-unicode-alerts.json';

const allFixtures = [
  ...fixtureFiles('alertmanager'),
  ...fixtureFiles('generic'),
  ...fixtureFiles('hostile'),
];

describe('F04: alert text cannot ping, link or format', () => {
  const incident = incidentFromFixtures(injectionPath);

  it('writes no <!channel>, <!here>, <!everyone>, <@U0VICTIM> or <https://evil.test', () => {
    const forbidden = ['<!channel>', '<!here>', '<!everyone>', '<@U0VICTIM>', '<https://evil.test'];

    const message = renderIncidentMessage(incident);

    const strings = [message.text, ...allStrings(message.blocks)];
    for (const s of strings) for (const f of forbidden) expect(s).not.toContain(f);
  });

  it('escapes & exactly once: &amp; appears, &amp;amp; never', () => {
    const message = renderIncidentMessage(incident);

    const strings = [message.text, ...allStrings(message.blocks)];
    expect(message.text).toContain('&amp;');
    expect(strings.join('\n')).toContain('&amp;');
    for (const s of strings) expect(s).not.toContain('&amp;amp;');
  });

  it('shows the title with every character escaped once', () => {
    const escapedTitle =
      'Latency &gt; 500ms &amp; errors &lt; 1% in map&lt;string,string&gt; parser';

    const message = renderIncidentMessage(incident);

    expect(message.text).toContain(escapedTitle);
    expect(sectionText(message.blocks, 'inc_title')).toContain(`*${escapedTitle}*`);
  });

  it('leaves every & in the output as the start of an entity', () => {
    const message = renderIncidentMessage(incident);

    const strings = [message.text, ...allStrings(message.blocks)];
    for (const s of strings) expect(s).toMatch(/^(?:[^&]|&amp;|&lt;|&gt;)*$/);
  });

  it('writes only the bot own <…> tokens: links from links and <!date^…>', () => {
    const message = renderIncidentMessage(incident);

    const found = [message.text, ...allStrings(message.blocks)].flatMap(tokens);
    expect(found.length).toBeGreaterThan(0);
    for (const token of found) expect(isBotToken(token, incident), token).toBe(true);
  });

  it('escapes the hostile link label and URL inside the bot link', () => {
    const links = readFixture(injectionPath) as { links: Array<{ title: string; url: string }> };
    const [hostile] = links.links;
    const label = hostile!.title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

    const message = renderIncidentMessage(incident);

    const linkLine = String((blockById(message.blocks, 'inc_links')?.elements as Json[])[0]!.text);
    expect(linkLine).toContain(`<${linkTarget(hostile!.url)}|${label}>`);
  });

  it('marks every mrkdwn text object verbatim so URLs and #names are not auto-linked', () => {
    const message = renderIncidentMessage(incident);

    const mrkdwn = allObjects(message.blocks).filter((o) => o.type === 'mrkdwn');
    expect(mrkdwn.length).toBeGreaterThan(0);
    for (const object of mrkdwn) expect(object.verbatim).toBe(true);
  });

  it.each(allFixtures)('writes no alert-supplied <…> token for %s', (path) => {
    const fixtureIncident = incidentFromFixtures(path);

    const message = renderIncidentMessage(fixtureIncident);

    const found = [message.text, ...allStrings(message.blocks)].flatMap(tokens);
    for (const token of found) expect(isBotToken(token, fixtureIncident), token).toBe(true);
  });
});

describe('Block Kit limits (wire-formats §3.6)', () => {
  it.each(allFixtures)('holds every limit for %s', (path) => {
    const incident = incidentFromFixtures(path);

    const message = renderIncidentMessage(incident);

    expect(limitViolations(message.blocks)).toEqual([]);
  });

  it.each(allFixtures)('passes the Slack stand-in block checks for %s', (path) => {
    const incident = incidentFromFixtures(path);

    const message = renderIncidentMessage(incident);

    expect(checkMessageBlocks(message.blocks)).toEqual({ ok: true });
  });

  it('keeps the fallback text of the 6,000-character fixture short of 4000 characters', () => {
    const incident = incidentFromFixtures(longPath);

    const message = renderIncidentMessage(incident);

    expect(message.text.length).toBeLessThanOrEqual(4000);
  });

  it('stays within limits when alert links carry very long URLs', () => {
    const longUrl = (n: number) => `https://dash.example.test/${n}?q=${'a'.repeat(1900)}`;
    const batch = batchOf(
      parseGeneric({
        title: 'Long links',
        dedup_key: 'long-links',
        links: [1, 2, 3, 4].map((n) => ({ title: `Link ${n}`, url: longUrl(n) })),
      }),
    );
    const incident = incidentFrom([batch]);

    const message = renderIncidentMessage(incident);

    expect(checkMessageBlocks(message.blocks)).toEqual({ ok: true });
  });
});

describe('F03: a 6,000-character description', () => {
  const raw = readFixture(longPath) as {
    alerts: Array<{ annotations: { description: string; summary: string } }>;
  };
  const description = raw.alerts[0]!.annotations.description;
  const summary = raw.alerts[0]!.annotations.summary;

  it('renders within every Block Kit limit', () => {
    const incident = incidentFromFixtures(longPath);

    const message = renderIncidentMessage(incident);

    expect(limitViolations(message.blocks)).toEqual([]);
    expect(checkMessageBlocks(message.blocks)).toEqual({ ok: true });
  });

  it('cuts the description, ending it with an ellipsis', () => {
    const incident = incidentFromFixtures(longPath);

    const message = renderIncidentMessage(incident);

    const [, shown = ''] = sectionText(message.blocks, 'inc_title').split(/\n([\s\S]*)/);
    expect(shown.length).toBeLessThan(description.length);
    expect(shown.endsWith('…')).toBe(true);
    expect(description.startsWith(shown.slice(0, -1))).toBe(true);
  });

  it('puts the full description in overflow', () => {
    const incident = incidentFromFixtures(longPath);

    const message = renderIncidentMessage(incident);

    expect(message.overflow).toContain(description);
  });

  it('puts the full 400-character summary in overflow once the alert line cuts it', () => {
    const incident = incidentFromFixtures(longPath);

    const message = renderIncidentMessage(incident);

    expect(sectionText(message.blocks, 'inc_alerts')).not.toContain(summary);
    expect(message.overflow.some((text) => text.includes(summary))).toBe(true);
  });

  it('leaves overflow empty when everything fits', () => {
    const incident = incidentFromFixtures('alertmanager/firing-single.json');

    const message = renderIncidentMessage(incident);

    expect(message.overflow).toEqual([]);
  });
});

describe('60 unicode alerts in one group', () => {
  const raw = readFixture(manyPath) as { alerts: Array<{ status: string }> };
  const total = raw.alerts.length;
  const firing = raw.alerts.filter((a) => a.status === 'firing').length;

  it('lists at most 10 alerts and a line saying how many more there are', () => {
    const incident = incidentFromFixtures(manyPath);

    const message = renderIncidentMessage(incident);

    const lines = sectionText(message.blocks, 'inc_alerts').split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toContain(`…and ${total - 10} more`);
  });

  it('lists firing alerts before resolved ones', () => {
    const incident = incidentFromFixtures(manyPath);

    const message = renderIncidentMessage(incident);

    const shown = sectionText(message.blocks, 'inc_alerts').split('\n').slice(0, 10);
    for (const line of shown) expect(line.startsWith(':rotating_light:')).toBe(true);
  });

  it('shows "N of 60 firing" with N counted from the fixture', () => {
    const incident = incidentFromFixtures(manyPath);

    const message = renderIncidentMessage(incident);

    expect(fieldTexts(message.blocks)).toContain(`*Alerts*\n${firing} of ${total} firing`);
    expect(message.text).toContain(`${firing} of ${total} alerts firing`);
  });
});

describe('buttons follow the incident status', () => {
  it('offers Acknowledge, Start incident and Resolve on an open incident, valued with its ID', () => {
    const incident = incidentFromFixtures('alertmanager/firing-group.json');

    const message = renderIncidentMessage(incident);

    const [ack, start, resolve, ...rest] = buttons(message.blocks);
    expect(rest).toEqual([]);
    expect(start).toMatchObject({
      action_id: 'incident_declare',
      value: incident.id,
      text: { type: 'plain_text', text: 'Start incident' },
    });
    expect(ack).toMatchObject({
      type: 'button',
      action_id: 'incident_ack',
      value: incident.id,
      text: { type: 'plain_text', text: 'Acknowledge' },
    });
    expect(resolve).toMatchObject({
      type: 'button',
      action_id: 'incident_resolve',
      value: incident.id,
      text: { type: 'plain_text', text: 'Resolve' },
    });
  });

  it('asks for confirmation before Resolve', () => {
    const incident = incidentFromFixtures('alertmanager/firing-group.json');

    const message = renderIncidentMessage(incident);

    const resolve = buttons(message.blocks).find((b) => b.action_id === 'incident_resolve');
    const confirm = resolve?.confirm as Json | undefined;
    expect(confirm).toBeDefined();
    for (const part of ['title', 'text', 'confirm', 'deny']) {
      expect(confirm?.[part]).toMatchObject({ type: 'plain_text' });
    }
  });

  it('offers Start incident and Resolve once acknowledged', () => {
    const incident = incidentFromFixtures('alertmanager/firing-group.json');
    incident.status = 'acknowledged';
    incident.acknowledgedBy = PAT;
    incident.acknowledgedAt = NOW;

    const message = renderIncidentMessage(incident);

    const actionIds = buttons(message.blocks).map((b) => b.action_id);
    expect(actionIds).toEqual(['incident_declare', 'incident_resolve']);
    expect(headerText(message.blocks)).toMatch(/acknowledged/i);
  });

  it('offers only Reopen, and says resolved in the header, once resolved (F07)', () => {
    const incident = incidentFromFixtures(
      'alertmanager/firing-group.json',
      'alertmanager/resolved-group.json',
    );
    incident.status = 'resolved';
    incident.resolvedBy = { kind: 'source', id: 'alertmanager' };
    incident.resolvedAt = NOW;

    const message = renderIncidentMessage(incident);

    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual(['incident_reopen']);
    expect(headerText(message.blocks)).toMatch(/resolved/i);
  });

  it('keeps the header free of alert text', () => {
    const incident = incidentFromFixtures(injectionPath);

    const message = renderIncidentMessage(incident);

    expect(headerText(message.blocks)).toContain(incident.id);
    expect(headerText(message.blocks)).not.toMatch(/[<>&]/);
  });
});

describe('partially resolved group', () => {
  it('shows how many of the group alerts still fire', () => {
    const raw = readFixture('alertmanager/partially-resolved.json') as {
      alerts: Array<{ status: string }>;
    };
    const firing = raw.alerts.filter((a) => a.status === 'firing').length;
    const incident = incidentFromFixtures(
      'alertmanager/firing-group.json',
      'alertmanager/partially-resolved.json',
    );

    const message = renderIncidentMessage(incident);

    expect(fieldTexts(message.blocks)).toContain(
      `*Alerts*\n${firing} of ${raw.alerts.length} firing`,
    );
  });
});

describe('a declared incident', () => {
  it('names who declared it in the Source field', () => {
    const incident = declaredIncident(PAT, NOW);

    const message = renderIncidentMessage(incident);

    const source = fieldTexts(message.blocks).find((f) => f.startsWith('*Source*'));
    expect(source).toContain('Declared by');
    expect(source).toContain(`<@${PAT.id}>`);
  });

  it('has no alerts section and no Alerts field', () => {
    const incident = declaredIncident(PAT, NOW);

    const message = renderIncidentMessage(incident);

    expect(blockById(message.blocks, 'inc_alerts')).toBeUndefined();
    expect(fieldTexts(message.blocks).some((f) => f.startsWith('*Alerts*'))).toBe(false);
  });

  it('offers Acknowledge and a Resolve that opens the resolution form (no confirm dialog)', () => {
    const incident = declaredIncident(PAT, NOW);

    const message = renderIncidentMessage(incident);

    const actions = buttons(message.blocks);
    expect(actions.map((b) => b.action_id)).toEqual(['incident_ack', 'incident_resolve']);
    expect(actions[1]?.confirm).toBeUndefined();
  });

  it('shows where it is worked, its phase and lead, and the SEV label in the header', () => {
    const incident = declaredIncident(PAT, NOW);
    incident.refs.channel = { id: 'C0INC0001', name: 'inc-x', state: 'ready' };

    const message = renderIncidentMessage(incident);

    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Worked in <#C0INC0001>');
    expect(text).toContain('Investigating');
    expect(text).toContain(`Lead <@${PAT.id}>`);
    expect(headerText(message.blocks)).toMatch(/SEV\d/);
  });
});
