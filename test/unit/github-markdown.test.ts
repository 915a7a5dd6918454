import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

import { toMarkdown } from '../../src/integrations/github/github-markdown.ts';
import type { Inline, TicketDoc } from '../../src/integrations/tickets/ticket-doc.ts';

const ZWSP = '\u200b';

function paragraph(...lines: (string | Inline[])[]): TicketDoc {
  return [
    {
      type: 'paragraph',
      lines: lines.map((line) => (typeof line === 'string' ? [{ text: line }] : line)),
    },
  ];
}

interface PrettierDebug {
  parse(text: string, options: { parser: string }): Promise<{ ast: MdNode }>;
}

interface MdNode {
  type: string;
  value?: string;
  url?: string;
  children?: MdNode[];
}

/**
 * The Markdown syntax tree as prettier's parser (remark) sees it: a second opinion on what the
 * text turns into. `__debug.parse` is internal to prettier; if an upgrade removes it, drop this.
 */
async function nodeTypes(markdown: string): Promise<string[]> {
  const debug = (prettier as unknown as { __debug: PrettierDebug }).__debug;
  const { ast } = await debug.parse(markdown, { parser: 'markdown' });
  const types: string[] = [];
  const walk = (node: MdNode) => {
    types.push(node.type);
    node.children?.forEach(walk);
  };
  walk(ast);
  return [...new Set(types)];
}

describe('toMarkdown', () => {
  it('renders headings, hard-broken paragraphs, bullets and code blocks', () => {
    const markdown = toMarkdown([
      { type: 'heading', text: 'What happened' },
      { type: 'paragraph', lines: [[{ text: 'Error rate 12%' }], [{ text: 'since 03:12 UTC' }]] },
      { type: 'bullets', items: [[{ text: 'checkout' }], [{ text: 'payments' }]] },
      { type: 'code', text: 'at svc.handler (app.js:10)\n' },
    ]);

    expect(markdown).toBe(
      [
        '### What happened',
        'Error rate 12%  \nsince 03:12 UTC',
        '- checkout\n- payments',
        '```\nat svc.handler (app.js:10)\n```',
      ].join('\n\n'),
    );
  });

  it('keeps F12’s alert text: tabs, unicode, <2> and & survive as text', () => {
    const markdown = toMarkdown(
      paragraph(
        'Error rate 12%',
        '',
        'Stack:',
        '  at svc.handler (app.js:10)',
        '\t• pod=api-7f9c',
        'Unicode: Zürich ✓ 🔥',
        'Link: https://grafana.test/d/abc?var=1&x=<2>',
      ),
    );

    expect(markdown.split('  \n')).toEqual([
      'Error rate 12%',
      '&nbsp;',
      'Stack:',
      '&nbsp;&nbsp;at svc.handler (app.js:10)',
      '&nbsp;&nbsp;&nbsp;&nbsp;• pod=api-7f9c',
      'Unicode: Zürich ✓ 🔥',
      'Link: [https://grafana.test/d/abc?var=1&amp;x=](https://grafana.test/d/abc?var=1&amp;x=)' +
        '&lt;2&gt;',
    ]);
  });

  it('keeps a tab inside a line and a stack trace verbatim in a code block', () => {
    const markdown = toMarkdown([
      { type: 'paragraph', lines: [[{ text: 'pod\tapi-7f9c & <2>' }]] },
      { type: 'code', text: 'Stack:\n\tat <anonymous> & @here\n' },
    ]);

    expect(markdown).toBe(
      'pod\tapi-7f9c &amp; &lt;2&gt;\n\n```\nStack:\n\tat <anonymous> & @here\n```',
    );
  });

  it('lets no HTML or comment through from text', async () => {
    const markdown = toMarkdown(
      paragraph('<!-- hidden --> <img src=x onerror=alert(1)> &lt; <details open>'),
    );

    expect(markdown).toBe(
      '&lt;!-- hidden --&gt; &lt;img src=x onerror=alert(1)&gt; &amp;lt; &lt;details open&gt;',
    );
    expect(await nodeTypes(markdown)).toEqual(['root', 'paragraph', 'text']);
  });

  it('escapes Markdown punctuation so text cannot format, link or start blocks', async () => {
    const hostile = [
      '- not a list',
      '1. not ordered',
      '# not a heading',
      '> not a quote',
      '===',
      '    not code',
      '*em* _u_ **b** ~~s~~ `c` [a](b) ![i](i.png) [^1] | t | $x$',
      '```',
    ];

    const markdown = toMarkdown(paragraph(...hostile));

    expect(await nodeTypes(markdown)).toEqual(['root', 'paragraph', 'text', 'break']);
    expect(markdown).toContain('\\- not a list');
    expect(markdown).toContain('1\\. not ordered');
    expect(markdown).toContain('\\*em\\* \\_u\\_ \\*\\*b\\*\\* \\~\\~s\\~\\~ \\`c\\`');
    expect(markdown).toContain('\\| t \\| \\$x\\$');
  });

  it('breaks @mentions and #references so an alert pings nobody', () => {
    const markdown = toMarkdown([
      { type: 'heading', text: '@oncall see #12' },
      ...paragraph('cc @alice, @acme/sre (mail ops@example.test)'),
    ]);

    expect(markdown).toBe(
      `### @${ZWSP}oncall see \\#${ZWSP}12\n\n` +
        `cc @${ZWSP}alice, @${ZWSP}acme/sre (mail ops@example.test)`,
    );
  });

  it('renders links with ] and ) escaped, and drops links that are not http(s)', async () => {
    const markdown = toMarkdown(
      paragraph([
        { text: 'dash [v2]', href: 'https://grafana.test/d/a(b)?q=1' },
        { text: ' ' },
        { text: 'run me', href: 'javascript:alert(1)' },
      ]),
    );

    expect(markdown).toBe('[dash \\[v2\\]](https://grafana.test/d/a%28b%29?q=1) run me');
    expect(await nodeTypes(markdown)).toEqual(['root', 'paragraph', 'link', 'text']);
  });

  it('fences inline code and code blocks longer than any backtick run inside', () => {
    const markdown = toMarkdown([
      ...paragraph([
        { text: 'run ' },
        { text: 'a `b` c', code: true },
        { text: ' and ' },
        { text: '`edge`', code: true },
      ]),
      { type: 'code', text: 'before\n````\nafter' },
    ]);

    expect(markdown).toBe('run ``a `b` c`` and `` `edge` ``\n\n`````\nbefore\n````\nafter\n`````');
  });

  it('makes strong text bold with its spaces outside', () => {
    const markdown = toMarkdown(
      paragraph([{ text: 'Status:' }, { text: ' Resolved ', strong: true }, { text: '(auto)' }]),
    );

    expect(markdown).toBe('Status: <strong>Resolved</strong> (auto)');
  });

  it('leaves out empty blocks', () => {
    expect(
      toMarkdown([
        { type: 'heading', text: ' ' },
        { type: 'code', text: '' },
      ]),
    ).toBe('');
  });
});
