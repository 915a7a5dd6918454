import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

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
