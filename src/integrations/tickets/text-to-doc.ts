import type { DocBlock, Inline, TicketDoc } from './ticket-doc.ts';

/** Indented by a tab or two spaces, or a stack frame (`at fn (file:1)`) after any indentation. */
const CODE_LINE = /^(?:\t| {2,}|\s+at\s)/;
const URL_START = /https?:\/\/\S+/g;
/** Punctuation that ends a sentence rather than a URL when it trails one. */
const TRAILING = /[.,;:!?'"*_]+$/;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{', '>': '<' };

/**
 * Free text (an alert's description, what someone typed) as ticket blocks that keep its shape
 * (field report F12): blank lines separate paragraphs, the lines of a paragraph stay lines (hard
 * breaks), runs of indented lines such as stack traces become one code block, and http(s) URLs
 * become links. No inline text ever holds a line break, which Jira's ADF refuses.
 */
export function textToDoc(text: string): TicketDoc {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: DocBlock[] = [];
  let paragraph: Inline[][] = [];
  let code: string[] = [];

  const endParagraph = () => {
    if (paragraph.length > 0) blocks.push({ type: 'paragraph', lines: paragraph });
    paragraph = [];
  };
  const endCode = () => {
    if (code.length > 0) blocks.push({ type: 'code', text: code.join('\n') });
    code = [];
  };

  lines.forEach((line, index) => {
    if (isCode(line)) {
      endParagraph();
      code.push(line.trimEnd());
      return;
    }
    if (line.trim() === '') {
      // A blank line inside indented output belongs to it when more of it follows.
      if (code.length > 0 && isCode(lines[index + 1])) {
        code.push('');
        return;
      }
      endCode();
      endParagraph();
      return;
    }
    endCode();
    paragraph.push(inlineText(line.trimEnd()));
  });
  endCode();
  endParagraph();
  return blocks;
}

/**
 * One line of text with its http(s) URLs as links. Line breaks, should any slip in, become
 * spaces; empty text gives no inlines at all (Jira refuses an empty text node).
 */
export function inlineText(text: string): Inline[] {
  const line = text.replace(/[\r\n]+/g, ' ');
  const inlines: Inline[] = [];
  let done = 0;
  for (const match of line.matchAll(URL_START)) {
    const url = trimUrl(match[0]);
    const href = webHref(url);
    if (href === undefined) continue;
    const start = match.index;
    if (start > done) inlines.push({ text: line.slice(done, start) });
    inlines.push({ text: url, href });
    done = start + url.length;
  }
  if (done < line.length) inlines.push({ text: line.slice(done) });
  return inlines;
}

function isCode(line: string | undefined): boolean {
  return line !== undefined && line.trim() !== '' && CODE_LINE.test(line);
}

/**
 * Drops what ends the sentence, not the URL: trailing `.`, `,`, quotes, and closing brackets
 * without a partner inside the URL (`(see https://x.test/a)`), keeping `…/wiki/A_(b)` whole.
 */
function trimUrl(candidate: string): string {
  let url = candidate;
  for (;;) {
    const trimmed = url.replace(TRAILING, '');
    const last = trimmed.at(-1) ?? '';
    const opener = CLOSERS[last];
    if (opener !== undefined && count(trimmed, opener) < count(trimmed, last)) {
      url = trimmed.slice(0, -1);
      continue;
    }
    return trimmed;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** The URL as a valid href (`<`, spaces percent-encoded), or undefined if it does not parse. */
function webHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    return parsed.hostname === '' ? undefined : parsed.href;
  } catch {
    return undefined;
  }
}
