/**
 * Block Kit checks for message surfaces, as chat.postMessage / chat.update apply them, and for
 * views (modals and Home tabs), as views.open / views.update / views.publish apply them.
 *
 * Limits: wire-formats.md §3.6 (docs.slack.dev/reference/block-kit/blocks and element pages,
 * docs.slack.dev/reference/views/modal-views for the view fields).
 * Error texts copy Slack's wording ("[ERROR] must be less than 3001 characters
 * [json-pointer:/blocks/0/text/text]") so log lines read the same as in production.
 * Only the first violation is reported.
 */

export const MAX_BLOCKS_PER_MESSAGE = 50;

/** Blocks per modal or Home tab (docs.slack.dev/reference/block-kit/blocks). */
export const MAX_BLOCKS_PER_VIEW = 100;

/** Serialized views above this many characters are refused as view_too_large (§3.6). */
export const MAX_VIEW_JSON = 250_000;

/** Undocumented: msg_blocks_too_long above ~13.2k characters of block text (bolt-js #2509). */
export const MAX_TOTAL_BLOCK_TEXT = 13_200;

export type BlockKitVerdict =
  | { ok: true }
  | { ok: false; error: 'invalid_blocks_format' }
  | { ok: false; error: 'invalid_blocks'; messages: string[] }
  | { ok: false; error: 'msg_blocks_too_long' };

export type ViewVerdict =
  | { ok: true }
  | { ok: false; error: 'invalid_arguments'; messages: string[] }
  | { ok: false; error: 'view_too_large' };

type Json = Record<string, unknown>;

const INTERACTIVE_ELEMENTS = new Set([
  'button',
  'checkboxes',
  'channels_select',
  'conversations_select',
  'datepicker',
  'datetimepicker',
  'external_select',
  'image',
  'multi_channels_select',
  'multi_conversations_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'overflow',
  'radio_buttons',
  'static_select',
  'timepicker',
  'users_select',
  'workflow_button',
]);

/** Elements an `input` block may hold (docs.slack.dev/reference/block-kit/blocks/input-block). */
const INPUT_ELEMENTS = new Set([
  'checkboxes',
  'channels_select',
  'conversations_select',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'external_select',
  'file_input',
  'multi_channels_select',
  'multi_conversations_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'number_input',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'static_select',
  'timepicker',
  'url_text_input',
  'users_select',
]);

type BlockRules = Record<string, (block: Json, at: string) => void>;

const BLOCK_RULES: BlockRules = {
  section: checkSection,
  header: (block, at) => checkTextObject(block.text, `${at}/text`, { max: 150, plainOnly: true }),
  context: checkContext,
  actions: checkActions,
  divider: () => {},
  image: checkImage,
  rich_text: () => {}, // passed through without deep checks
};

/** Views also take `input` blocks. */
const VIEW_BLOCK_RULES: BlockRules = { ...BLOCK_RULES, input: checkInput };

/** Checks `blocks` as received (already JSON-decoded); `undefined` means "no blocks given". */
export function checkMessageBlocks(blocks: unknown): BlockKitVerdict {
  if (blocks === undefined) return { ok: true };
  if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };

  try {
    checkBlockList(blocks);
  } catch (error) {
    if (error instanceof BlockKitViolation) {
      return { ok: false, error: 'invalid_blocks', messages: [error.message] };
    }
    throw error;
  }

  if (countText(blocks) > MAX_TOTAL_BLOCK_TEXT) return { ok: false, error: 'msg_blocks_too_long' };
  return { ok: true };
}

/**
 * Checks the `view` argument as received (JSON-decoded if it could be). Modals need a
 * plain_text `title` of at most 24 characters; `submit` and `close` likewise, and `submit` is
 * required once there is an input block. Both surfaces: `callback_id` ≤ 255 characters,
 * `private_metadata` ≤ 3000, at most 100 blocks (docs.slack.dev/reference/views/modal-views).
 * Errors name a json-pointer under `/view`, as Slack's do.
 */
export function checkView(view: unknown, surface: 'modal' | 'home'): ViewVerdict {
  const size = typeof view === 'string' ? view.length : (JSON.stringify(view) ?? '').length;
  if (size > MAX_VIEW_JSON) return { ok: false, error: 'view_too_large' };

  try {
    checkViewFields(view, surface);
  } catch (error) {
    if (error instanceof BlockKitViolation) {
      return { ok: false, error: 'invalid_arguments', messages: [error.message] };
    }
    throw error;
  }
  return { ok: true };
}

class BlockKitViolation extends Error {}

function fail(pointer: string, what: string): never {
  throw new BlockKitViolation(`[ERROR] ${what} [json-pointer:${pointer}]`);
}

function checkBlockList(blocks: unknown[]): void {
  if (blocks.length > MAX_BLOCKS_PER_MESSAGE) {
    fail('/blocks', `no more than ${MAX_BLOCKS_PER_MESSAGE} items allowed`);
  }

  blocks.forEach((block, index) => checkBlock(block, `/blocks/${index}`, BLOCK_RULES));
}

function checkViewFields(value: unknown, surface: 'modal' | 'home'): void {
  if (value === undefined || value === '') fail('/view', 'missing required field: view');
  const view = requireObject(value, '/view');
  if (view.type !== surface) fail('/view/type', `must be one of: ${surface}`);

  if (surface === 'modal') {
    if (view.title === undefined) fail('/view', 'missing required field: title');
    checkTextObject(view.title, '/view/title', { max: 24, plainOnly: true });
    for (const button of ['submit', 'close']) {
      if (view[button] === undefined) continue;
      checkTextObject(view[button], `/view/${button}`, { max: 24, plainOnly: true });
    }
  }
  if (view.callback_id !== undefined) checkString(view.callback_id, '/view/callback_id', 0, 255);
  if (view.private_metadata !== undefined) {
    checkString(view.private_metadata, '/view/private_metadata', 0, 3000);
  }

  if (view.blocks === undefined) fail('/view', 'missing required field: blocks');
  const blocks = requireArray(view.blocks, '/view/blocks', 0, MAX_BLOCKS_PER_VIEW);
  blocks.forEach((block, index) => checkBlock(block, `/view/blocks/${index}`, VIEW_BLOCK_RULES));
  const hasInput = blocks.some((block) => (block as Json).type === 'input');
  if (surface === 'modal' && hasInput && view.submit === undefined) {
    fail('/view', 'missing required field: submit (required with input blocks)');
  }
}

function checkBlock(block: unknown, at: string, rules: BlockRules): void {
  const object = requireObject(block, at);
  if (typeof object.type !== 'string') fail(at, 'missing required field: type');
  if (object.block_id !== undefined) checkString(object.block_id, `${at}/block_id`, 1, 255);

  const rule = rules[object.type];
  if (rule === undefined) fail(`${at}/type`, `unsupported block type: ${object.type}`);
  rule(object, at);
}

/** Input blocks: a plain_text `label` ≤ 2000 and one `element` (docs: input block). */
function checkInput(block: Json, at: string): void {
  if (block.label === undefined) fail(at, 'missing required field: label');
  checkTextObject(block.label, `${at}/label`, { max: 2000, plainOnly: true });
  if (block.hint !== undefined) {
    checkTextObject(block.hint, `${at}/hint`, { max: 2000, plainOnly: true });
  }

  if (block.element === undefined) fail(at, 'missing required field: element');
  const element = requireObject(block.element, `${at}/element`);
  if (typeof element.type !== 'string') fail(`${at}/element`, 'missing required field: type');
  if (!INPUT_ELEMENTS.has(element.type)) {
    fail(`${at}/element/type`, `unsupported element type: ${element.type}`);
  }
  if (element.action_id !== undefined) {
    checkString(element.action_id, `${at}/element/action_id`, 1, 255);
  }
}

function checkSection(block: Json, at: string): void {
  if (block.text === undefined && block.fields === undefined) {
    fail(at, 'must provide either text or fields');
  }

  if (block.text !== undefined) checkTextObject(block.text, `${at}/text`, { max: 3000 });
  if (block.fields !== undefined) {
    const fields = requireArray(block.fields, `${at}/fields`, 1, 10);
    fields.forEach((field, i) => checkTextObject(field, `${at}/fields/${i}`, { max: 2000 }));
  }
  if (block.accessory !== undefined) checkElement(block.accessory, `${at}/accessory`);
}

function checkContext(block: Json, at: string): void {
  const elements = requireArray(block.elements, `${at}/elements`, 1, 10);

  elements.forEach((element, i) => {
    const elementAt = `${at}/elements/${i}`;
    const type = requireObject(element, elementAt).type;
    if (type === 'image') checkImage(requireObject(element, elementAt), elementAt);
    else checkTextObject(element, elementAt, { max: 3000 });
  });
}

function checkActions(block: Json, at: string): void {
  const elements = requireArray(block.elements, `${at}/elements`, 1, 25);

  elements.forEach((element, i) => checkElement(element, `${at}/elements/${i}`));
}

function checkImage(image: Json, at: string): void {
  if (image.image_url === undefined && image.slack_file === undefined) {
    fail(at, 'missing required field: image_url');
  }

  if (image.image_url !== undefined) checkString(image.image_url, `${at}/image_url`, 1, 3000);
  checkString(image.alt_text, `${at}/alt_text`, 1, 2000);
  if (image.title !== undefined) {
    checkTextObject(image.title, `${at}/title`, { max: 2000, plainOnly: true });
  }
}

function checkElement(element: unknown, at: string): void {
  const object = requireObject(element, at);
  if (typeof object.type !== 'string') fail(at, 'missing required field: type');
  if (!INTERACTIVE_ELEMENTS.has(object.type)) {
    fail(`${at}/type`, `unsupported element type: ${object.type}`);
  }

  if (object.action_id !== undefined) checkString(object.action_id, `${at}/action_id`, 1, 255);
  if (object.type === 'button') checkButton(object, at);
  if (object.type === 'overflow') checkOverflow(object, at);
  if (object.type === 'image') checkImage(object, at);
}

function checkButton(button: Json, at: string): void {
  checkTextObject(button.text, `${at}/text`, { max: 75, plainOnly: true });

  if (button.value !== undefined) checkString(button.value, `${at}/value`, 1, 2000);
  if (button.url !== undefined) checkString(button.url, `${at}/url`, 1, 3000);
  if (button.style !== undefined && button.style !== 'primary' && button.style !== 'danger') {
    fail(`${at}/style`, 'must be one of: primary, danger');
  }
}

/**
 * Overflow menus: 2 to 5 options, each a plain_text `text` ≤ 75 and a `value` ≤ 150
 * (docs.slack.dev/reference/block-kit/block-elements/overflow-menu-element and
 * docs.slack.dev/reference/block-kit/composition-objects/option-object).
 */
function checkOverflow(overflow: Json, at: string): void {
  const options = requireArray(overflow.options, `${at}/options`, 2, 5);

  options.forEach((option, i) => {
    const optionAt = `${at}/options/${i}`;
    const object = requireObject(option, optionAt);
    checkTextObject(object.text, `${optionAt}/text`, { max: 75, plainOnly: true });
    if (object.value !== undefined) checkString(object.value, `${optionAt}/value`, 1, 150);
    if (object.description !== undefined) {
      checkTextObject(object.description, `${optionAt}/description`, { max: 75, plainOnly: true });
    }
    if (object.url !== undefined) checkString(object.url, `${optionAt}/url`, 1, 3000);
  });
}

function checkTextObject(
  value: unknown,
  at: string,
  limits: { max: number; plainOnly?: boolean },
): void {
  const text = requireObject(value, at);
  if (text.type !== 'plain_text' && text.type !== 'mrkdwn') {
    fail(`${at}/type`, 'must be one of: plain_text, mrkdwn');
  }
  if (limits.plainOnly && text.type !== 'plain_text') fail(`${at}/type`, 'must be plain_text');
  if (text.text === undefined) fail(at, 'missing required field: text');

  checkString(text.text, `${at}/text`, 1, limits.max);
  if (text.verbatim !== undefined && text.type !== 'mrkdwn') {
    fail(at, 'invalid additional property: verbatim');
  }
  if (text.emoji !== undefined && text.type !== 'plain_text') {
    fail(at, 'invalid additional property: emoji');
  }
}

function checkString(value: unknown, at: string, min: number, max: number): void {
  if (typeof value !== 'string') fail(at, 'must be a string');
  if (value.length < min) fail(at, `must be more than ${min - 1} characters`);
  if (value.length > max) fail(at, `must be less than ${max + 1} characters`);
}

function requireObject(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(at, 'must be an object');
  }
  return value as Json;
}

function requireArray(value: unknown, at: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) fail(at, 'must be an array');
  if (value.length < min) fail(at, `must provide at least ${min} items`);
  if (value.length > max) fail(at, `no more than ${max} items allowed`);
  return value;
}

/** Sum of every `text` string anywhere in the blocks (text objects and rich_text elements). */
function countText(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + countText(item), 0);
  if (typeof value !== 'object' || value === null) return 0;

  return Object.entries(value).reduce<number>((sum, [key, inner]) => {
    if (key === 'text' && typeof inner === 'string') return sum + inner.length;
    return sum + countText(inner);
  }, 0);
}
