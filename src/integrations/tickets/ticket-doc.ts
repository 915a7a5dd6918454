/**
 * A ticket's text, independent of where it goes: Jira renders it as Atlassian Document Format,
 * GitHub as Markdown. Built from the incident (and from what people typed), so alert text with
 * newlines, stack traces and links keeps its shape in both (field report F12).
 */

/** A run of text; `href` makes it a link, `code` inline code. Text may not hold newlines. */
export interface Inline {
  text: string;
  href?: string;
  code?: boolean;
  strong?: boolean;
}

export type DocBlock =
  | { type: 'heading'; text: string }
  /** Lines of a paragraph: each is a list of inlines; lines are joined by hard breaks. */
  | { type: 'paragraph'; lines: Inline[][] }
  | { type: 'bullets'; items: Inline[][] }
  /** Kept verbatim (stack traces, indented output). */
  | { type: 'code'; text: string };

export type TicketDoc = DocBlock[];
