import { isWebUrl } from '../../sources/parse-result.ts';
import type { DocBlock, Inline, TicketDoc } from '../tickets/ticket-doc.ts';

/**
 * A ticket's text as GitHub Flavored Markdown for an issue or comment body. Text comes from
 * alerts and people, so it is neutralised: Markdown punctuation is escaped where it would format,
 * `<` `>` `&` become entities (no HTML, no `<!--`, gets through), and `@name` / `#12` get a
 * zero-width space so an alert can neither ping users or teams nor cross-reference issues
 * (GitHub links those in the rendered text, after Markdown:
 * https://docs.github.com/en/get-started/writing-on-github).
 * Code spans and blocks stay verbatim: GitHub renders nothing inside them.
 */
export function toMarkdown(doc: TicketDoc): string {
  return doc
    .map(renderBlock)
    .filter((block) => block !== '')
    .join('\n\n');
}

const ZWSP = '\u200b';
/** Bare http(s) URLs in text, cut at what GitHub's autolinker cuts at. */
const BARE_URL = /https?:\/\/[^\s<>"]+/g;
const TRAILING_PUNCTUATION = /[.,:;!?'")\]*_~]+$/;

function renderBlock(block: DocBlock): string {
  switch (block.type) {
    case 'heading': {
      const text = escapeText(oneLine(block.text).trim(), true);
      return text === '' ? '' : `### ${text}`;
    }
    case 'paragraph':
      // Two trailing spaces make a hard break; an empty line holds a space so that the
      // paragraph does not end there.
      return block.lines.map((line) => renderLine(line) || '&nbsp;').join('  \n');
    case 'bullets':
      return block.items.map((item) => `- ${renderLine(item)}`).join('\n');
    case 'code':
      return block.text === '' ? '' : codeBlock(block.text);
  }
}

function renderLine(inlines: Inline[]): string {
  let out = '';
  for (const inline of inlines) out += renderInline(inline, out === '');
  return out;
}

function renderInline(inline: Inline, atLineStart: boolean): string {
  const text = oneLine(inline.text);
  if (text === '') return '';
  const href = inline.href !== undefined && isWebUrl(inline.href) ? inline.href : undefined;
  let out = inline.code
    ? codeSpan(text)
    : href
      ? escapeText(text, atLineStart)
      : linkify(text, atLineStart);
  if (href) out = `[${out}](${destination(href)})`;
  if (!inline.strong) return out;

  // An HTML tag rather than `**`, which fails beside punctuation (CommonMark's flanking rules).
  const [, before = '', , after = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(out) ?? [];
  return `${before}<strong>${out.trim()}</strong>${after}`;
}

/** Text with its bare URLs turned into explicit links, so escaping cannot cut them short. */
function linkify(text: string, atLineStart: boolean): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(BARE_URL)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    if (!isWebUrl(url)) continue;
    out += escapeText(text.slice(last, match.index), atLineStart && last === 0);
    out += `[${escapeText(url, false)}](${destination(url)})`;
    last = match.index + url.length;
  }
  return out + escapeText(text.slice(last), atLineStart && last === 0);
}

/**
 * Plain text that renders as itself. At the start of a line, also what would open a block
 * (a list, heading underline, indented code) is neutralised; leading blanks are kept visible.
 */
function escapeText(text: string, atLineStart: boolean): string {
  const out = text
    .replace(/[\\`*_[\]~|#$]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/(^|[^A-Za-z0-9_])@(?=[A-Za-z0-9])/g, `$1@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`);
  if (!atLineStart) return out;

  const indent = /^[ \t]+/.exec(out)?.[0] ?? '';
  const blanks = indent.replace(/\t/g, '    ').replace(/ /g, '&nbsp;');
  return blanks + escapeLineStart(out.slice(indent.length));
}

/** What would open a list or a heading underline where it starts a line. */
function escapeLineStart(rest: string): string {
  return rest.replace(/^[-+=]/, '\\$&').replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * A link destination: percent-encoded where Markdown would end or unescape it, and `&` as an
 * entity, because CommonMark decodes entities there (`&lt;` in a URL would become `<`).
 */
function destination(url: string): string {
  return new URL(url).href
    .replace(/[()\\ <>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/&/g, '&amp;');
}

/** Inline code with a backtick fence longer than any run inside (CommonMark §6.1). */
function codeSpan(text: string): string {
  const fence = '`'.repeat(longestRun(text, '`') + 1);
  const pad = /^`|`$/.test(text) || (/^ [\s\S]* $/.test(text) && text.trim() !== '');
  return pad ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** A fenced block whose fence no line inside can close. */
function codeBlock(text: string): string {
  const body = text.replace(/\r\n?/g, '\n').replace(/\n$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}\n${body}\n${fence}`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  for (const run of text.match(new RegExp(`\\${char}+`, 'g')) ?? []) {
    longest = Math.max(longest, run.length);
  }
  return longest;
}

/** Inline text may not hold newlines (ticket-doc.ts); any that slip in become spaces. */
function oneLine(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ');
}
