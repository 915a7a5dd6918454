import { describe, expect, it } from 'vitest';

import type { MrkdwnNode } from '../../src/sandbox/console/public/mrkdwn.js';
import { parseMrkdwn, parsePlainText } from '../../src/sandbox/console/public/mrkdwn.js';

const text = (value: string): MrkdwnNode => ({ type: 'text', text: value });
const br: MrkdwnNode = { type: 'br' };
const bold = (...children: MrkdwnNode[]): MrkdwnNode => ({ type: 'bold', children });
const italic = (...children: MrkdwnNode[]): MrkdwnNode => ({ type: 'italic', children });
const strike = (...children: MrkdwnNode[]): MrkdwnNode => ({ type: 'strike', children });
const emoji = (name: string, value: string | null): MrkdwnNode => ({
  type: 'emoji',
  name,
  text: value,
});

/** Every node in the tree, depth first. */
function walk(nodes: MrkdwnNode[]): MrkdwnNode[] {
  return nodes.flatMap((node) => ('children' in node ? [node, ...walk(node.children)] : [node]));
}

describe('parseMrkdwn: text and entities', () => {
  it('returns plain text as one text node', () => {
    expect(parseMrkdwn('Checkout latency is up')).toEqual([text('Checkout latency is up')]);
  });

  it('returns an empty tree for empty input', () => {
    expect(parseMrkdwn('')).toEqual([]);
  });

  it('decodes exactly the three Slack entities, once', () => {
    expect(parseMrkdwn('a &amp; b &lt;script&gt; &amp;lt; &quot; &#60;')).toEqual([
      text('a & b <script> &lt; &quot; &#60;'),
    ]);
  });

  it('never turns an escaped tag into a link or special', () => {
    expect(parseMrkdwn('&lt;https://evil.example|x&gt; &lt;@U1&gt;')).toEqual([
      text('<https://evil.example|x> <@U1>'),
    ]);
  });

  it('turns newlines into br nodes', () => {
    expect(parseMrkdwn('one\ntwo\n')).toEqual([text('one'), br, text('two'), br]);
  });
});

describe('parseMrkdwn: inline formatting', () => {
  it('parses bold, italic, strike and code', () => {
    expect(parseMrkdwn('*b* _i_ ~s~ `c`')).toEqual([
      bold(text('b')),
      text(' '),
      italic(text('i')),
      text(' '),
      strike(text('s')),
      text(' '),
      { type: 'code', text: 'c' },
    ]);
  });

  it('nests different styles', () => {
    expect(parseMrkdwn('*bold _both_*')).toEqual([bold(text('bold '), italic(text('both')))]);
    expect(parseMrkdwn('_~gone~_')).toEqual([italic(strike(text('gone')))]);
  });

  it('allows punctuation around markers', () => {
    expect(parseMrkdwn('(*Status:* open).')).toEqual([
      text('('),
      bold(text('Status:')),
      text(' open).'),
    ]);
  });

  it('keeps unmatched markers as text', () => {
    expect(parseMrkdwn('*open _only ~here `tick')).toEqual([text('*open _only ~here `tick')]);
    expect(parseMrkdwn('** __ ~~')).toEqual([text('** __ ~~')]);
  });

  it('requires non-space inside the markers', () => {
    expect(parseMrkdwn('* not bold * and _ not _')).toEqual([text('* not bold * and _ not _')]);
  });

  it('leaves intraword markers alone', () => {
    expect(parseMrkdwn('snake_case_name and 2*3*4 and a~b~c')).toEqual([
      text('snake_case_name and 2*3*4 and a~b~c'),
    ]);
  });

  it('does not format across a newline', () => {
    expect(parseMrkdwn('*start\nend*')).toEqual([text('*start'), br, text('end*')]);
  });

  it('parses nothing inside inline code but decodes entities', () => {
    expect(parseMrkdwn('run `a *b* _c_ &lt;d&gt; <@U1>` now')).toEqual([
      text('run '),
      { type: 'code', text: 'a *b* _c_ <d> <@U1>' },
      text(' now'),
    ]);
  });

  it('puts mentions and emoji inside formatting', () => {
    expect(parseMrkdwn('*<@U1> :fire:*')).toEqual([
      bold({ type: 'user', id: 'U1' }, text(' '), emoji('fire', '🔥')),
    ]);
  });
});

describe('parseMrkdwn: pre blocks', () => {
  it('keeps the inside verbatim, dropping the newlines next to the fences', () => {
    expect(parseMrkdwn('Log:\n```\n*not bold* <https://x>\n&lt;tag&gt; line2\n```\nafter')).toEqual(
      [
        text('Log:'),
        br,
        { type: 'pre', text: '*not bold* <https://x>\n<tag> line2' },
        br,
        text('after'),
      ],
    );
  });

  it('handles an inline fence and leaves an unclosed fence as text', () => {
    expect(parseMrkdwn('x ```y``` z')).toEqual([
      text('x '),
      { type: 'pre', text: 'y' },
      text(' z'),
    ]);
    expect(parseMrkdwn('```open')).toEqual([text('```open')]);
  });
});

describe('parseMrkdwn: quotes', () => {
  it('groups consecutive quote lines and ends the quote at the first other line', () => {
    expect(parseMrkdwn('&gt; a\n&gt; b\nc')).toEqual([
      { type: 'quote', children: [text('a'), br, text('b')] },
      text('c'),
    ]);
  });

  it('accepts a raw > with or without a space and parses formatting inside', () => {
    expect(parseMrkdwn('before\n>*x*\n&gt;y')).toEqual([
      text('before'),
      br,
      { type: 'quote', children: [bold(text('x')), br, text('y')] },
    ]);
  });

  it('only treats &gt; at the start of a line as a quote', () => {
    expect(parseMrkdwn('a &gt; b')).toEqual([text('a > b')]);
  });
});

describe('parseMrkdwn: links', () => {
  it('parses a link with and without a label', () => {
    expect(parseMrkdwn('<https://example.com/a?x=1&amp;y=2>')).toEqual([
      {
        type: 'link',
        url: 'https://example.com/a?x=1&y=2',
        children: [text('https://example.com/a?x=1&y=2')],
      },
    ]);
    expect(parseMrkdwn('see <http://example.com|the runbook>.')).toEqual([
      text('see '),
      { type: 'link', url: 'http://example.com', children: [text('the runbook')] },
      text('.'),
    ]);
    expect(parseMrkdwn('<mailto:oncall@example.com|mail us>')).toEqual([
      { type: 'link', url: 'mailto:oncall@example.com', children: [text('mail us')] },
    ]);
  });

  it('parses formatting and emoji in a label', () => {
    expect(parseMrkdwn('<https://x.example|*Open* _incident_ :rocket: &amp; co>')).toEqual([
      {
        type: 'link',
        url: 'https://x.example',
        children: [
          bold(text('Open')),
          text(' '),
          italic(text('incident')),
          text(' '),
          emoji('rocket', '🚀'),
          text(' & co'),
        ],
      },
    ]);
  });

  it('refuses unsafe schemes, showing the label or the url as text', () => {
    expect(parseMrkdwn('<javascript:alert(1)|click me>')).toEqual([text('click me')]);
    expect(parseMrkdwn('<JaVaScRiPt:alert(1)>')).toEqual([text('JaVaScRiPt:alert(1)')]);
    expect(parseMrkdwn('<data:text/html,hi|x>')).toEqual([text('x')]);
    expect(parseMrkdwn('<vbscript:msgbox|y>')).toEqual([text('y')]);
    expect(parseMrkdwn('< \t\u0001javascript:alert(1)|z>')).toEqual([text('z')]);
    expect(parseMrkdwn('<java\tscript:alert(1)|w>')).toEqual([text('w')]);
    expect(parseMrkdwn('<//evil.example|v>')).toEqual([text('v')]);
  });

  it('never produces a link node with an unsafe url', () => {
    const inputs = [
      '<javascript:x>',
      '<https:x|ok>',
      '<  https://ok.example>',
      '<file:///etc/passwd>',
      '<JAVASCRIPT&amp;colon;x>',
    ];
    for (const input of inputs) {
      for (const node of walk(parseMrkdwn(input))) {
        if (node.type === 'link') expect(node.url).toMatch(/^(https?|mailto):/i);
      }
    }
  });

  it('keeps a stray < as text', () => {
    expect(parseMrkdwn('a < b and <<https://x>')).toEqual([
      text('a < b and <'),
      { type: 'link', url: 'https://x', children: [text('https://x')] },
    ]);
  });
});

describe('parseMrkdwn: mentions, broadcasts and dates', () => {
  it('parses users, channels and user groups with and without labels', () => {
    expect(
      parseMrkdwn(
        '<@U123ABC> <@U9|pat> <#C123> <#C9|incidents> <!subteam^S1> <!subteam^S2|@oncall>',
      ),
    ).toEqual([
      { type: 'user', id: 'U123ABC' },
      text(' '),
      { type: 'user', id: 'U9', label: 'pat' },
      text(' '),
      { type: 'channel', id: 'C123' },
      text(' '),
      { type: 'channel', id: 'C9', label: 'incidents' },
      text(' '),
      { type: 'usergroup', id: 'S1' },
      text(' '),
      { type: 'usergroup', id: 'S2', label: '@oncall' },
    ]);
  });

  it('parses broadcasts, with or without a label', () => {
    expect(parseMrkdwn('<!here> <!channel> <!everyone|@everyone>')).toEqual([
      { type: 'broadcast', name: 'here' },
      text(' '),
      { type: 'broadcast', name: 'channel' },
      text(' '),
      { type: 'broadcast', name: 'everyone' },
    ]);
  });

  it('shows the decoded fallback text of a date', () => {
    expect(parseMrkdwn('at <!date^1700000000^{date_short} {time}|Nov 14 &amp; 22:13 UTC>')).toEqual(
      [text('at '), { type: 'date', text: 'Nov 14 & 22:13 UTC' }],
    );
  });

  it('keeps malformed specials as text', () => {
    expect(parseMrkdwn('<@not an id> <!date^1700000000^{date}>')).toEqual([
      text('<@not an id> <!date^1700000000^{date}>'),
    ]);
  });
});

describe('parseMrkdwn: emoji', () => {
  it('maps known shortcodes and leaves unknown ones for the renderer', () => {
    expect(parseMrkdwn(':white_check_mark: done :party_parrot:')).toEqual([
      emoji('white_check_mark', '✅'),
      text(' done '),
      emoji('party_parrot', null),
    ]);
  });

  it('parses back-to-back and bracketed shortcodes', () => {
    expect(parseMrkdwn(':x::fire: (:eyes:) :+1:')).toEqual([
      emoji('x', '❌'),
      emoji('fire', '🔥'),
      text(' ('),
      emoji('eyes', '👀'),
      text(') '),
      emoji('+1', '👍'),
    ]);
  });

  it('leaves times and ARNs alone', () => {
    expect(parseMrkdwn('at 12:52:47 UTC')).toEqual([text('at 12:52:47 UTC')]);
    expect(parseMrkdwn('arn:aws:sns:eu-west-1:123:topic')).toEqual([
      text('arn:aws:sns:eu-west-1:123:topic'),
    ]);
    expect(parseMrkdwn('region eu-west-1: degraded, ratio 10:30:')).toEqual([
      text('region eu-west-1: degraded, ratio 10:30:'),
    ]);
  });

  it('does not let underscores in a shortcode break italics', () => {
    expect(parseMrkdwn('_see :white_check_mark:_')).toEqual([
      italic(text('see '), emoji('white_check_mark', '✅')),
    ]);
  });
});

describe('parsePlainText', () => {
  it('keeps text literal, with br for newlines and emoji when asked', () => {
    expect(parsePlainText('*x* &lt; :rocket:\n_y_', true)).toEqual([
      text('*x* &lt; '),
      emoji('rocket', '🚀'),
      br,
      text('_y_'),
    ]);
  });

  it('leaves shortcodes as text when emoji is off', () => {
    expect(parsePlainText(':rocket: <https://x>', false)).toEqual([text(':rocket: <https://x>')]);
  });

  it('applies the same time-safe emoji rule', () => {
    expect(parsePlainText('at 12:52:47', true)).toEqual([text('at 12:52:47')]);
  });
});

describe('robustness', () => {
  it('never throws on random input', () => {
    // mulberry32: a tiny seeded generator, so a failure reproduces.
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const alphabet = '*_~`<>|:&!@#^ \nabcXYZ019;gtlamp/.';
    const pieces = ['&gt; ', '&lt;', '&amp;', '```', 'https://', 'javascript:', ':fire:', '<@U1>'];
    for (let n = 0; n < 2000; n++) {
      let input = '';
      const length = Math.floor(random() * 60);
      for (let k = 0; k < length; k++) {
        input +=
          random() < 0.1
            ? pieces[Math.floor(random() * pieces.length)]
            : alphabet[Math.floor(random() * alphabet.length)];
      }
      const tree = parseMrkdwn(input);
      expect(Array.isArray(tree)).toBe(true);
      for (const node of walk(tree)) {
        if (node.type === 'link') expect(node.url).toMatch(/^(https?|mailto):/i);
      }
      expect(Array.isArray(parsePlainText(input, true))).toBe(true);
    }
  });

  it('returns an empty tree for a non-string', () => {
    expect(parseMrkdwn(undefined as unknown as string)).toEqual([]);
    expect(parsePlainText(null as unknown as string, true)).toEqual([]);
  });

  it('parses long adversarial input in linear-ish time', () => {
    const inputs = [
      '*a'.repeat(20_000),
      ' *a'.repeat(13_000),
      ' `a'.repeat(13_000),
      ' :a'.repeat(13_000),
      '<'.repeat(40_000),
      '_*~'.repeat(13_000),
      '```\n'.repeat(10_000),
      '&gt; *a\n'.repeat(5_000),
    ];
    for (const input of inputs) {
      const started = performance.now();
      parseMrkdwn(input);
      // A guard against catastrophic backtracking, not a benchmark.
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });
});
