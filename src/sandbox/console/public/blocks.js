// @ts-check
/**
 * Block Kit as the sandbox console shows it: the bot's blocks (https://docs.slack.dev/block-kit)
 * become DOM elements built with textContent only, so nothing an alert says can become markup.
 * Messages get buttons and menus that report their use; modals get labelled form fields.
 */
import { parseMrkdwn, parsePlainText } from './mrkdwn.js';

/**
 * Block Kit JSON as the bot sent it: shapes vary by type, read defensively.
 * @typedef {{ [key: string]: any }} Json
 */

/**
 * @typedef {object} RenderContext
 * @property {Map<string, string>} users display name by user ID, the bot's included
 * @property {Map<string, string>} people the workspace's people (a people picker's choices)
 * @property {Map<string, string>} channels channel name by ID
 * @property {(channelId: string) => void} openChannel
 * @property {((use: { blockIndex: number, actionId: string, choice?: string }) => void) | null}
 *   onAction a person used an element; null where elements only show (a modal's buttons)
 * @property {string} keyPrefix stable prefix for focus keys (the message ts)
 */

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Slack mrkdwn as DOM nodes.
 * @param {string} text
 * @param {RenderContext} ctx
 * @returns {DocumentFragment}
 */
export function renderMrkdwn(text, ctx) {
  const fragment = document.createDocumentFragment();
  for (const node of parseMrkdwn(text)) fragment.append(renderNode(node, ctx));
  return fragment;
}

/**
 * A Block Kit text object (plain_text or mrkdwn).
 * @param {Json | undefined} object
 * @param {RenderContext} ctx
 * @returns {DocumentFragment}
 */
export function renderText(object, ctx) {
  if (!object || typeof object.text !== 'string') return document.createDocumentFragment();
  if (object.type === 'mrkdwn') return renderMrkdwn(object.text, ctx);
  const fragment = document.createDocumentFragment();
  for (const node of parsePlainText(object.text, object.emoji !== false)) {
    fragment.append(renderNode(node, ctx));
  }
  return fragment;
}

/** @param {Json | undefined} object */
export function plainTextOf(object) {
  return object && typeof object.text === 'string' ? object.text : '';
}

/**
 * @param {import('./mrkdwn.js').MrkdwnNode} node
 * @param {RenderContext} ctx
 * @returns {Node}
 */
function renderNode(node, ctx) {
  /** @param {HTMLElement} parent @param {import('./mrkdwn.js').MrkdwnNode[]} children */
  const withChildren = (parent, children) => {
    for (const child of children) parent.append(renderNode(child, ctx));
    return parent;
  };
  switch (node.type) {
    case 'text':
      return document.createTextNode(node.text);
    case 'br':
      return document.createElement('br');
    case 'bold':
      return withChildren(el('strong'), node.children);
    case 'italic':
      return withChildren(el('em'), node.children);
    case 'strike':
      return withChildren(el('s'), node.children);
    case 'code':
      return el('code', '', node.text);
    case 'pre': {
      const pre = el('pre');
      pre.append(el('code', '', node.text));
      return pre;
    }
    case 'quote':
      return withChildren(el('blockquote'), node.children);
    case 'link':
      return withChildren(linkTo(node.url, ctx), node.children);
    case 'user': {
      const name = ctx.users.get(node.id) ?? node.label ?? node.id;
      return el('span', 'mention', `@${name}`);
    }
    case 'channel': {
      const name = ctx.channels.get(node.id) ?? node.label ?? node.id;
      if (!ctx.channels.has(node.id)) return el('span', 'mention', `#${name}`);
      const link = /** @type {HTMLAnchorElement} */ (el('a', 'mention', `#${name}`));
      link.href = `#${node.id}`;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        ctx.openChannel(node.id);
      });
      return link;
    }
    case 'usergroup':
      return el('span', 'mention', node.label ?? `@${node.id}`);
    case 'broadcast':
      return el('span', 'mention broadcast', `@${node.name}`);
    case 'date':
      return el('span', '', node.text);
    case 'emoji': {
      if (node.text === null) return document.createTextNode(`:${node.name}:`);
      const emoji = el('span', 'emoji', node.text);
      emoji.setAttribute('role', 'img');
      emoji.setAttribute('aria-label', node.name.replace(/_/g, ' '));
      return emoji;
    }
    default:
      return document.createTextNode('');
  }
}

/**
 * A link; a Slack permalink to a channel of this workspace opens that channel here.
 * @param {string} url
 * @param {Pick<RenderContext, 'channels' | 'openChannel'>} ctx
 * @returns {HTMLAnchorElement}
 */
export function linkTo(url, ctx) {
  const link = /** @type {HTMLAnchorElement} */ (el('a'));
  const channel = /\/archives\/([A-Z0-9]+)(?:\/p\d+)?(?:[?#]|$)/.exec(url)?.[1];
  if (channel && ctx.channels.has(channel)) {
    link.href = `#${channel}`;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      ctx.openChannel(channel);
    });
    return link;
  }
  link.href = url;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}

/**
 * A message's or a modal's non-input blocks.
 * @param {Json[]} blocks
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
export function renderBlocks(blocks, ctx) {
  const container = el('div', 'blocks');
  blocks.forEach((block, index) => container.append(renderBlock(block, index, ctx)));
  return container;
}

/**
 * @param {Json} block
 * @param {number} index
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
function renderBlock(block, index, ctx) {
  switch (block.type) {
    case 'header': {
      const header = el('h3', 'bk-header');
      header.append(renderText(block.text, ctx));
      return header;
    }
    case 'divider':
      return el('hr', 'bk-divider');
    case 'section': {
      const section = el('div', 'bk-section');
      const body = el('div', 'bk-section-body');
      if (block.text) body.append(...collapsible(block.text, index, ctx));
      if (Array.isArray(block.fields)) {
        const fields = el('div', 'bk-fields');
        for (const field of block.fields) {
          const cell = el('div', 'bk-field');
          cell.append(renderText(field, ctx));
          fields.append(cell);
        }
        body.append(fields);
      }
      section.append(body);
      if (block.accessory) section.append(renderElement(block.accessory, index, ctx));
      return section;
    }
    case 'context': {
      const context = el('div', 'bk-context');
      for (const element of block.elements ?? []) {
        const part = el('span', element.type === 'image' ? 'bk-image-alt' : '');
        if (element.type === 'image') part.textContent = element.alt_text ?? '';
        else part.append(renderText(element, ctx));
        context.append(part);
      }
      return context;
    }
    case 'actions': {
      const actions = el('div', 'bk-actions');
      actions.setAttribute('role', 'group');
      actions.setAttribute('aria-label', 'Actions');
      for (const element of block.elements ?? [])
        actions.append(renderElement(element, index, ctx));
      return actions;
    }
    case 'image': {
      const figure = el('figure', 'bk-image');
      figure.append(el('figcaption', '', `Image: ${block.alt_text ?? ''}`));
      return figure;
    }
    case 'rich_text':
      return el('div', 'bk-text', richTextOf(block));
    default:
      return el(
        'p',
        'bk-unknown',
        `(A ${block.type} block: the sandbox console does not show it.)`,
      );
  }
}

/** Text longer than this is cut to a few lines with a "Show more" button, as Slack does. */
const LONG_TEXT = 700;

/** Long texts a person opened, by message and block: they stay open through redraws. */
/** @type {Set<string>} */
const opened = new Set();

/**
 * A section's text, collapsed behind "Show more" when it is long (a stack trace, say).
 * @param {Json} object
 * @param {number} blockIndex
 * @param {RenderContext} ctx
 * @returns {HTMLElement[]}
 */
function collapsible(object, blockIndex, ctx) {
  const text = el('div', 'bk-text');
  text.append(renderText(object, ctx));
  if (String(object.text ?? '').length <= LONG_TEXT) return [text];
  const key = `${ctx.keyPrefix}:${blockIndex}:more`;
  text.id = `text-${ctx.keyPrefix.replace('.', '-')}-${blockIndex}`;
  const more = /** @type {HTMLButtonElement} */ (el('button', 'show-more'));
  more.type = 'button';
  more.dataset.focusKey = key;
  more.setAttribute('aria-controls', text.id);
  const show = () => {
    const open = opened.has(key);
    text.classList.toggle('collapsed', !open);
    more.textContent = open ? 'Show less' : 'Show more';
    more.setAttribute('aria-expanded', String(open));
  };
  more.addEventListener('click', () => {
    if (!opened.delete(key)) opened.add(key);
    show();
  });
  show();
  return [text, more];
}

/**
 * The plain text of a rich_text block, enough to read it.
 * @param {Json} block
 * @returns {string}
 */
function richTextOf(block) {
  /** @param {Json} node @returns {string} */
  const walk = (node) => {
    if (typeof node.text === 'string') return node.text;
    if (node.type === 'user') return `@${node.user_id}`;
    if (node.type === 'link') return node.text ?? node.url ?? '';
    return (node.elements ?? []).map(walk).join('');
  };
  return walk(block);
}

/**
 * An interactive element in a message: a button, an overflow menu or a select.
 * @param {Json} element
 * @param {number} blockIndex
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
function renderElement(element, blockIndex, ctx) {
  const actionId = String(element.action_id ?? '');
  const key = `${ctx.keyPrefix}:${blockIndex}:${actionId}`;
  /** @param {string} [choice] */
  const use = (choice) => {
    // Slack asks first when the element carries a confirm dialog; so does the console.
    if (element.confirm && !window.confirm(confirmText(element.confirm))) return;
    ctx.onAction?.({ blockIndex, actionId, ...(choice === undefined ? {} : { choice }) });
  };

  switch (element.type) {
    case 'button': {
      const button = /** @type {HTMLButtonElement} */ (
        el('button', `bk-button ${element.style ?? ''}`.trim())
      );
      button.type = 'button';
      button.append(renderText(element.text, ctx));
      button.dataset.focusKey = key;
      if (!ctx.onAction) button.disabled = true;
      button.addEventListener('click', () => {
        if (typeof element.url === 'string' && /^https?:/i.test(element.url)) {
          window.open(element.url, '_blank', 'noopener,noreferrer');
        }
        use();
      });
      return button;
    }
    case 'overflow':
      return menuButton({
        label: '⋯',
        accessibleName: 'More actions',
        items: optionItems(element),
        onChoose: use,
        focusKey: key,
        disabled: !ctx.onAction,
      });
    case 'static_select': {
      const initial = element.initial_option ? plainTextOf(element.initial_option.text) : '';
      return menuButton({
        label: `${initial || plainTextOf(element.placeholder) || 'Choose…'} ▾`,
        accessibleName: `${initial || plainTextOf(element.placeholder) || 'Choose…'} ▾`,
        items: optionItems(element),
        onChoose: use,
        focusKey: key,
        disabled: !ctx.onAction,
      });
    }
    case 'users_select':
      return menuButton({
        label: `${plainTextOf(element.placeholder) || 'Choose a person'} ▾`,
        accessibleName: `${plainTextOf(element.placeholder) || 'Choose a person'} ▾`,
        items: [...ctx.people].map(([id, name]) => ({ label: name, value: id })),
        onChoose: use,
        focusKey: key,
        disabled: !ctx.onAction,
      });
    case 'image':
      return el('span', 'bk-image-alt', element.alt_text ?? '');
    default:
      return el('span', 'bk-unknown', `(${element.type}: not shown by the console)`);
  }
}

/** @param {Json} confirm a confirmation dialog object */
function confirmText(confirm) {
  const text = plainTextOf(confirm.text);
  const yes = plainTextOf(confirm.confirm) || 'OK';
  const no = plainTextOf(confirm.deny) || 'Cancel';
  return `${plainTextOf(confirm.title)}\n\n${text}\n\n(${yes} or ${no})`;
}

/**
 * @param {Json} element
 * @returns {{ label: string, value: string, group?: string }[]}
 */
function optionItems(element) {
  /** @type {{ label: string, value: string, group?: string }[]} */
  const items = (element.options ?? []).map((/** @type {Json} */ option) => ({
    label: plainTextOf(option.text),
    value: option.value,
  }));
  for (const group of element.option_groups ?? []) {
    for (const option of group.options ?? []) {
      items.push({ label: plainTextOf(option.text), value: option.value, group: group.label.text });
    }
  }
  return items;
}

/**
 * A button that opens a menu of choices, operable by keyboard (arrows, Home, End, Escape) as the
 * WAI-ARIA menu button pattern describes; a native <select> would fire on each arrow key.
 * @param {{ label: string, accessibleName: string, items: { label: string, value: string,
 *   group?: string }[], onChoose: (value: string) => void, focusKey: string,
 *   disabled: boolean }} spec
 * @returns {HTMLElement}
 */
export function menuButton(spec) {
  const wrapper = el('div', 'menu');
  const button = /** @type {HTMLButtonElement} */ (
    el('button', 'bk-button menu-button', spec.label)
  );
  button.type = 'button';
  button.disabled = spec.disabled;
  button.dataset.focusKey = spec.focusKey;
  button.setAttribute('aria-haspopup', 'menu');
  button.setAttribute('aria-expanded', 'false');
  // A symbol (⋯) says nothing to a screen reader: it gets a name; a worded label is its name.
  if (spec.accessibleName !== spec.label) button.setAttribute('aria-label', spec.accessibleName);
  const list = el('ul', 'menu-list');
  list.setAttribute('role', 'menu');
  list.setAttribute('aria-label', spec.accessibleName);
  list.hidden = true;
  /** @type {HTMLButtonElement[]} */
  const entries = [];
  for (const item of spec.items) {
    const li = el('li');
    li.setAttribute('role', 'none');
    const entry = /** @type {HTMLButtonElement} */ (
      el('button', 'menu-item', item.group ? `${item.group}: ${item.label}` : item.label)
    );
    entry.type = 'button';
    entry.tabIndex = -1;
    entry.setAttribute('role', 'menuitem');
    entry.addEventListener('click', () => {
      close(true);
      spec.onChoose(item.value);
    });
    li.append(entry);
    list.append(li);
    entries.push(entry);
  }

  /** @param {boolean} refocus */
  const close = (refocus) => {
    list.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  };
  /** @param {number} index */
  const open = (index) => {
    list.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    // Near the bottom of the window the menu opens upwards, so no choice is cut off.
    const scroller = button.closest('.messages, .modal form');
    const bottom = Math.min(
      window.innerHeight,
      scroller?.getBoundingClientRect().bottom ?? Infinity,
    );
    const room = bottom - button.getBoundingClientRect().bottom;
    list.classList.toggle('up', room < list.offsetHeight + 16);
    entries.at(index)?.focus();
  };
  button.addEventListener('click', () => (list.hidden ? open(0) : close(false)));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      open(event.key === 'ArrowDown' ? 0 : -1);
    }
  });
  list.addEventListener('keydown', (event) => {
    const at = entries.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: entries.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      const next = moves[/** @type {keyof typeof moves} */ (event.key)];
      entries[(next + entries.length) % entries.length]?.focus();
    } else if (event.key === 'Escape' || event.key === 'Tab') {
      if (event.key === 'Escape') event.preventDefault();
      close(event.key === 'Escape');
    }
  });
  wrapper.addEventListener('focusout', (event) => {
    const next = /** @type {Node | null} */ (event.relatedTarget);
    if (!next || !wrapper.contains(next)) close(false);
  });
  wrapper.append(button, list);
  return wrapper;
}

/**
 * A modal's blocks as a form: input blocks become labelled fields named by block index, with
 * their hint and the bot's error for them; other blocks show as in a message.
 * @param {Json[]} blocks
 * @param {Record<string, string>} errors by block_id
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
export function renderForm(blocks, errors, ctx) {
  const form = el('div', 'form-blocks');
  blocks.forEach((block, index) => {
    if (block.type !== 'input') {
      form.append(renderBlock(block, index, { ...ctx, onAction: null }));
      return;
    }
    const blockId = typeof block.block_id === 'string' ? block.block_id : `console-block-${index}`;
    form.append(renderInput(block, index, errors[blockId], ctx));
  });
  return form;
}

/**
 * @param {Json} block
 * @param {number} index
 * @param {string | undefined} error
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
function renderInput(block, index, error, ctx) {
  const element = block.element ?? {};
  const id = `field-${index}`;
  const name = String(index);
  const grouped = element.type === 'checkboxes' || element.type === 'radio_buttons';
  const wrapper = el(grouped ? 'fieldset' : 'div', 'field');
  const labelText = plainTextOf(block.label) + (block.optional ? ' (optional)' : '');
  const label = el(grouped ? 'legend' : 'label', 'field-label', labelText);
  if (!grouped) label.setAttribute('for', id);
  wrapper.append(label);

  const described = [];
  if (block.hint) described.push(`${id}-hint`);
  if (error) described.push(`${id}-error`);
  const control = renderControl(element, id, name, !block.optional, ctx);
  if (described.length > 0) control.setAttribute('aria-describedby', described.join(' '));
  if (error) control.setAttribute('aria-invalid', 'true');
  wrapper.append(control);
  if (block.hint) {
    const hint = el('p', 'hint', '');
    hint.id = `${id}-hint`;
    hint.append(renderText(block.hint, ctx));
    wrapper.append(hint);
  }
  if (error) {
    const problem = el('p', 'field-error', error);
    problem.id = `${id}-error`;
    wrapper.append(problem);
  }
  return wrapper;
}

/**
 * @param {Json} element
 * @param {string} id
 * @param {string} name
 * @param {boolean} required
 * @param {RenderContext} ctx
 * @returns {HTMLElement}
 */
function renderControl(element, id, name, required, ctx) {
  switch (element.type) {
    case 'plain_text_input':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input': {
      const multiline = element.type === 'plain_text_input' && element.multiline;
      const input = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (
        el(multiline ? 'textarea' : 'input')
      );
      if (input instanceof HTMLInputElement) input.type = inputType(element.type);
      if (input instanceof HTMLTextAreaElement) input.rows = 4;
      input.id = id;
      input.name = name;
      input.value = element.initial_value ?? '';
      input.placeholder = plainTextOf(element.placeholder);
      if (element.max_length) input.maxLength = element.max_length;
      input.required = required;
      return input;
    }
    case 'static_select':
    case 'multi_static_select':
    case 'users_select':
    case 'multi_users_select': {
      const multiple = element.type.startsWith('multi_');
      const select = /** @type {HTMLSelectElement} */ (el('select'));
      select.id = id;
      select.name = name;
      select.multiple = multiple;
      select.required = required;
      const chosen = new Set([
        element.initial_option?.value,
        ...(element.initial_options ?? []).map((/** @type {Json} */ option) => option.value),
        element.initial_user,
        ...(element.initial_users ?? []),
      ]);
      if (!multiple) {
        const none = /** @type {HTMLOptionElement} */ (
          el('option', '', plainTextOf(element.placeholder) || 'Choose…')
        );
        none.value = '';
        select.append(none);
      }
      const items = element.type.includes('users')
        ? [...ctx.people].map(([value, label]) => ({ label, value, group: undefined }))
        : optionItems(element);
      for (const item of items) {
        const option = /** @type {HTMLOptionElement} */ (
          el('option', '', item.group ? `${item.group}: ${item.label}` : item.label)
        );
        option.value = item.value;
        option.selected = chosen.has(item.value);
        select.append(option);
      }
      if (multiple) select.size = Math.min(6, Math.max(3, items.length));
      return select;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const group = el('div', 'choices');
      group.id = id;
      const chosen = new Set([
        element.initial_option?.value,
        ...(element.initial_options ?? []).map((/** @type {Json} */ option) => option.value),
      ]);
      optionItems(element).forEach((item, i) => {
        const choice = el('label', 'choice');
        const input = /** @type {HTMLInputElement} */ (el('input'));
        input.type = element.type === 'checkboxes' ? 'checkbox' : 'radio';
        input.name = name;
        input.value = item.value;
        input.id = `${id}-${i}`;
        input.checked = chosen.has(item.value);
        choice.append(input, ` ${item.label}`);
        group.append(choice);
      });
      return group;
    }
    default:
      return el('p', 'bk-unknown', `(${element.type}: the console cannot fill this in)`);
  }
}

/** @param {string} type */
function inputType(type) {
  if (type === 'number_input') return 'number';
  if (type === 'email_text_input') return 'email';
  if (type === 'url_text_input') return 'url';
  return 'text';
}

/**
 * What a form's fields hold, keyed by block index, as the console's server wants it.
 * @param {HTMLFormElement} form
 * @returns {Record<string, string | string[]>}
 */
export function formValues(form) {
  /** @type {Record<string, string | string[]>} */
  const values = {};
  for (const control of form.querySelectorAll('input, textarea, select')) {
    const field = /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} */ (
      control
    );
    if (!field.name) continue;
    if (field instanceof HTMLSelectElement && field.multiple) {
      values[field.name] = [...field.selectedOptions].map((option) => option.value);
    } else if (field instanceof HTMLInputElement && field.type === 'checkbox') {
      const list = /** @type {string[]} */ (values[field.name] ?? []);
      if (field.checked) list.push(field.value);
      values[field.name] = list;
    } else if (field instanceof HTMLInputElement && field.type === 'radio') {
      if (field.checked) values[field.name] = field.value;
    } else {
      values[field.name] = field.value;
    }
  }
  return values;
}
