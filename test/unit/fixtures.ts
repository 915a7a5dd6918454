import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor, Incident } from '../../src/core/types.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** Parses a sample payload from test/fixtures, read as stored bytes. */
export function readFixture(path: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, path)).toString('utf8'));
}

/** The JSON files of one fixture folder, as paths relative to test/fixtures. */
export function fixtureFiles(folder: string): string[] {
  return readdirSync(join(FIXTURES, folder))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => `${folder}/${name}`);
}

/**
 * An incident a person declared with no alert behind it: investigating, `lead` leading, severity
 * pinned. `fields` override; the times are `at`.
 */
export function declaredIncident(
  lead: Actor,
  at: string,
  fields: Partial<Incident> = {},
): Incident {
  return {
    id: 'INC-7',
    number: 7,
    title: 'Checkout payments failing in eu-west-1',
    severity: 'critical',
    status: 'triggered',
    source: 'slack',
    createdAt: at,
    updatedAt: at,
    version: 1,
    startedAt: at,
    notifications: 0,
    alerts: {},
    links: [],
    declaredBy: lead,
    declaredAt: at,
    phase: 'investigating',
    roles: { lead },
    severityPinned: true,
    refs: {},
    ...fields,
  };
}
