import { describe, expect, it } from 'vitest';

import { bold, escapeText, link, mention, truncate } from '../../src/slack/mrkdwn.ts';

const ELLIPSIS = '…';

/** True when every `&` starts one of the three entities escapeText writes. */
function entitiesWhole(text: string) {
  return /^(?:[^&]|&amp;|&lt;|&gt;)*$/.test(text);
}

/** True when the string holds a high surrogate without its low half, or the reverse. */
function hasLoneSurrogate(text: string) {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

describe('escapeText', () => {
  it('turns raw `a & b` into `a &amp; b`', () => {
    const raw = 'a & b';

    const escaped = escapeText(raw);

    expect(escaped).toBe('a &amp; b');
  });

  it('escapes < and > so mention and link syntax shows literally', () => {
    const raw = '<!channel> <@U0VICTIM> <https://evil.test|x>';

    const escaped = escapeText(raw);

    expect(escaped).toBe('&lt;!channel&gt; &lt;@U0VICTIM&gt; &lt;https://evil.test|x&gt;');
  });

  it('escapes each & < > exactly once, never producing &amp;amp;', () => {
    const raw = 'Latency > 500ms & errors < 1% in map<string,string>';

    const escaped = escapeText(raw);

    expect(escaped).toBe('Latency &gt; 500ms &amp; errors &lt; 1% in map&lt;string,string&gt;');
    expect(escaped).not.toContain('&amp;amp;');
  });

  it('shows an entity typed in raw text literally by escaping its & once', () => {
    const raw = 'AT&amp;T';

    const escaped = escapeText(raw);

    expect(escaped).toBe('AT&amp;amp;T');
  });

  it('leaves text without & < > unchanged', () => {
    const raw = 'Disk 90% full on db-0 Zürich 🔥 *bold* `tick`';

    const escaped = escapeText(raw);

    expect(escaped).toBe(raw);
  });
});

describe('truncate', () => {
  it('returns text that already fits unchanged', () => {
    const text = 'short enough';

    const result = truncate(text, text.length);

    expect(result).toBe(text);
  });

  it('never exceeds max and ends with the ellipsis when it cuts', () => {
    const text = 'x'.repeat(500);

    const results = [10, 50, 199, 200, 499].map((max) => ({ max, result: truncate(text, max) }));

    for (const { max, result } of results) {
      expect(result.length).toBeLessThanOrEqual(max);
      expect(result.endsWith(ELLIPSIS)).toBe(true);
    }
  });

  it('keeps as much text as fits before the ellipsis', () => {
    const text = 'abcdefghij';

    const result = truncate(text, 6);

    expect(result).toBe(`abcde${ELLIPSIS}`);
  });

  it('honours a longer custom ellipsis within max', () => {
    const text = 'y'.repeat(100);
    const ellipsis = '…(truncated)';

    const result = truncate(text, 40, ellipsis);

    expect(result.length).toBeLessThanOrEqual(40);
    expect(result.endsWith(ellipsis)).toBe(true);
  });

  it('never splits an &amp; &lt; or &gt; entity, whatever the cut point', () => {
    const text = escapeText('a&b<c>d&&e<<f>>g & h < i > j'.repeat(3));

    const results = Array.from({ length: text.length - 2 }, (_, i) => truncate(text, i + 2));

    for (const result of results) {
      expect(result.endsWith(ELLIPSIS)).toBe(true);
      expect(entitiesWhole(result.slice(0, -ELLIPSIS.length))).toBe(true);
    }
  });

  it('never splits a surrogate pair (emoji), whatever the cut point', () => {
    const text = 'ok 🔥🔥 fire 🚨x🚨 done 😀😀😀'.repeat(2);

    const results = Array.from({ length: text.length - 2 }, (_, i) => ({
      max: i + 2,
      result: truncate(text, i + 2),
    }));

    for (const { max, result } of results) {
      expect(result.length).toBeLessThanOrEqual(max);
      expect(hasLoneSurrogate(result)).toBe(false);
    }
  });

  it('never splits an entity or emoji that sit next to each other', () => {
    const text = escapeText('🔥&🔥<🔥>🔥&'.repeat(4));

    const results = Array.from({ length: text.length - 2 }, (_, i) => ({
      max: i + 2,
      result: truncate(text, i + 2),
    }));

    for (const { max, result } of results) {
      expect(result.length).toBeLessThanOrEqual(max);
      expect(hasLoneSurrogate(result)).toBe(false);
      expect(entitiesWhole(result.slice(0, -ELLIPSIS.length))).toBe(true);
    }
  });
});

describe('bold', () => {
  it('wraps text in one pair of asterisks', () => {
    const text = 'Checkout down';

    const result = bold(text, 100);

    expect(result).toBe('*Checkout down*');
  });

  it('keeps an inner * from closing the bold early', () => {
    const text = 'rate *5xx* above 1*2';

    const result = bold(text, 100);

    expect(result.startsWith('*')).toBe(true);
    expect(result.endsWith('*')).toBe(true);
    expect(result.slice(1, -1)).not.toContain('*');
  });

  it('escapes & < > inside the bold', () => {
    const text = 'a & <!here>';

    const result = bold(text, 100);

    expect(result).toBe('*a &amp; &lt;!here&gt;*');
  });

  it('stays within max, asterisks included, and still closes the bold', () => {
    const text = 'z'.repeat(400);

    const result = bold(text, 300);

    expect(result.length).toBeLessThanOrEqual(300);
    expect(result.endsWith(`${ELLIPSIS}*`)).toBe(true);
  });
});

describe('link', () => {
  it('writes <url|label> for a plain URL and label', () => {
    const url = 'https://runbooks.example.test/disk';

    const result = link(url, 'Runbook');

    expect(result).toBe('<https://runbooks.example.test/disk|Runbook>');
  });

  it('escapes & < > in the URL and in the label', () => {
    const url = 'https://x.test/a?b=1&c=<2>';
    const label = 'Runbook <!channel> & co';

    const result = link(url, label);

    expect(result).toBe('<https://x.test/a?b=1&amp;c=&lt;2&gt;|Runbook &lt;!channel&gt; &amp; co>');
  });

  it('keeps | out of the URL so the label cannot be forged', () => {
    const url = 'https://x.test/a|https://evil.test';

    const result = link(url, 'Dashboard');

    const [target, label] = result.slice(1, -1).split('|');
    expect(result.split('|')).toHaveLength(2);
    expect(target).not.toContain('|');
    expect(target?.startsWith('https://x.test/a')).toBe(true);
    expect(label).toBe('Dashboard');
  });

  it('keeps | out of the label so the token has exactly one separator', () => {
    const label = 'a|b|c';

    const result = link('https://x.test/', label);

    expect(result.split('|')).toHaveLength(2);
    expect(result.startsWith('<https://x.test/|')).toBe(true);
  });

  it('writes exactly one < and one >, at the ends', () => {
    const url = 'https://x.test/<x>';
    const label = '<y>';

    const result = link(url, label);

    expect(result.match(/</g)).toHaveLength(1);
    expect(result.match(/>/g)).toHaveLength(1);
    expect(result.startsWith('<')).toBe(true);
    expect(result.endsWith('>')).toBe(true);
  });
});

describe('mention', () => {
  it('mentions a real-looking user ID as <@U…>', () => {
    const id = 'U0123ABCD';

    const result = mention(id);

    expect(result).toBe('<@U0123ABCD>');
  });

  it('mentions an enterprise user ID starting with W', () => {
    const id = 'W0123ABCD';

    const result = mention(id);

    expect(result).toBe('<@W0123ABCD>');
  });

  it.each(['pat', 'u0123abcd', 'C0123ABCD', 'U', 'U0123 ABCD', '', 'U0123-ABCD'])(
    'does not mention %j',
    (id) => {
      const result = mention(id);

      expect(result).not.toContain('<@');
    },
  );

  it('escapes mention syntax passed in place of an ID', () => {
    const id = '<!channel>';

    const result = mention(id);

    expect(result).toBe('&lt;!channel&gt;');
  });

  it('does not mention an ID followed by a closing bracket', () => {
    const id = 'U0VICTIM><!here';

    const result = mention(id);

    expect(result).not.toContain('<');
    expect(result).not.toContain('>');
  });
});
