import { describe, expect, it } from 'vitest';
import { SAMPLE_ALERTS, sampleBody } from '../../src/sandbox/console/sample-alerts.ts';

/** The start time a sample's payload carries, in ms, whatever its sender's field. */
function startOf(body: Record<string, unknown>) {
  const alerts = body.alerts as Array<{ startsAt?: string }> | undefined;
  const iso = alerts?.[0]?.startsAt ?? (body.started_at as string | undefined);
  return iso ? Date.parse(iso) : body.date === undefined ? undefined : Number(body.date);
}

describe('the console’s sample alerts', () => {
  it('start now when fired, so a fresh alert does not read as months old', async () => {
    for (const sample of SAMPLE_ALERTS) {
      const body = JSON.parse(await sampleBody(sample, 'fire')) as Record<string, unknown>;
      const started = startOf(body);
      if (started === undefined) continue; // a sender without a start time
      expect(Math.abs(started - Date.now()), sample.id).toBeLessThan(60_000);
    }
  });

  it('resolve with their resolved payload, or the firing one marked resolved', async () => {
    for (const sample of SAMPLE_ALERTS) {
      const text = await sampleBody(sample, 'resolve');
      expect(text, sample.id).toMatch(/"status":"resolved"|"transition":"Recovered"/);
    }
  });
});
