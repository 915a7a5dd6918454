import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/core/types.ts';
import { renderIncidentSummary, topicText } from '../../src/slack/render-incident-summary.ts';
import { declaredIncident } from './fixtures.ts';

const NOW = '2026-12-04T03:00:00.000Z';
const PAT = { kind: 'user' as const, id: 'U0PAT0001', name: 'pat' };

/** INC-9, declared by pat with a title that needs escaping. */
function declared(fields: Partial<Incident> = {}): Incident {
  return declaredIncident(PAT, NOW, {
    id: 'INC-9',
    number: 9,
    title: 'Search <is> slow & broken',
    severity: 'error',
    ...fields,
  });
}

function actionIds(incident: Incident, canPage = false) {
  const { blocks } = renderIncidentSummary(incident, undefined, { canPage });
  const actions = blocks.find((b) => (b as { type?: string }).type === 'actions') as
    { elements: { action_id: string }[] } | undefined;
  return actions?.elements.map((e) => e.action_id) ?? [];
}

describe('the pinned incident summary', () => {
  it('offers Acknowledge, Post update and Resolve while open, and Page when PagerDuty is set up', () => {
    expect(actionIds(declared())).toEqual(['incident_ack', 'incident_status', 'incident_resolve']);
    expect(actionIds(declared(), true)).toContain('incident_page');
  });

  it('offers no Page once the incident is paged', () => {
    const paged = declared({ refs: { pagerduty: { id: 'PI00001' } } });

    expect(actionIds(paged, true)).not.toContain('incident_page');
  });

  it('offers Reopen and Close channel once resolved, and nothing once closed', () => {
    expect(actionIds(declared({ status: 'resolved', phase: 'resolved' }))).toEqual([
      'incident_reopen',
      'incident_close',
    ]);
    expect(actionIds(declared({ status: 'resolved', closedAt: NOW }))).toEqual([]);
  });

  it('escapes the title in the message and keeps it plain in the topic', () => {
    const incident = declared();

    const text = JSON.stringify(renderIncidentSummary(incident).blocks);

    expect(text).toContain('Search &lt;is&gt; slow &amp; broken');
    expect(topicText(incident)).toBe(
      'SEV2 · Investigating · Lead: @pat · Search <is> slow & broken',
    );
  });

  it('keeps the topic within Slack’s 250 characters', () => {
    expect(topicText(declared({ title: 'x'.repeat(400) })).length).toBeLessThanOrEqual(250);
  });
});
