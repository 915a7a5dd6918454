/**
 * The Atlassian Document Format checks Jira Cloud REST v3 applies to rich-text fields
 * (description, environment, comment bodies; wire-formats.md §4.3, field report F12): the value
 * must be a `{ type: 'doc', version: 1, content: [...] }` tree, and the stand-in, like the
 * integrations in F12, refuses a text node holding a newline (use `hardBreak` or paragraphs).
 */
import { isObject } from './wire.ts';

/** Jira's message for a rich-text field given anything but an ADF document. */
export const NOT_ADF_MESSAGE =
  'Operation value must be an Atlassian Document (see the Atlassian Document Format)';

/** Why `value` is not acceptable ADF, or undefined when it is. */
export function adfProblem(value: unknown): string | undefined {
  if (!isObject(value) || value.type !== 'doc' || value.version !== 1) return NOT_ADF_MESSAGE;
  if (!Array.isArray(value.content)) return NOT_ADF_MESSAGE;
  return nodesProblem(value.content);
}

function nodesProblem(nodes: unknown[]): string | undefined {
  for (const node of nodes) {
    if (!isObject(node) || typeof node.type !== 'string') return NOT_ADF_MESSAGE;
    if (node.type === 'text') {
      if (typeof node.text !== 'string' || node.text === '') return NOT_ADF_MESSAGE;
      if (/[\r\n]/.test(node.text) && !insideCodeBlock.has(node)) return NOT_ADF_MESSAGE;
    }
    if (node.content === undefined) continue;
    if (!Array.isArray(node.content)) return NOT_ADF_MESSAGE;
    if (node.type === 'codeBlock') for (const child of node.content) insideCodeBlock.add(child);
    const problem = nodesProblem(node.content);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Text inside a codeBlock may hold newlines: that is how ADF carries a stack trace. */
const insideCodeBlock = new WeakSet<object>();

/** The plain text of an ADF tree: paragraphs and hardBreaks become newlines. */
export function adfText(doc: unknown): string {
  if (!isObject(doc)) return '';
  if (doc.type === 'text') return typeof doc.text === 'string' ? doc.text : '';
  if (doc.type === 'hardBreak') return '\n';
  const children = Array.isArray(doc.content) ? doc.content : [];
  const joiner = doc.type === 'doc' ? '\n' : '';
  return children.map(adfText).join(joiner);
}

/** A one-paragraph ADF document; each line of `text` separated by a hardBreak. */
export function adfDoc(text: string): object {
  const content = text
    .split('\n')
    .flatMap((line, index) => [
      ...(index > 0 ? [{ type: 'hardBreak' }] : []),
      ...(line === '' ? [] : [{ type: 'text', text: line }]),
    ]);
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content }] };
}
