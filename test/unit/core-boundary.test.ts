import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const CORE = new URL('../../src/core/', import.meta.url);

describe('src/core', () => {
  it('imports nothing but its own modules and node built-ins: no Slack, HTTP or store code', async () => {
    const files = (await readdir(CORE)).filter((f) => f.endsWith('.ts'));

    const imports = await Promise.all(
      files.map(async (file) => {
        const source = await readFile(new URL(file, CORE), 'utf8');
        return [...source.matchAll(/ from '([^']+)';/g)].map((m) => `${file}: ${m[1]}`);
      }),
    );

    const foreign = imports.flat().filter((line) => !/: (\.\/[\w-]+\.ts|node:\w+)$/.test(line));
    expect(files.length).toBeGreaterThan(3);
    expect(foreign).toEqual([]);
  });
});
