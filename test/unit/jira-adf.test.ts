import { describe, expect, it } from 'vitest';

import { adfToText, toAdf } from '../../src/integrations/jira/jira-adf.ts';
import { textToDoc } from '../../src/integrations/tickets/text-to-doc.ts';
import { adfProblem } from '../fakes/jira/adf.ts';

describe('toAdf', () => {
  it('renders every block kind with hard breaks and marks', () => {
    const adf = toAdf([
      { type: 'heading', text: 'Impact' },
      {
        type: 'paragraph',
        lines: [
          [{ text: 'Error rate ' }, { text: '12%', strong: true }],
          [{ text: 'dash', href: 'https://grafana.test/d/abc' }],
        ],
      },
      { type: 'bullets', items: [[{ text: 'pool', code: true, strong: true }], [{ text: 'b' }]] },
      { type: 'code', text: 'line 1\r\nline 2' },
    ]);

    expect(adf).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'Impact' }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Error rate ' },
            { type: 'text', text: '12%', marks: [{ type: 'strong' }] },
            { type: 'hardBreak' },
            {
              type: 'text',
              text: 'dash',
              marks: [{ type: 'link', attrs: { href: 'https://grafana.test/d/abc' } }],
            },
          ],
        },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [
                {
                  type: 'paragraph',
                  content: [{ type: 'text', text: 'pool', marks: [{ type: 'code' }] }],
                },
              ],
            },
            {
              type: 'listItem',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'b' }] }],
            },
          ],
        },
        { type: 'codeBlock', content: [{ type: 'text', text: 'line 1\nline 2' }] },
      ],
    });
  });

  it('leaves no empty text node for empty lines, headings, code or bullets', () => {
    const adf = toAdf([
      { type: 'paragraph', lines: [[], [{ text: '' }], [{ text: 'x' }]] },
      { type: 'heading', text: '' },
      { type: 'code', text: '' },
      { type: 'bullets', items: [] },
    ]);

    expect(JSON.stringify(adf)).not.toContain('"text":""');
    expect(adf.content.map((node) => node.type)).toEqual(['paragraph', 'heading', 'codeBlock']);
    expect(adfProblem(adf)).toBeUndefined();
  });

  it('turns a newline that slipped into an inline into a hardBreak', () => {
    const adf = toAdf([{ type: 'paragraph', lines: [[{ text: 'a\nb' }]] }]);

    expect(adf.content[0]!.content!.map((node) => node.type)).toEqual([
      'text',
      'hardBreak',
      'text',
    ]);
  });

  it('makes F12’s alert text into ADF the Jira stand-in accepts, characters kept', () => {
    const text =
      'Error rate 12%\n\nStack:\n  at svc.handler (app.js:10)\n\t• pod=api-7f9c\n' +
      'Unicode: Zürich ✓ 🔥\nLink: https://grafana.test/d/abc?var=1&x=<2>';

    const adf = toAdf(textToDoc(text));

    expect(adfProblem(adf)).toBeUndefined();
    expect(adfToText(adf)).toBe(text.replace('\n\n', '\n'));
  });
});

describe('adfToText', () => {
  it('reads paragraphs, breaks, lists, mentions, emoji and cards', () => {
    const adf = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'mention', attrs: { id: '712020:abc', text: '@Pat Example' } },
            { type: 'text', text: ' rolled back ' },
            { type: 'emoji', attrs: { shortName: ':rocket:', text: '🚀' } },
            { type: 'hardBreak' },
            { type: 'inlineCard', attrs: { url: 'https://grafana.test/d/1' } },
          ],
        },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a' }] }],
            },
            {
              type: 'listItem',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'b' }] }],
            },
          ],
        },
        { type: 'codeBlock', content: [{ type: 'text', text: 'x\ny' }] },
        { type: 'mediaSingle', content: [{ type: 'media', attrs: { id: 'f1' } }] },
        { type: 'someFutureNode', content: [{ type: 'text', text: 'kept' }] },
      ],
    };

    expect(adfToText(adf)).toBe(
      '@Pat Example rolled back 🚀\nhttps://grafana.test/d/1\n- a\n- b\nx\ny\nkept',
    );
  });

  it('writes a mention without text as @ and its name, and tolerates junk', () => {
    const mention = { type: 'mention', attrs: { id: 'x', displayName: 'Sam' } };

    expect(adfToText({ type: 'paragraph', content: [mention] })).toBe('@Sam');
    expect(adfToText(null)).toBe('');
    expect(adfToText(42)).toBe('');
    expect(adfToText({ type: 'doc', content: 'nope' })).toBe('');
    expect(adfToText({ type: 'doc', content: [null, 1, { type: 'text' }] })).toBe('');
    expect(adfToText('plain string body ')).toBe('plain string body');
  });

  it('stops at a hostile depth instead of overflowing the stack', () => {
    let node: object = { type: 'text', text: 'deep' };
    for (let i = 0; i < 100_000; i += 1) node = { type: 'blockquote', content: [node] };

    expect(adfToText(node)).toBe('');
  });
});
