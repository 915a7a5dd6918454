/**
 * Ticket documents to and from Atlassian Document Format, which Jira Cloud REST v3 requires for
 * descriptions and comments (wire-formats.md §4.3, field report F12).
 * https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
import type { DocBlock, Inline, TicketDoc } from '../tickets/ticket-doc.ts';

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  marks?: { type: string; attrs?: Record<string, unknown> }[];
  text?: string;
}

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

/** Deeper trees are cut: webhook bodies come from outside and recursion must stay bounded. */
const MAX_DEPTH = 64;

/**
 * A ticket document as ADF. Jira refuses a text node that is empty or holds a newline outside
 * a code block, so lines are joined with `hardBreak` and empty runs leave no node at all.
 */
export function toAdf(doc: TicketDoc): AdfDoc {
  return { type: 'doc', version: 1, content: doc.flatMap(blockNodes) };
}

function blockNodes(block: DocBlock): AdfNode[] {
  switch (block.type) {
    case 'heading':
      return [
        { type: 'heading', attrs: { level: 3 }, content: inlineNodes([{ text: block.text }]) },
      ];
    case 'paragraph':
      return [paragraph(block.lines)];
    case 'bullets':
      // ADF wants at least one listItem in a bulletList.
      if (block.items.length === 0) return [];
      return [
        {
          type: 'bulletList',
          content: block.items.map((item) => ({ type: 'listItem', content: [paragraph([item])] })),
        },
      ];
    case 'code': {
      const text = block.text.replace(/\r\n?/g, '\n');
      return [{ type: 'codeBlock', content: text === '' ? [] : [{ type: 'text', text }] }];
    }
  }
}

function paragraph(lines: Inline[][]): AdfNode {
  const content = lines.flatMap((line, index) => [
    ...(index > 0 ? [{ type: 'hardBreak' }] : []),
    ...inlineNodes(line),
  ]);
  return { type: 'paragraph', content };
}

/** Text nodes with marks; a stray newline in an inline becomes a hardBreak rather than a 400. */
function inlineNodes(inlines: Inline[]): AdfNode[] {
  return inlines.flatMap((inline) =>
    inline.text
      .split(/\r\n?|\n/)
      .flatMap((text, index) => [
        ...(index > 0 ? [{ type: 'hardBreak' }] : []),
        ...(text === '' ? [] : [textNode(text, inline)]),
      ]),
  );
}

function textNode(text: string, inline: Inline): AdfNode {
  const marks: NonNullable<AdfNode['marks']> = [];
  // ADF allows `code` only together with `link`, so `strong` gives way to it.
  if (inline.code) marks.push({ type: 'code' });
  else if (inline.strong) marks.push({ type: 'strong' });
  if (inline.href !== undefined) marks.push({ type: 'link', attrs: { href: inline.href } });
  return marks.length > 0 ? { type: 'text', text, marks } : { type: 'text', text };
}

/**
 * The plain text of an ADF body (a comment arriving by webhook), for the timeline: blocks on
 * their own lines, hard breaks as newlines, list items with `- `, mentions as `@name`, emoji as
 * their text; unknown nodes give the text inside them, anything malformed gives nothing.
 */
export function adfToText(adf: unknown): string {
  if (typeof adf === 'string') return adf.trim(); // a v2 webhook or wiki-markup body
  return nodeText(adf, 0)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function nodeText(node: unknown, depth: number): string {
  if (!isRecord(node) || depth > MAX_DEPTH) return '';
  const attrs = isRecord(node.attrs) ? node.attrs : {};
  const children = Array.isArray(node.content) ? node.content : [];
  const inner = () => children.map((child) => nodeText(child, depth + 1)).join('');

  switch (node.type) {
    case 'text':
      return typeof node.text === 'string' ? node.text : '';
    case 'hardBreak':
      return '\n';
    case 'mention': {
      const name = stringOf(attrs.text) ?? stringOf(attrs.displayName) ?? stringOf(attrs.id) ?? '';
      return name.startsWith('@') ? name : `@${name}`;
    }
    case 'emoji':
      return stringOf(attrs.text) ?? stringOf(attrs.shortName) ?? '';
    case 'status':
      return stringOf(attrs.text) ?? '';
    case 'inlineCard':
    case 'blockCard':
    case 'embedCard':
      return stringOf(attrs.url) ?? '';
    case 'date': {
      const time = Number(attrs.timestamp);
      return Number.isFinite(time) ? new Date(time).toISOString().slice(0, 10) : '';
    }
    case 'rule':
      return '---\n';
    case 'doc':
    case 'blockquote':
    case 'panel':
    case 'expand':
    case 'nestedExpand':
    case 'layoutSection':
    case 'layoutColumn':
    case 'table':
      return inner();
    case 'tableRow':
      return `${inner().replace(/\t$/, '')}\n`;
    case 'tableCell':
    case 'tableHeader':
      return `${inner().trim()}\t`;
    case 'bulletList':
      return children.map((c) => `- ${nodeText(c, depth + 1).trim()}\n`).join('');
    case 'orderedList': {
      const first = Number(attrs.order ?? 1);
      const start = Number.isInteger(first) ? first : 1;
      return children.map((c, i) => `${start + i}. ${nodeText(c, depth + 1).trim()}\n`).join('');
    }
    case 'listItem':
      return inner();
    case 'paragraph':
    case 'heading':
    case 'codeBlock':
      return `${inner()}\n`;
    default:
      return inner();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
