import { describe, expect, it } from 'vitest';

import {
  incidentChannelName,
  isValidChannelName,
  MAX_CHANNEL_NAME,
  slugify,
} from '../../src/slack/channel-name.ts';

const DATE = '2024-06-01T09:30:00Z';
/** `inc-20240601-42-`: 16 characters before the slug. */
const PREFIX = 'inc-20240601-42-';

const F05_TITLE =
  '🔥 [P1] Payments API – 5xx > 50% in EU/Zürich (checkout, cart, wallet) — ÜBERLAST on db-primary-01.prod.example.internal!!';

/** A title of `length` characters that slugs to itself: words of 7 letters between dashes. */
function titleOfLength(length: number) {
  const words = 'latency-'.repeat(Math.ceil(length / 8) + 1);
  return words.slice(0, length).replace(/-$/, 'x');
}

/** Seeded generator, so the odd strings are the same on every run (mulberry32). */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where odd titles' code points come from: ASCII, Latin, marks, scripts, emoji, surrogates. */
const RANGES: [number, number][] = [
  [0x00, 0x7f],
  [0xa0, 0x24f],
  [0x300, 0x36f],
  [0x400, 0x4ff],
  [0x3040, 0x30ff],
  [0x4e00, 0x4fff],
  [0xd800, 0xdfff],
  [0xfb00, 0xfb06],
  [0xff01, 0xff5e],
  [0x1f300, 0x1f6ff],
  [0xe0000, 0xe007f],
];

function oddString(next: () => number) {
  const length = Math.floor(next() * 160);
  let text = '';
  for (let i = 0; i < length; i++) {
    const [low, high] = RANGES[Math.floor(next() * RANGES.length)]!;
    const code = low + Math.floor(next() * (high - low + 1));
    text +=
      code >= 0xd800 && code <= 0xdfff ? String.fromCharCode(code) : String.fromCodePoint(code);
  }
  return text;
}

describe('incidentChannelName', () => {
  it('slugs the F05 title of more than 110 characters into a valid name of at most 80', () => {
    const input = { date: DATE, number: 42, title: F05_TITLE };

    const name = incidentChannelName(input);

    expect(F05_TITLE.length).toBeGreaterThan(110);
    expect(name).toBe('inc-20240601-42-p1-payments-api-5xx-50-in-eu-zurich-checkout-cart-wallet');
    expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
    expect(isValidChannelName(name)).toBe(true);
  });

  it('gives the same name for the same input', () => {
    const input = { date: DATE, number: 42, title: F05_TITLE };

    const names = [incidentChannelName(input), incidentChannelName({ ...input })];

    expect(names[0]).toBe(names[1]);
  });

  it('falls back to inc-<yyyymmdd>-<number> for the F05 title `!!!`', () => {
    const input = { date: DATE, number: 43, title: '!!!' };

    const name = incidentChannelName(input);

    expect(name).toBe('inc-20240601-43');
  });

  it.each([
    ['Japanese', '本番データベースの障害'],
    ['Chinese', '支付服务中断'],
    ['emoji-only', '🔥🔥 🚨💥'],
    ['empty', ''],
    ['punctuation and spaces', ' -- _ ... ?! '],
  ])('falls back to the number alone for a %s title', (_, title) => {
    const input = { date: DATE, number: 7, title };

    const name = incidentChannelName(input);

    expect(name).toBe('inc-20240601-7');
  });

  it('drops a Cyrillic word and keeps the Latin and digits around it', () => {
    const input = { date: DATE, number: 7, title: 'Сбой в Kafka cluster 3 — задержка' };

    const name = incidentChannelName(input);

    expect(name).toBe('inc-20240601-7-kafka-cluster-3');
  });

  it('transliterates Latin diacritics and the letters NFKD keeps whole', () => {
    const title = 'Straße Æsir Øresund Œuvre Łódź Đakovo Þór Ærø Crème brûlée ÑANDÚ';

    const slug = slugify(title);

    expect(slug).toBe('strasse-aesir-oresund-oeuvre-lodz-dakovo-thor-aero-creme-brulee-nandu');
  });

  it('turns underscores, dots and slashes into single dashes, never two in a row', () => {
    const title = '__db_primary..01//eu--west__';

    const slug = slugify(title);

    expect(slug).toBe('db-primary-01-eu-west');
  });

  it('takes the date in UTC', () => {
    const input = { date: '2024-06-01T23:30:00-02:00', number: 1, title: 'x' };

    const name = incidentChannelName(input);

    expect(name).toBe('inc-20240602-1-x');
  });

  it('keeps a name of exactly 79 characters whole', () => {
    const title = titleOfLength(79 - PREFIX.length);

    const name = incidentChannelName({ date: DATE, number: 42, title });

    expect(name).toBe(PREFIX + title);
    expect(name).toHaveLength(79);
  });

  it('keeps a name of exactly 80 characters whole', () => {
    const title = titleOfLength(80 - PREFIX.length);

    const name = incidentChannelName({ date: DATE, number: 42, title });

    expect(name).toBe(PREFIX + title);
    expect(name).toHaveLength(80);
  });

  it('cuts a name that would be 81 characters back to the last whole word', () => {
    const title = titleOfLength(81 - PREFIX.length);

    const name = incidentChannelName({ date: DATE, number: 42, title });

    expect(title).toHaveLength(65);
    expect(name).toBe(PREFIX + title.slice(0, 63));
    expect(name).toHaveLength(79);
    expect(name.endsWith('-')).toBe(false);
  });

  it('cuts hard at 80 when no dash lies within the last 12 characters', () => {
    const title = 'a'.repeat(200);

    const name = incidentChannelName({ date: DATE, number: 42, title });

    expect(name).toBe(PREFIX + 'a'.repeat(64));
  });

  it('cuts at a dash that sits right after the cut', () => {
    const title = `${'b'.repeat(64)}-tail`;

    const name = incidentChannelName({ date: DATE, number: 42, title });

    expect(name).toBe(PREFIX + 'b'.repeat(64));
  });

  it.each([2, 3, 10, 123])('makes room for the suffix -%i on a name of the maximum length', (n) => {
    const title = titleOfLength(80 - PREFIX.length);

    const name = incidentChannelName({ date: DATE, number: 42, title, suffix: n });

    expect(name.endsWith(`-${n}`)).toBe(true);
    expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
    expect(name.slice(0, -`-${n}`.length).endsWith('-')).toBe(false);
    expect(isValidChannelName(name)).toBe(true);
  });

  it('appends the suffix to the F05 name and to the fallback name', () => {
    const long = { date: DATE, number: 42, title: F05_TITLE, suffix: 2 };
    const empty = { date: DATE, number: 43, title: '!!!', suffix: 3 };

    const names = [incidentChannelName(long), incidentChannelName(empty)];

    expect(names).toEqual([
      'inc-20240601-42-p1-payments-api-5xx-50-in-eu-zurich-checkout-cart-wallet-2',
      'inc-20240601-43-3',
    ]);
  });

  it('refuses a number or suffix that is not a whole number, and a date that is not a time', () => {
    const calls = [
      () => incidentChannelName({ date: DATE, number: Number.NaN, title: 'x' }),
      () => incidentChannelName({ date: DATE, number: -1, title: 'x' }),
      () => incidentChannelName({ date: DATE, number: 1, title: 'x', suffix: 1.5 }),
      () => incidentChannelName({ date: 'yesterday', number: 1, title: 'x' }),
    ];

    for (const call of calls) expect(call).toThrow(RangeError);
  });

  it('makes a valid name of at most 80 characters from hundreds of odd strings', () => {
    const next = random(20240601);

    const cases = Array.from({ length: 400 }, (_, i) => ({
      date: new Date(Date.UTC(2000, 0, 1) + Math.floor(next() * 1e12)).toISOString(),
      number: Math.floor(next() * 10 ** Math.floor(next() * 10)),
      title: oddString(next),
      ...(i % 3 === 0 ? { suffix: 2 + Math.floor(next() * 1000) } : {}),
    }));

    for (const input of cases) {
      const name = incidentChannelName(input);
      expect(isValidChannelName(name), JSON.stringify(input)).toBe(true);
      expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
      expect(name).toMatch(/^inc-\d{8}-\d+(-[a-z0-9]+)*$/);
      expect(incidentChannelName(input)).toBe(name);
    }
  });
});

describe('isValidChannelName', () => {
  it.each([
    ['inc-20240601-42', true],
    ['a_b-c', true],
    ['x'.repeat(80), true],
    ['x'.repeat(81), false],
    ['', false],
    ['---', false],
    ['_-_', false],
    ['Inc-1', false],
    ['inc 1', false],
    ['zürich', false],
  ])('says %j is %s', (name, valid) => {
    const result = isValidChannelName(name);

    expect(result).toBe(valid);
  });
});
