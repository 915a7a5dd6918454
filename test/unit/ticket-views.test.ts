import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/types.ts';
import { ticketDraftText } from '../../src/slack/ticket-views.ts';
import { declaredIncident } from './fixtures.ts';

const PAT: Actor = { kind: 'user', id: 'U0PATEXMPL', name: 'pat' };
const AT = '2026-03-14T05:00:00.000Z';

describe('ticketDraftText', () => {
  it('says the phase once when the status already is it', () => {
    const text = ticketDraftText(declaredIncident(PAT, AT), [], {});
    expect(text.split('\n')[0]).toBe('INC-7 · SEV1 · Investigating');
  });

  it('says both when they differ', () => {
    const incident = declaredIncident(PAT, AT, { status: 'acknowledged', phase: 'identified' });
    expect(ticketDraftText(incident, [], {}).split('\n')[0]).toBe(
      'INC-7 · SEV1 · Acknowledged · Identified',
    );
  });
});
