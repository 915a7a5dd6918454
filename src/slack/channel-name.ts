/**
 * Names for incident channels, `inc-<yyyymmdd>-<number>-<slug>`, built from the incident's title
 * so that Slack accepts them: lowercase a-z, 0-9, `-` and `_`, at most 80 characters, not only
 * punctuation. A name over the limit fails `conversations.create` with `invalid_name_maxlength`.
 * https://docs.slack.dev/reference/methods/conversations.create
 */

/** Slack's limit on a channel name, in characters. */
export const MAX_CHANNEL_NAME = 80;

/** A cut looks this far back for a dash, so that it ends on a whole word. */
const WORD_BOUNDARY_WINDOW = 12;

/** Latin letters NFKD does not take apart, written the way people spell them in ASCII. */
const LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  ø: 'o',
  œ: 'oe',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

export interface ChannelNameInput {
  /** When the incident started, ISO 8601; its UTC date goes into the name. */
  date: string;
  number: number;
  title: string;
  /** Appended as `-<suffix>` (2, 3…) when Slack answered `name_taken`. */
  suffix?: number;
}

/**
 * The channel name for an incident, the same for the same input. The title's slug is cut,
 * on a word boundary where one is near, so that the name, suffix included, fits 80 characters;
 * a title with nothing usable in it (`!!!`, emoji, non-Latin script) gives `inc-<yyyymmdd>-<n>`.
 */
export function incidentChannelName(input: ChannelNameInput): string {
  const prefix = `inc-${utcDate(input.date)}-${wholeNumber(input.number, 'number')}`;
  const suffix = input.suffix === undefined ? '' : `-${wholeNumber(input.suffix, 'suffix')}`;

  const room = MAX_CHANNEL_NAME - prefix.length - suffix.length - 1;
  const slug = cut(slugify(input.title), room);
  return slug ? `${prefix}-${slug}${suffix}` : `${prefix}${suffix}`;
}

/** Whether Slack accepts `name` as a channel name. */
export function isValidChannelName(name: string) {
  return /^[a-z0-9_-]{1,80}$/.test(name) && /[a-z0-9]/.test(name);
}

/** Lowercase ASCII words joined by single dashes; Latin diacritics are dropped, not the letter. */
export function slugify(text: string) {
  const latin = text
    .normalize('NFKD')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[ßæøœłđðþı]/g, (letter) => LETTERS[letter] ?? '');
  return latin.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** The slug's first `room` characters, back to the last dash if it lies near the end. */
function cut(slug: string, room: number) {
  if (room <= 0) return '';
  if (slug.length <= room) return slug;
  if (slug[room] === '-') return slug.slice(0, room);

  const head = slug.slice(0, room);
  const dash = head.lastIndexOf('-');
  if (dash !== -1 && dash >= room - WORD_BOUNDARY_WINDOW) return head.slice(0, dash);
  return head.replace(/-+$/, '');
}

function utcDate(iso: string) {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) throw new RangeError(`Channel name: date is not an ISO time: ${iso}`);
  return new Date(time).toISOString().slice(0, 10).replace(/-/g, '');
}

function wholeNumber(value: number, field: string) {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`Channel name: ${field} must be a whole number, got ${value}`);
  return String(value);
}
