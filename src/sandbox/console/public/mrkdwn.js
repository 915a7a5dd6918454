// @ts-check
/**
 * Slack mrkdwn parser for the sandbox console.
 *
 * Turns the text the bot sends to Slack into a tree of plain data nodes. The DOM builder walks the
 * tree and creates elements with textContent only, so nothing here ever produces markup. The parser
 * is deliberately forgiving: any string gives a tree, anything it does not understand stays text.
 *
 * Order of work, and why:
 *  1. ``` fences are cut out first, because they may span lines and nothing inside them is parsed.
 *  2. The rest is split into lines; runs of `&gt; ` lines become quotes. Inline formatting never
 *     crosses a newline in Slack, so each line is parsed on its own.
 *  3. Each line becomes a list of "units": one per visible character, with `&amp;`, `&lt;`, `&gt;`
 *     decoded to a single unit, and each `<...>` special (link, mention, ...) folded into one
 *     opaque unit. Recognising `<...>` before decoding means `&lt;b&gt;` can only ever be text.
 *  4. Formatting markers are matched over the units. Valid closing markers are indexed up front, so
 *     each opener finds its closer in constant time; there is no backtracking regex anywhere.
 */

/** @typedef {{ type: 'text', text: string }} TextNode */
/** @typedef {{ type: 'br' }} BrNode */
/** @typedef {{ type: 'bold' | 'italic' | 'strike', children: MrkdwnNode[] }} StyleNode */
/** @typedef {{ type: 'code', text: string }} CodeNode */
/** @typedef {{ type: 'pre', text: string }} PreNode */
/** @typedef {{ type: 'quote', children: MrkdwnNode[] }} QuoteNode */
/** @typedef {{ type: 'link', url: string, children: MrkdwnNode[] }} LinkNode */
/** @typedef {{ type: 'user', id: string, label?: string }} UserNode */
/** @typedef {{ type: 'channel', id: string, label?: string }} ChannelNode */
/** @typedef {{ type: 'usergroup', id: string, label?: string }} UsergroupNode */
/** @typedef {{ type: 'broadcast', name: string }} BroadcastNode */
/** @typedef {{ type: 'date', text: string }} DateNode */
/** @typedef {{ type: 'emoji', name: string, text: string | null }} EmojiNode */

/**
 * @typedef {TextNode | BrNode | StyleNode | CodeNode | PreNode | QuoteNode | LinkNode | UserNode
 *   | ChannelNode | UsergroupNode | BroadcastNode | DateNode | EmojiNode} MrkdwnNode
 */

/**
 * A line prepared for inline parsing. The three arrays run in parallel, one entry per unit:
 * `ch` is the visible character ('' for an opaque unit), `atom` the ready-made node for an opaque
 * `<...>` unit (null otherwise), and `raw` the source text the unit came from.
 * `closers` caches, per marker, the index of the next valid closing marker at or after each index.
 * @typedef {{
 *   ch: string[],
 *   atom: (MrkdwnNode | null)[],
 *   raw: string[],
 *   closers: Map<string, Int32Array>,
 * }} Units
 */

/**
 * Which inline constructs are allowed: link labels get no code, plain_text only gets emoji.
 * @typedef {{ format: boolean, code: boolean, emoji: boolean }} InlineOptions
 */

/** Shortcodes the bot uses (plus a few common ones), mapped to the character a client shows. */
/** @type {Readonly<Record<string, string>>} */
const EMOJI = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  no_entry: '⛔',
  hourglass_flowing_sand: '⏳',
  x: '❌',
  warning: '⚠️',
  rotating_light: '🚨',
  mega: '📣',
  globe_with_meridians: '🌐',
  zzz: '💤',
  white_circle: '⚪',
  red_circle: '🔴',
  green_circle: '🟢',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  large_orange_circle: '🟠',
  large_blue_circle: '🔵',
  twisted_rightwards_arrows: '🔀',
  ticket: '🎫',
  thread: '🧵',
  speech_balloon: '💬',
  rocket: '🚀',
  pager: '📟',
  mute: '🔇',
  memo: '📝',
  fire: '🔥',
  bust_in_silhouette: '👤',
  alarm_clock: '⏰',
  eyes: '👀',
  bell: '🔔',
  no_bell: '🔕',
  checkered_flag: '🏁',
  link: '🔗',
  clipboard: '📋',
  bar_chart: '📊',
  point_right: '👉',
  tada: '🎉',
  information_source: 'ℹ️',
  lock: '🔒',
  wave: '👋',
  '+1': '👍',
  thumbsup: '👍',
  '-1': '👎',
  thumbsdown: '👎',
};

/** Deeper nesting than this is left as literal markers; it keeps recursion shallow on junk. */
const MAX_DEPTH = 16;
/** Longest shortcode name we look for; real ones are far shorter. */
const MAX_EMOJI_NAME = 100;
/** Slack ids are upper-case letters and digits; be a little lenient on case. */
const ID_RE = /^[A-Za-z0-9]+$/;
/** The only schemes a console link may point at. Anything else is shown as text. */
const SAFE_URL_RE = /^(?:https?|mailto):/i;
const EMOJI_NAME_CHAR_RE = /^[a-z0-9_+-]$/;
const LETTER_RE = /[a-z]/;
const WORD_CHAR_RE = /^[\p{L}\p{N}]$/u;
const SPACE_RE = /^\s$/;
/** Characters after which a `:` may open a shortcode (besides start of line and whitespace). */
const EMOJI_OPENERS = '([{>*_~';
const STYLE_MARKERS = /** @type {const} */ ({ '*': 'bold', _: 'italic', '~': 'strike' });

/** @type {InlineOptions} */
const MRKDWN_INLINE = { format: true, code: true, emoji: true };
/** @type {InlineOptions} */
const LABEL_INLINE = { format: true, code: false, emoji: true };
/** @type {InlineOptions} */
const EMOJI_ONLY = { format: false, code: false, emoji: true };

/**
 * Parse Slack mrkdwn into a node tree. Never throws; a non-string gives an empty tree.
 * @param {string} text
 * @returns {MrkdwnNode[]}
 */
export function parseMrkdwn(text) {
  if (typeof text !== 'string') return [];
  /** @type {MrkdwnNode[]} */
  const out = [];
  let first = true;
  for (const seg of splitFences(text)) {
    if (seg.pre) {
      out.push({ type: 'pre', text: decodeEntities(seg.text) });
    } else {
      // Only the very start of the message is a line start; text after a fence is mid-line.
      parseLines(seg.text, first, out);
    }
    first = false;
  }
  return out;
}

/**
 * Parse a Block Kit plain_text value: literal text (no entity decoding, no formatting), newlines
 * as `br`, and shortcodes as emoji only when the object asked for it with `emoji: true`.
 * @param {string} text
 * @param {boolean} emoji
 * @returns {MrkdwnNode[]}
 */
export function parsePlainText(text, emoji) {
  if (typeof text !== 'string') return [];
  /** @type {MrkdwnNode[]} */
  const out = [];
  text.split('\n').forEach((line, index) => {
    if (index > 0) out.push({ type: 'br' });
    if (emoji) {
      appendAll(out, parseRange(buildUnits(line, false, false), 0, -1, EMOJI_ONLY, 0));
    } else {
      pushText(out, line);
    }
  });
  return out;
}

/**
 * Cut the text into alternating plain and ``` segments. An unclosed or empty fence stays text.
 * @param {string} text
 * @returns {{ pre: boolean, text: string }[]}
 */
function splitFences(text) {
  /** @type {{ pre: boolean, text: string }[]} */
  const segs = [];
  let pos = 0;
  let from = 0;
  for (;;) {
    const open = text.indexOf('```', from);
    if (open < 0) break;
    const close = text.indexOf('```', open + 3);
    if (close < 0) break;
    if (close === open + 3) {
      // Six backticks in a row: nothing to show as a block, keep them literal.
      from = open + 3;
      continue;
    }
    let body = text.slice(open + 3, close);
    // Slack writes ```\ncode\n```; those newlines are part of the fence, not the code.
    if (body.startsWith('\n')) body = body.slice(1);
    if (body.endsWith('\n')) body = body.slice(0, -1);
    if (open > pos) segs.push({ pre: false, text: text.slice(pos, open) });
    segs.push({ pre: true, text: body });
    pos = from = close + 3;
  }
  if (pos < text.length || segs.length === 0) segs.push({ pre: false, text: text.slice(pos) });
  return segs;
}

/**
 * Parse the lines of a non-fenced segment into `out`, grouping `&gt;` lines into quotes.
 * The newline that ends a quote belongs to the quote (it is a block), so no `br` follows it.
 * @param {string} text
 * @param {boolean} startsAtLineStart whether the first line may be a quote line
 * @param {MrkdwnNode[]} out
 */
function parseLines(text, startsAtLineStart, out) {
  const lines = text.split('\n');
  let afterQuote = false;
  let k = 0;
  while (k < lines.length) {
    if (k > 0 && !afterQuote) out.push({ type: 'br' });
    const body = k > 0 || startsAtLineStart ? quoteBody(lines[k]) : null;
    if (body === null) {
      appendAll(out, parseLine(lines[k]));
      afterQuote = false;
      k++;
      continue;
    }
    /** @type {MrkdwnNode[]} */
    const children = parseLine(body);
    k++;
    let next;
    while (k < lines.length && (next = quoteBody(lines[k])) !== null) {
      children.push({ type: 'br' });
      appendAll(children, parseLine(next));
      k++;
    }
    out.push({ type: 'quote', children });
    afterQuote = true;
  }
}

/**
 * The text of a quote line without its marker, or null when the line is not a quote.
 * @param {string} line
 * @returns {string | null}
 */
function quoteBody(line) {
  let rest;
  if (line.startsWith('&gt;')) rest = line.slice(4);
  else if (line.startsWith('>')) rest = line.slice(1);
  else return null;
  return rest.startsWith(' ') ? rest.slice(1) : rest;
}

/**
 * @param {string} line one line of escaped mrkdwn
 * @returns {MrkdwnNode[]}
 */
function parseLine(line) {
  return parseRange(buildUnits(line, true, true), 0, -1, MRKDWN_INLINE, 0);
}

/**
 * Split a line into units (see the Units typedef).
 * @param {string} line
 * @param {boolean} specials recognise `<...>` specials
 * @param {boolean} entities decode the three Slack entities
 * @returns {Units}
 */
function buildUnits(line, specials, entities) {
  /** @type {Units} */
  const units = { ch: [], atom: [], raw: [], closers: new Map() };
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line[i];
    if (specials && c === '<') {
      // Scan to the next '>' but stop at another '<': then this one was just a character. Each
      // scan ends where the next starts, so a line full of '<' is still linear.
      let j = i + 1;
      while (j < n && line[j] !== '>' && line[j] !== '<') j++;
      const atom = j < n && line[j] === '>' ? readSpecial(line.slice(i + 1, j)) : null;
      if (atom) {
        addUnit(units, '', atom, line.slice(i, j + 1));
        i = j + 1;
        continue;
      }
    }
    if (entities && c === '&') {
      const entity = ENTITY_AT.find((e) => line.startsWith(e[0], i));
      if (entity) {
        addUnit(units, entity[1], null, entity[0]);
        i += entity[0].length;
        continue;
      }
    }
    addUnit(units, c, null, c);
    i++;
  }
  return units;
}

/** @type {readonly (readonly [string, string])[]} */
const ENTITY_AT = [
  ['&amp;', '&'],
  ['&lt;', '<'],
  ['&gt;', '>'],
];

/**
 * @param {Units} units
 * @param {string} ch
 * @param {MrkdwnNode | null} atom
 * @param {string} raw
 */
function addUnit(units, ch, atom, raw) {
  units.ch.push(ch);
  units.atom.push(atom);
  units.raw.push(raw);
}

/**
 * Decode Slack's three entities in one pass (so `&amp;lt;` is `&lt;`, not `<`).
 * @param {string} text
 * @returns {string}
 */
function decodeEntities(text) {
  return text.replace(/&(amp|lt|gt);/g, (_, name) =>
    name === 'amp' ? '&' : name === 'lt' ? '<' : '>',
  );
}

/**
 * Read the inside of a `<...>` special. Returns the node it stands for, or null when it is not a
 * form we know, in which case the caller keeps the characters as text.
 * @param {string} inner raw text between `<` and `>`
 * @returns {MrkdwnNode | null}
 */
function readSpecial(inner) {
  const bar = inner.indexOf('|');
  const head = bar < 0 ? inner : inner.slice(0, bar);
  const rawLabel = bar < 0 ? '' : inner.slice(bar + 1);
  const label = decodeEntities(rawLabel);

  if (head.startsWith('@') || head.startsWith('#')) {
    const id = head.slice(1);
    if (!ID_RE.test(id)) return null;
    const type = head.startsWith('@') ? 'user' : 'channel';
    return label ? { type, id, label } : { type, id };
  }
  if (head.startsWith('!')) {
    const command = head.slice(1);
    if (command.startsWith('subteam^')) {
      const id = command.slice('subteam^'.length);
      if (!ID_RE.test(id)) return null;
      return label ? { type: 'usergroup', id, label } : { type: 'usergroup', id };
    }
    if (command === 'here' || command === 'channel' || command === 'everyone') {
      return { type: 'broadcast', name: command };
    }
    if (command.startsWith('date^')) {
      // The console has no user locale to format for; Slack's own fallback text is what a
      // client shows when it cannot format, so show that.
      return bar < 0 ? null : { type: 'date', text: label };
    }
    // An unknown command: its label is the best guess at what a client would show.
    return label ? { type: 'text', text: label } : null;
  }

  // Anything else is a link. Browsers ignore leading spaces and control characters in a URL, so
  // strip them before checking the scheme against the allow-list.
  const url = decodeEntities(head).replace(/^[\u0000-\u0020]+/, '');
  if (!url) return null;
  if (!SAFE_URL_RE.test(url)) return { type: 'text', text: label || url };
  const children = label
    ? parseRange(buildUnits(rawLabel, false, true), 0, -1, LABEL_INLINE, 0)
    : [];
  return {
    type: 'link',
    url,
    children: children.length ? children : [{ type: 'text', text: url }],
  };
}

/**
 * Parse units[start, end) into nodes. `end` of -1 means the end of the units.
 * @param {Units} units
 * @param {number} start
 * @param {number} end
 * @param {InlineOptions} opts
 * @param {number} depth how many style spans we are inside
 * @returns {MrkdwnNode[]}
 */
function parseRange(units, start, end, opts, depth) {
  const stop = end < 0 ? units.ch.length : end;
  /** @type {MrkdwnNode[]} */
  const out = [];
  let emojiEnd = -1;
  let i = start;
  while (i < stop) {
    const atom = units.atom[i];
    if (atom) {
      appendAll(out, [atom]);
      i++;
      continue;
    }
    const c = units.ch[i];
    if (c === ':' && opts.emoji) {
      const found = readEmoji(units, i, stop, emojiEnd === i);
      if (found) {
        out.push(found.node);
        i = emojiEnd = found.end;
        continue;
      }
    }
    if (c === '`' && opts.code) {
      const close = findCodeClose(units, i, stop);
      if (close > 0) {
        out.push({ type: 'code', text: unitsText(units, i + 1, close) });
        i = close + 1;
        continue;
      }
    }
    if ((c === '*' || c === '_' || c === '~') && opts.format && depth < MAX_DEPTH) {
      const close = findStyleClose(units, i, stop);
      if (close > 0) {
        const children = parseRange(units, i + 1, close, opts, depth + 1);
        out.push({ type: STYLE_MARKERS[c], children });
        i = close + 1;
        continue;
      }
    }
    pushText(out, c);
    i++;
  }
  return out;
}

/**
 * The shortcode starting at the `:` at index i, if any. A code needs a letter in its name (or to
 * be a known one like `+1`), and the `:` must follow start of line, whitespace, an opening
 * bracket or a formatting marker, or directly follow another shortcode. That keeps `12:52:47`,
 * `eu-west-1:` and `arn:aws:sns:...` as text while `:x::fire:` and `(:eyes:)` still work.
 * @param {Units} units
 * @param {number} i
 * @param {number} stop
 * @param {boolean} afterEmoji
 * @returns {{ node: MrkdwnNode, end: number } | null}
 */
function readEmoji(units, i, stop, afterEmoji) {
  if (!afterEmoji && i > 0) {
    const prev = units.ch[i - 1];
    if (units.atom[i - 1] || !(SPACE_RE.test(prev) || EMOJI_OPENERS.includes(prev))) return null;
  }
  let j = i + 1;
  while (j < stop && j - i <= MAX_EMOJI_NAME && EMOJI_NAME_CHAR_RE.test(units.ch[j])) j++;
  if (j >= stop || j === i + 1 || units.ch[j] !== ':' || units.atom[j]) return null;
  const name = units.ch.slice(i + 1, j).join('');
  const known = Object.prototype.hasOwnProperty.call(EMOJI, name) ? EMOJI[name] : null;
  if (!known && !LETTER_RE.test(name)) return null;
  return { node: { type: 'emoji', name, text: known }, end: j + 1 };
}

/**
 * Slack-style flanking for an opening marker at i: it starts the line or follows a non-word
 * character, and is followed by something that is not whitespace. This is what keeps
 * `snake_case_name` and `2*3*4` plain.
 * @param {Units} units
 * @param {number} i
 */
function canOpen(units, i) {
  const n = units.ch.length;
  if (i + 1 >= n) return false;
  if (i > 0 && WORD_CHAR_RE.test(units.ch[i - 1])) return false;
  return !SPACE_RE.test(units.ch[i + 1]);
}

/**
 * A closing marker at j follows a non-space and ends the line or is followed by a non-word
 * character (space or punctuation).
 * @param {Units} units
 * @param {number} j
 */
function canClose(units, j) {
  if (j === 0 || SPACE_RE.test(units.ch[j - 1])) return false;
  return j + 1 >= units.ch.length || !WORD_CHAR_RE.test(units.ch[j + 1]);
}

/**
 * Index of the closer for the style marker opening at i, or -1. The closer is the first valid
 * closing marker after at least one unit of content, which is what Slack does too.
 * @param {Units} units
 * @param {number} i
 * @param {number} stop
 */
function findStyleClose(units, i, stop) {
  if (!canOpen(units, i)) return -1;
  const next = closerIndex(units, units.ch[i]);
  const close = next[Math.min(i + 2, units.ch.length)];
  return close < stop ? close : -1;
}

/**
 * Index of the backtick closing inline code opened at i, or -1. Code ends at the very next
 * backtick (code cannot contain one), and that backtick has to be a valid closer.
 * @param {Units} units
 * @param {number} i
 * @param {number} stop
 */
function findCodeClose(units, i, stop) {
  if (!canOpen(units, i)) return -1;
  const ticks = closerIndex(units, '\u0000`');
  const close = ticks[i + 1];
  return close >= i + 2 && close < stop && canClose(units, close) ? close : -1;
}

/**
 * For each index k, the first index >= k holding a valid closing `marker` (or the unit count
 * when there is none). Built once per line and marker, so matching stays linear. The special key
 * "\0`" indexes every backtick, valid closer or not.
 * @param {Units} units
 * @param {string} marker
 * @returns {Int32Array}
 */
function closerIndex(units, marker) {
  const cached = units.closers.get(marker);
  if (cached) return cached;
  const n = units.ch.length;
  const next = new Int32Array(n + 1);
  next[n] = n;
  const anyTick = marker === '\u0000`';
  for (let k = n - 1; k >= 0; k--) {
    const ch = units.ch[k];
    const hit = anyTick ? ch === '`' : ch === marker && canClose(units, k);
    next[k] = hit ? k : next[k + 1];
  }
  units.closers.set(marker, next);
  return next;
}

/**
 * The visible text of units[start, end) with no parsing: what code spans show. A `<...>` special
 * shows as its source, decoded.
 * @param {Units} units
 * @param {number} start
 * @param {number} end
 */
function unitsText(units, start, end) {
  let text = '';
  for (let k = start; k < end; k++) {
    text += units.atom[k] ? decodeEntities(units.raw[k]) : units.ch[k];
  }
  return text;
}

/**
 * Append nodes, merging a text node into a preceding text node.
 * @param {MrkdwnNode[]} out
 * @param {MrkdwnNode[]} nodes
 */
function appendAll(out, nodes) {
  for (const node of nodes) {
    if (node.type === 'text') pushText(out, node.text);
    else out.push(node);
  }
}

/**
 * @param {MrkdwnNode[]} out
 * @param {string} text
 */
function pushText(out, text) {
  if (!text) return;
  const last = out[out.length - 1];
  if (last && last.type === 'text') last.text += text;
  else out.push({ type: 'text', text });
}
