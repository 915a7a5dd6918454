import { describe, expect, it } from 'vitest';

import { inlineText, textToDoc } from '../../src/integrations/tickets/text-to-doc.ts';
import type { TicketDoc } from '../../src/integrations/tickets/ticket-doc.ts';

/** Field report F12's alert description, verbatim. */
const F12 =
  'Error rate 12%\n\nStack:\n  at svc.handler (app.js:10)\n\t• pod=api-7f9c\n' +
  'Unicode: Zürich ✓ 🔥\nLink: https://grafana.test/d/abc?var=1&x=<2>';

function inlineTexts(doc: TicketDoc): string[] {
  return doc.flatMap((block) => {
    if (block.type === 'paragraph') return block.lines.flat().map((inline) => inline.text);
    if (block.type === 'bullets') return block.items.flat().map((inline) => inline.text);
    return [];
  });
}

describe('textToDoc', () => {
  it('keeps the shape of F12’s alert text: paragraphs, a code block, lines and a link', () => {
    const doc = textToDoc(F12);

    expect(doc).toEqual([
      { type: 'paragraph', lines: [[{ text: 'Error rate 12%' }]] },
      { type: 'paragraph', lines: [[{ text: 'Stack:' }]] },
      { type: 'code', text: '  at svc.handler (app.js:10)\n\t• pod=api-7f9c' },
      {
        type: 'paragraph',
        lines: [
          [{ text: 'Unicode: Zürich ✓ 🔥' }],
          [
            { text: 'Link: ' },
            {
              text: 'https://grafana.test/d/abc?var=1&x=<2>',
              href: 'https://grafana.test/d/abc?var=1&x=%3C2%3E',
            },
          ],
        ],
      },
    ]);
  });

  it('never puts a line break inside an inline', () => {
    const doc = textToDoc(`${F12}\r\nmore\rand more\r\n\r\nlast`);

    expect(inlineTexts(doc).length).toBeGreaterThan(0);
    expect(inlineTexts(doc).every((text) => !/[\r\n]/.test(text))).toBe(true);
    expect(doc.at(-1)).toEqual({ type: 'paragraph', lines: [[{ text: 'last' }]] });
  });

  it('separates paragraphs by blank lines, however many, and drops empty text', () => {
    const doc = textToDoc('\n\none\ntwo\n\n \n\nthree\n\n');

    expect(doc).toEqual([
      { type: 'paragraph', lines: [[{ text: 'one' }], [{ text: 'two' }]] },
      { type: 'paragraph', lines: [[{ text: 'three' }]] },
    ]);
    expect(textToDoc('')).toEqual([]);
    expect(textToDoc('\n \n')).toEqual([]);
  });

  it('gathers a Java stack trace with a blank line inside into one code block', () => {
    const text =
      'Exception in thread "main" java.lang.IllegalStateException: boom\n' +
      '    at com.acme.Pay.run(Pay.java:42)\n\n    at com.acme.Main.main(Main.java:7)\nafter';

    const doc = textToDoc(text);

    expect(doc).toEqual([
      {
        type: 'paragraph',
        lines: [[{ text: 'Exception in thread "main" java.lang.IllegalStateException: boom' }]],
      },
      {
        type: 'code',
        text: '    at com.acme.Pay.run(Pay.java:42)\n\n    at com.acme.Main.main(Main.java:7)',
      },
      { type: 'paragraph', lines: [[{ text: 'after' }]] },
    ]);
  });

  it('takes a frame indented by one space as code, but not a line starting with "at"', () => {
    expect(textToDoc(' at x (y.js:1)')).toEqual([{ type: 'code', text: ' at x (y.js:1)' }]);
    expect(textToDoc('at noon the pool shrank')[0]).toMatchObject({ type: 'paragraph' });
  });
});

describe('inlineText', () => {
  it('links http(s) URLs and leaves sentence punctuation outside them', () => {
    expect(inlineText('See https://status.test/x. Or (https://a.test/b), fine!')).toEqual([
      { text: 'See ' },
      { text: 'https://status.test/x', href: 'https://status.test/x' },
      { text: '. Or (' },
      { text: 'https://a.test/b', href: 'https://a.test/b' },
      { text: '), fine!' },
    ]);
  });

  it('keeps balanced brackets that belong to the URL', () => {
    const url = 'https://en.wikipedia.test/wiki/Pool_(computing)';

    expect(inlineText(`read ${url}.`)).toEqual([
      { text: 'read ' },
      { text: url, href: url },
      { text: '.' },
    ]);
  });

  it('leaves other schemes and unparsable URLs as text', () => {
    expect(inlineText('javascript:alert(1) ftp://x.test https://')).toEqual([
      { text: 'javascript:alert(1) ftp://x.test https://' },
    ]);
  });

  it('gives no inlines for empty text and turns stray newlines into spaces', () => {
    expect(inlineText('')).toEqual([]);
    expect(inlineText('a\nb')).toEqual([{ text: 'a b' }]);
  });
});
