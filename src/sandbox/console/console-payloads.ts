/**
 * What the sandbox console sends the bot, built the way Slack builds it (wire-formats.md §3.4):
 * the console's page says which element of which block a person used and what they chose; the
 * element itself (its value, its options) is read from the message or modal the bot sent, so
 * the page cannot make the bot see anything Slack would not send.
 */

type Json = Record<string, unknown>;

export interface SlackOption {
  text: Json;
  value: string;
  description?: Json;
}

/** A person's use of one element: the option value or user ID they picked, if any. */
export interface ElementUse {
  blockIndex: number;
  actionId: string;
  /** The chosen option's value (overflow, selects) or user ID (users_select). */
  choice?: string;
}

/** A problem with what the page sent: the HTTP status and a message naming the field. */
export class ConsoleInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'ConsoleInputError';
  }
}

/** Slack gives a block without a block_id one of its own; the console's are stable. */
export function blockIdOf(block: Json, index: number): string {
  return typeof block.block_id === 'string' ? block.block_id : `console-block-${index}`;
}

/** The interactive elements of a block: an actions block's, or a section's accessory. */
function elementsOf(block: Json): Json[] {
  if (block.type === 'actions' && Array.isArray(block.elements)) return block.elements as Json[];
  if (block.type === 'input' && isObject(block.element)) return [block.element];
  if (block.type === 'section' && isObject(block.accessory)) return [block.accessory];
  return [];
}

/** Every option of a select or overflow, option groups flattened. */
export function optionsOf(element: Json): SlackOption[] {
  const groups = Array.isArray(element.option_groups) ? (element.option_groups as Json[]) : [];
  const grouped = groups.flatMap((group) =>
    Array.isArray(group.options) ? (group.options as SlackOption[]) : [],
  );
  return [
    ...(Array.isArray(element.options) ? (element.options as SlackOption[]) : []),
    ...grouped,
  ];
}

/**
 * The `actions[0]` of a block_actions payload for `use` of an element in `blocks`, as Slack
 * reports each element type; ConsoleInputError when the element or the choice is not there.
 */
export function blockAction(
  blocks: unknown[],
  use: ElementUse,
  actionTs: string,
  people: ReadonlySet<string>,
): Json {
  const block = blocks[use.blockIndex];
  if (!isObject(block)) throw new ConsoleInputError('blockIndex', 'that block is gone', 409);
  const element = elementsOf(block).find((candidate) => candidate.action_id === use.actionId);
  if (!element) throw new ConsoleInputError('actionId', 'that button or menu is gone', 409);
  const base = {
    type: element.type,
    action_id: use.actionId,
    block_id: blockIdOf(block, use.blockIndex),
    action_ts: actionTs,
  };

  switch (element.type) {
    case 'button':
      return {
        ...base,
        text: element.text,
        ...(element.value !== undefined && { value: element.value }),
        ...(element.style !== undefined && { style: element.style }),
      };
    case 'overflow':
    case 'static_select':
      return { ...base, selected_option: pickOption(element, use.choice, 'choice') };
    case 'users_select':
      return { ...base, selected_user: pickPerson(people, use.choice, 'choice') };
    default:
      throw new ConsoleInputError('actionId', `the console cannot use a ${String(element.type)}`);
  }
}

/** What the page sends for a modal's fields: `{ [blockIndex]: string | string[] }`. */
export type FormInput = Record<string, unknown>;

/**
 * `view.state.values` of a submission, as Slack reports each input element, from the page's
 * answers; a required field left empty is refused here, as Slack's own client refuses it,
 * with `errors` keyed by block_id like a `response_action: errors` answer.
 */
export function viewStateValues(view: Json, input: FormInput, people: ReadonlySet<string>) {
  const values: Record<string, Record<string, Json>> = {};
  const errors: Record<string, string> = {};
  const blocks = Array.isArray(view.blocks) ? (view.blocks as unknown[]) : [];

  blocks.forEach((block, index) => {
    if (!isObject(block)) return;
    for (const element of elementsOf(block)) {
      const actionId = typeof element.action_id === 'string' ? element.action_id : undefined;
      if (!actionId || !isInputElement(element)) continue;
      const blockId = blockIdOf(block, index);
      const answer = readAnswer(input[String(index)], blockId);
      const max = typeof element.max_length === 'number' ? element.max_length : undefined;
      if (typeof answer === 'string' && max !== undefined && answer.length > max) {
        errors[blockId] = `Please use ${max} characters or fewer.`;
      }
      const state = elementState(element, answer, blockId, people);
      (values[blockId] ??= {})[actionId] = state;
      const required = block.type === 'input' && block.optional !== true;
      if (required && isEmpty(state)) errors[blockId] ??= 'Please complete this required field.';
    }
  });
  return { values, errors };
}

/** A field's answer: text, or a list of chosen values; anything else is refused. */
function readAnswer(answer: unknown, field: string): string | string[] | undefined {
  if (answer === undefined || typeof answer === 'string') return answer;
  if (Array.isArray(answer) && answer.every((item) => typeof item === 'string')) return answer;
  throw new ConsoleInputError(field, 'a field holds text or a list of chosen values');
}

const INPUT_TYPES = new Set([
  'plain_text_input',
  'number_input',
  'email_text_input',
  'url_text_input',
  'static_select',
  'multi_static_select',
  'users_select',
  'multi_users_select',
  'checkboxes',
  'radio_buttons',
]);

function isInputElement(element: Json) {
  return INPUT_TYPES.has(String(element.type));
}

function elementState(
  element: Json,
  answer: string | string[] | undefined,
  blockId: string,
  people: ReadonlySet<string>,
) {
  const type = String(element.type);
  const one = Array.isArray(answer) ? answer[0] : answer;
  const many = answer === undefined ? [] : Array.isArray(answer) ? answer : [answer];
  const chosen = (value: string) => pickOption(element, value, blockId);

  switch (type) {
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: one ? chosen(one) : null };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: many.filter(Boolean).map(chosen) };
    case 'users_select':
      return { type, selected_user: one ? pickPerson(people, one, blockId) : null };
    case 'multi_users_select':
      return {
        type,
        selected_users: many.filter(Boolean).map((id) => pickPerson(people, id, blockId)),
      };
    default:
      // Slack sends null, not '', for a text field left empty.
      return { type, value: one ? one : null };
  }
}

function isEmpty(state: Json) {
  if ('selected_options' in state) return (state.selected_options as unknown[]).length === 0;
  if ('selected_users' in state) return (state.selected_users as unknown[]).length === 0;
  const value = state.value ?? state.selected_option ?? state.selected_user ?? null;
  return value === null || (typeof value === 'string' && value.trim() === '');
}

function pickOption(element: Json, value: string | undefined, field: string): SlackOption {
  const option = optionsOf(element).find((candidate) => candidate.value === value);
  if (!option) throw new ConsoleInputError(field, 'that choice is not one of the options');
  return option;
}

/** A people picker offers the workspace's people only. */
function pickPerson(people: ReadonlySet<string>, id: string | undefined, field: string) {
  if (!id || !people.has(id)) throw new ConsoleInputError(field, 'choose one of the people');
  return id;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
