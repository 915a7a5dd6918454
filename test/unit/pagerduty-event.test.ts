import { describe, expect, it } from 'vitest';
import { parsePagerDutyEvent } from '../../src/integrations/pagerduty/pagerduty-event.ts';

/** F11's echo, as PagerDuty sends it (wire-formats.md §2.1). */
const acknowledged = {
  event: {
    id: '01EVTTEST0001',
    event_type: 'incident.acknowledged',
    occurred_at: '2024-06-01T10:00:05Z',
    agent: { id: 'PBOTUSR', type: 'user_reference', summary: 'Firebreak' },
    data: { id: 'PABC123', type: 'incident', status: 'acknowledged' },
  },
};

describe('parsePagerDutyEvent', () => {
  it('reads the event, its agent and the incident it is about', () => {
    const parsed = parsePagerDutyEvent(acknowledged);

    expect(parsed).toEqual({
      ok: true,
      event: {
        id: '01EVTTEST0001',
        type: 'incident.acknowledged',
        occurredAt: '2024-06-01T10:00:05.000Z',
        agent: { id: 'PBOTUSR', name: 'Firebreak', person: true },
        incident: { id: 'PABC123', status: 'acknowledged', assignees: [] },
      },
    });
  });

  it('reads a note: the incident is its reference, the text its content', () => {
    const annotated = {
      event: {
        ...acknowledged.event,
        event_type: 'incident.annotated',
        data: {
          id: 'PNOTE01',
          type: 'incident_note',
          content: 'DB failover started',
          incident: { id: 'PABC123', type: 'incident_reference' },
        },
      },
    };

    const parsed = parsePagerDutyEvent(annotated);

    expect(parsed.ok && parsed.event.incident.id).toBe('PABC123');
    expect(parsed.ok && parsed.event.note).toBe('DB failover started');
  });

  it('takes a null agent (PagerDuty itself escalating)', () => {
    const parsed = parsePagerDutyEvent({ event: { ...acknowledged.event, agent: null } });

    expect(parsed.ok && parsed.event.agent).toBeNull();
  });

  it.each([
    ['event.id', { event: { ...acknowledged.event, id: '' } }],
    ['event.occurred_at', { event: { ...acknowledged.event, occurred_at: 'yesterday' } }],
    ['event.data', { event: { ...acknowledged.event, data: undefined } }],
    ['(body)', 'not an object'],
  ])('names %s when it is wrong', (field, body) => {
    const parsed = parsePagerDutyEvent(body);

    expect(parsed).toMatchObject({ ok: false, field });
  });
});
