// @ts-check
/**
 * The sandbox console's page: fetches what the Slack stand-in holds, draws it, and redraws on
 * each change the server announces (Server-Sent Events). What a person does is POSTed to the
 * console's server, which sends it to the bot as Slack would.
 */
import {
  el,
  formValues,
  linkTo,
  menuButton,
  plainTextOf,
  renderBlocks,
  renderForm,
  renderMrkdwn,
} from './blocks.js';

/**
 * @typedef {import('./blocks.js').Json} Json
 * @typedef {import('./blocks.js').RenderContext} RenderContext
 * @typedef {{ id: string, name: string, realName?: string }} User
 * @typedef {{ id: string, name: string, topic?: string, isArchived: boolean,
 *   members: string[], pins: string[], bookmarks: { title: string, link: string }[] }} Channel
 * @typedef {{ channel: string, ts: string, threadTs?: string, text?: string, blocks?: Json[],
 *   user: string, botId?: string, edited: number,
 *   files?: { id: string, name: string, title: string }[] }} Message
 * @typedef {{ id: string, channel: string, user?: string, ts: string, text: string,
 *   blocks?: Json[], command?: string }} Note
 * @typedef {{ id: string, hash: string, view: Json, errors: Record<string, string> }} Modal
 * @typedef {{ id: string, label: string, source: string, resolvedBy: string }} Sample
 * @typedef {{ version: number, instance: string, bot: { id: string, name: string }, users: User[],
 *   channels: Channel[], messages: Record<string, Message[]>, notes: Note[],
 *   modal: Modal | undefined, samples: Sample[],
 *   shortcuts: { name: string, callbackId: string }[] }} State
 */

const USER_KEY = 'firebreak-sandbox-user';

/** @param {string} id */
function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

const ui = {
  user: /** @type {HTMLSelectElement} */ (byId('user')),
  connection: byId('connection'),
  channels: byId('channels'),
  samples: byId('samples'),
  channelName: byId('channel-name'),
  topic: byId('channel-topic'),
  bookmarks: byId('bookmarks'),
  messages: byId('messages'),
  composer: /** @type {HTMLFormElement} */ (byId('composer')),
  composerLabel: byId('composer-label'),
  composerText: /** @type {HTMLInputElement} */ (byId('composer-text')),
  composerSend: /** @type {HTMLButtonElement} */ (byId('composer-send')),
  composerStatus: byId('composer-status'),
  modal: /** @type {HTMLDialogElement} */ (byId('modal')),
  modalForm: /** @type {HTMLFormElement} */ (byId('modal-form')),
  modalTitle: byId('modal-title'),
  modalBody: byId('modal-body'),
  modalStatus: byId('modal-status'),
  modalClose: /** @type {HTMLButtonElement} */ (byId('modal-close')),
  modalSubmit: /** @type {HTMLButtonElement} */ (byId('modal-submit')),
};

/** @type {{ state: State | undefined, user: string, channel: string, threads: Set<string>,
 *   modalKey: string, fetching: boolean, again: boolean, drafts: Map<string, string>,
 *   opener: { key: string, ts: string } | undefined }} */
const page = {
  state: undefined,
  user: localStorage.getItem(USER_KEY) ?? '',
  channel: location.hash.slice(1),
  threads: new Set(),
  modalKey: '',
  fetching: false,
  again: false,
  /** Thread replies being typed, by thread: a redraw must not lose them. */
  drafts: new Map(),
  /** What a person used last: focus returns there when a form it opened closes. */
  opener: undefined,
};

/**
 * POSTs JSON to the console's server; resolves with the answer, whatever its status.
 * @param {string} path
 * @param {Json} body
 * @returns {Promise<{ status: number, answer: Json }>}
 */
async function post(path, body) {
  try {
    const res = await fetch(`/sandbox/api/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    return { status: res.status, answer };
  } catch {
    const message = 'The bot did not answer: is it running? (nothing was sent)';
    return { status: 0, answer: { message } };
  }
}

/** Fetches the state and redraws; changes that arrive meanwhile fetch once more after. */
async function refresh() {
  if (page.fetching) {
    page.again = true;
    return;
  }
  page.fetching = true;
  try {
    const res = await fetch(`/sandbox/api/state?user=${encodeURIComponent(page.user)}`);
    if (res.ok) {
      const state = /** @type {State} */ (await res.json());
      if (page.state && page.state.instance !== state.instance) {
        say(
          'The bot restarted: its local Slack forgot the channels and messages, but the ' +
            'incidents are still open (try /incident list).',
        );
      }
      page.state = state;
      drawWhenIdle();
    }
  } catch {
    // The live stream's badge already says the bot is not answering.
  } finally {
    page.fetching = false;
    if (page.again) {
      page.again = false;
      void refresh();
    }
  }
}

/**
 * Draws the latest state, unless a menu is open: redrawing would close it under the person's
 * hands, so the drawing waits until the menu closes.
 */
function drawWhenIdle() {
  const menuOpen = document.querySelector('.menu-list:not([hidden])');
  if (!menuOpen) {
    if (page.state) draw(page.state);
    return;
  }
  if (waiting) return;
  waiting = setTimeout(() => {
    waiting = undefined;
    drawWhenIdle();
  }, 300);
}
/** @type {ReturnType<typeof setTimeout> | undefined} */
let waiting;

/** @param {State} state */
function draw(state) {
  if (!state.users.some((user) => user.id === page.user)) page.user = state.users[0]?.id ?? '';
  if (!state.channels.some((channel) => channel.id === page.channel)) {
    page.channel = state.channels[0]?.id ?? '';
  }
  drawUsers(state);
  drawChannels(state);
  drawSamples(state);
  drawChannel(state);
  drawModal(state);
}

/** @param {State} state */
function context(state) {
  /** @type {RenderContext} */
  const ctx = {
    users: new Map(state.users.map((user) => [user.id, user.realName ?? user.name])),
    people: new Map(state.users.map((user) => [user.id, user.realName ?? user.name])),
    channels: new Map(state.channels.map((channel) => [channel.id, channel.name])),
    openChannel,
    onAction: null,
    keyPrefix: '',
  };
  ctx.users.set(state.bot.id, state.bot.name);
  return ctx;
}

/** @param {State} state */
function drawUsers(state) {
  if (ui.user.options.length === state.users.length) {
    ui.user.value = page.user;
    return;
  }
  ui.user.replaceChildren(
    ...state.users.map((user) => {
      const option = /** @type {HTMLOptionElement} */ (
        el('option', '', `${user.realName ?? user.name} (@${user.name})`)
      );
      option.value = user.id;
      return option;
    }),
  );
  ui.user.value = page.user;
}

/** @param {State} state */
function drawChannels(state) {
  const focused =
    document.activeElement instanceof HTMLElement && ui.channels.contains(document.activeElement)
      ? document.activeElement.dataset.channel
      : undefined;
  ui.channels.replaceChildren(
    ...state.channels.map((channel) => {
      const item = el('li');
      const button = /** @type {HTMLButtonElement} */ (el('button', 'channel-link'));
      button.type = 'button';
      button.dataset.channel = channel.id;
      button.append(`# ${channel.name}`);
      if (channel.isArchived) button.append(el('span', 'tag', 'archived'));
      const count = (state.messages[channel.id] ?? []).filter((m) => !m.threadTs).length;
      const counted = el('span', 'count', String(count));
      counted.setAttribute('aria-hidden', 'true');
      button.append(counted, el('span', 'visually-hidden', `, ${count} messages`));
      if (channel.id === page.channel) button.setAttribute('aria-current', 'page');
      button.addEventListener('click', () => openChannel(channel.id));
      item.append(button);
      return item;
    }),
  );
  const again = focused && ui.channels.querySelector(`[data-channel="${CSS.escape(focused)}"]`);
  if (again instanceof HTMLElement) again.focus();
}

/** @param {string} id */
function openChannel(id) {
  page.channel = id;
  history.replaceState(null, '', `#${id}`);
  if (page.state) draw(page.state);
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

/** @param {State} state */
function drawSamples(state) {
  if (ui.samples.childElementCount === state.samples.length) return;
  ui.samples.replaceChildren(
    ...state.samples.map((sample) => {
      const item = el('li', 'sample');
      const label = el('span', 'sample-label', sample.label);
      label.id = `sample-${sample.id}`;
      const buttons = el('div', 'sample-buttons');
      for (const action of /** @type {const} */ (['fire', 'resolve'])) {
        const button = /** @type {HTMLButtonElement} */ (
          el('button', action === 'fire' ? 'primary' : '', action === 'fire' ? 'Fire' : 'Resolve')
        );
        button.type = 'button';
        button.setAttribute('aria-describedby', label.id);
        button.addEventListener('click', () => sendAlert(sample, action));
        buttons.append(button);
      }
      item.append(label, buttons);
      return item;
    }),
  );
}

/**
 * @param {Sample} sample
 * @param {'fire' | 'resolve'} action
 */
async function sendAlert(sample, action) {
  const { status, answer } = await post('alert', { sample: sample.id, action });
  const said = answer.answer ?? {};
  const what = action === 'fire' ? 'Fired' : 'Resolved';
  say(
    status === 200
      ? `${what} “${sample.label}”: the bot answered ${answer.status}` +
          `${said.incident ? ` (${said.incident})` : ''}.`
      : status === 0
        ? answer.message
        : `The bot refused it: ${answer.status ?? status} ${said.message ?? answer.message ?? ''}`,
  );
}

/** @param {string} text */
function say(text) {
  ui.composerStatus.textContent = text;
}

/** @param {State} state */
function drawChannel(state) {
  const channel = state.channels.find((candidate) => candidate.id === page.channel);
  if (!channel) return;
  ui.channelName.textContent = `#${channel.name}${channel.isArchived ? ' (archived)' : ''}`;
  ui.topic.textContent = channel.topic ?? '';
  ui.bookmarks.replaceChildren(
    ...channel.bookmarks.map((bookmark) => {
      const item = el('li');
      const safe = /^https?:/i.test(bookmark.link);
      const link = safe ? linkTo(bookmark.link, context(state)) : el('span');
      link.append(`🔖 ${bookmark.title}`);
      item.append(link);
      return item;
    }),
  );
  ui.composerLabel.textContent = `Message #${channel.name}`;
  ui.composerText.disabled = channel.isArchived;
  ui.composerSend.disabled = channel.isArchived;
  ui.composerText.placeholder = channel.isArchived
    ? 'This channel is archived: nothing can be posted here'
    : '/incident help';

  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const inList = focused !== null && ui.messages.contains(focused);
  const focusKey = inList ? focused.dataset.focusKey : undefined;
  const focusTs = inList ? focused.closest('li.message')?.getAttribute('data-ts') : undefined;
  const caret =
    focused instanceof HTMLInputElement ? [focused.selectionStart, focused.selectionEnd] : null;
  const atBottom = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 40;

  const nodes = listItems(state, channel);
  // Only what changed is replaced: an unchanged message keeps its DOM, and with it the text a
  // person selected, the focus, an open menu and the scroll position.
  nodes.forEach((node, index) => {
    const current = ui.messages.children[index];
    if (current !== node) ui.messages.insertBefore(node, current ?? null);
  });
  while (ui.messages.children.length > nodes.length) ui.messages.lastElementChild?.remove();

  // Focus in a message that was redrawn goes to the same element, or to its message if the
  // element is gone (Acknowledge, once acknowledged).
  if (inList && !focused.isConnected && !ui.modal.open) {
    const again =
      focusKey && ui.messages.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    const message = focusTs && ui.messages.querySelector(`li[data-ts="${CSS.escape(focusTs)}"]`);
    const target = again instanceof HTMLElement ? again : message;
    if (target instanceof HTMLElement) target.focus({ preventScroll: true });
    if (again instanceof HTMLInputElement && caret) {
      again.setSelectionRange(caret[0] ?? again.value.length, caret[1] ?? again.value.length);
    }
  }
  if (atBottom) ui.messages.scrollTop = ui.messages.scrollHeight;
}

/** The open channel's drawn messages and notes, by key, with what each was drawn from. */
const drawn = { channel: '', items: new Map() };

/**
 * The list's items in time order: messages (with their threads) and notes, reusing the node of
 * each one whose content and surroundings did not change.
 * @param {State} state
 * @param {Channel} channel
 * @returns {HTMLElement[]}
 */
function listItems(state, channel) {
  if (drawn.channel !== channel.id) {
    drawn.channel = channel.id;
    drawn.items = new Map();
  }
  const names = JSON.stringify([state.channels.map((c) => [c.id, c.name]), state.users]);
  const messages = state.messages[channel.id] ?? [];
  const wanted = [
    ...messages
      .filter((message) => !message.threadTs)
      .map((message) => {
        const replies = messages.filter((reply) => reply.threadTs === message.ts);
        const around = [channel.pins.includes(message.ts), channel.isArchived];
        return {
          key: `message:${message.ts}`,
          ts: message.ts,
          drawnFrom: JSON.stringify([
            message,
            replies,
            around,
            page.threads.has(message.ts),
            names,
          ]),
          draw: () => drawMessage(state, channel, message, replies),
        };
      }),
    ...state.notes
      .filter((note) => note.channel === channel.id)
      .map((note) => ({
        key: `note:${note.id}`,
        ts: note.ts,
        drawnFrom: JSON.stringify([note, names]),
        draw: () => drawNote(state, note),
      })),
  ].sort((a, b) => Number(a.ts) - Number(b.ts));
  if (wanted.length === 0) {
    wanted.push({
      key: 'empty',
      ts: '0',
      drawnFrom: '',
      draw: () => el('li', 'empty', 'No messages yet: fire a sample alert.'),
    });
  }

  /** @type {Map<string, { drawnFrom: string, node: HTMLElement }>} */
  const items = new Map();
  const nodes = wanted.map((want) => {
    const before = drawn.items.get(want.key);
    const node = before?.drawnFrom === want.drawnFrom ? before.node : want.draw();
    items.set(want.key, { drawnFrom: want.drawnFrom, node });
    return node;
  });
  drawn.items = items;
  return nodes;
}

/**
 * @param {State} state
 * @param {Channel} channel
 * @param {Message} message
 * @param {Message[]} replies
 * @param {boolean} [inThread]
 * @returns {HTMLElement}
 */
function drawMessage(state, channel, message, replies, inThread = false) {
  const ctx = context(state);
  const item = el('li', 'message');
  item.dataset.ts = message.ts;
  item.tabIndex = -1;
  const head = el('div', 'message-head');
  const author = ctx.users.get(message.user) ?? message.user;
  head.append(el('span', 'author', author));
  if (message.botId || message.user === state.bot.id) head.append(el('span', 'tag', 'APP'));
  head.append(timeOf(message.ts));
  if (message.edited > 0) head.append(el('span', 'edited', '(edited)'));
  if (channel.pins.includes(message.ts)) head.append(el('span', 'tag pinned', 'Pinned'));
  head.append(messageMenu(state, channel, message));
  item.append(head);

  if (message.blocks && message.blocks.length > 0) {
    ctx.keyPrefix = message.ts;
    ctx.onAction = (use) => act(channel.id, message.ts, use);
    item.append(renderBlocks(message.blocks, ctx));
  } else {
    const text = el('div', 'bk-text');
    text.append(renderMrkdwn(message.text ?? '', ctx));
    item.append(text);
  }
  for (const file of message.files ?? []) {
    item.append(
      el('p', 'file', `📄 ${file.title || file.name} (saved under DATA_DIR/shared-files)`),
    );
  }
  const threadOpen = page.threads.has(message.ts);
  if (!inThread && (replies.length > 0 || threadOpen)) {
    item.append(drawThread(state, channel, message, replies));
  }
  return item;
}

/**
 * @param {State} state
 * @param {Channel} channel
 * @param {Message} parent
 * @param {Message[]} replies
 */
function drawThread(state, channel, parent, replies) {
  const wrapper = el('div', 'thread');
  const open = page.threads.has(parent.ts);
  const toggle = /** @type {HTMLButtonElement} */ (
    el('button', 'thread-toggle', `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`)
  );
  toggle.type = 'button';
  toggle.dataset.focusKey = `${parent.ts}:thread`;
  toggle.setAttribute('aria-expanded', String(open));
  toggle.addEventListener('click', () => {
    if (open) page.threads.delete(parent.ts);
    else page.threads.add(parent.ts);
    if (page.state) drawChannel(page.state);
  });
  wrapper.append(toggle);
  if (open) {
    const list = el('ol', 'replies');
    list.setAttribute('aria-label', 'Thread replies');
    for (const reply of replies) list.append(drawMessage(state, channel, reply, [], true));
    wrapper.append(list, replyBox(channel, parent));
  }
  return wrapper;
}

/**
 * @param {Channel} channel
 * @param {Message} parent
 */
function replyBox(channel, parent) {
  const form = el('form', 'reply-box');
  const id = replyId(parent.ts);
  const label = el('label', 'visually-hidden', 'Reply in thread');
  label.setAttribute('for', id);
  const input = /** @type {HTMLInputElement} */ (el('input'));
  input.id = id;
  input.placeholder = 'Reply in thread…';
  input.disabled = channel.isArchived;
  input.dataset.focusKey = `${parent.ts}:reply`;
  input.value = page.drafts.get(parent.ts) ?? '';
  input.addEventListener('input', () => page.drafts.set(parent.ts, input.value));
  const send = /** @type {HTMLButtonElement} */ (el('button', '', 'Reply'));
  send.type = 'submit';
  form.append(label, input, send);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value;
    const { status, answer } = await post('message', {
      user: page.user,
      channel: channel.id,
      text,
      threadTs: parent.ts,
    });
    if (status === 200) {
      page.drafts.delete(parent.ts);
      input.value = '';
      if (text.trim().startsWith('/')) say('Commands answer in the channel (below), as in Slack.');
    } else say(answer.message ?? `refused (${status})`);
  });
  return form;
}

/**
 * The ⋯ menu of a message: reply in its thread, and the app's message shortcuts, as Slack's
 * "More actions" lists them.
 * @param {State} state
 * @param {Channel} channel
 * @param {Message} message
 */
function messageMenu(state, channel, message) {
  const reply = message.threadTs ? [] : [{ label: 'Reply in thread', value: '' }];
  const shortcuts = state.shortcuts.map((shortcut) => ({
    label: shortcut.name,
    value: shortcut.callbackId,
  }));
  const menu = menuButton({
    label: '⋯',
    accessibleName: 'More actions for this message',
    items: [...reply, ...shortcuts],
    focusKey: `${message.ts}:menu`,
    disabled: channel.isArchived,
    onChoose: async (callbackId) => {
      if (!callbackId) {
        page.threads.add(message.ts);
        if (page.state) drawChannel(page.state);
        document.getElementById(replyId(message.ts))?.focus();
        return;
      }
      const { status, answer } = await post('shortcut', {
        user: page.user,
        channel: channel.id,
        messageTs: message.ts,
        callbackId,
      });
      if (status !== 200) say(answer.message ?? `refused (${status})`);
    },
  });
  menu.classList.add('message-menu');
  return menu;
}

/** @param {string} ts */
function replyId(ts) {
  return `reply-${ts.replace('.', '-')}`;
}

/**
 * @param {State} state
 * @param {Note} note
 */
function drawNote(state, note) {
  const ctx = context(state);
  const item = el('li', note.user ? 'message ephemeral' : 'message');
  const head = el('div', 'message-head');
  head.append(el('span', 'author', state.bot.name), el('span', 'tag', 'APP'), timeOf(note.ts));
  if (note.user) head.append(el('span', 'only-you', 'Only visible to you'));
  item.append(head);
  if (note.command) item.append(el('p', 'command-echo', note.command));
  if (note.blocks) item.append(renderBlocks(note.blocks, ctx));
  else {
    const text = el('div', 'bk-text');
    text.append(renderMrkdwn(note.text, ctx));
    item.append(text);
  }
  return item;
}

/** @param {string} ts */
function timeOf(ts) {
  const when = new Date(Number(ts) * 1000);
  const time = /** @type {HTMLTimeElement} */ (el('time', '', when.toLocaleTimeString()));
  time.dateTime = when.toISOString();
  return time;
}

/**
 * @param {string} channel
 * @param {string} messageTs
 * @param {{ blockIndex: number, actionId: string, choice?: string }} use
 */
async function act(channel, messageTs, use) {
  page.opener = { key: `${messageTs}:${use.blockIndex}:${use.actionId}`, ts: messageTs };
  const { status, answer } = await post('action', { user: page.user, channel, messageTs, ...use });
  if (status !== 200)
    say(answer.message ?? `the bot refused the click (${answer.status ?? status})`);
}

/** @param {State} state */
function drawModal(state) {
  const modal = state.modal;
  if (!modal) {
    page.modalKey = '';
    if (ui.modal.open) ui.modal.close();
    return;
  }
  const key = `${modal.id}:${modal.hash}`;
  if (key === page.modalKey && ui.modal.open) return;
  page.modalKey = key;
  const ctx = context(state);
  ui.modalTitle.textContent = plainTextOf(modal.view.title);
  ui.modalSubmit.textContent = plainTextOf(modal.view.submit) || 'Submit';
  ui.modalSubmit.hidden = !modal.view.submit;
  ui.modalClose.textContent = plainTextOf(modal.view.close) || 'Cancel';
  ui.modalStatus.textContent = '';
  ui.modalBody.replaceChildren(renderForm(modal.view.blocks ?? [], modal.errors, ctx));
  ui.modalForm.dataset.viewId = modal.id;
  if (!ui.modal.open) ui.modal.showModal();
  const first = ui.modalBody.querySelector('input, textarea, select');
  if (first instanceof HTMLElement) first.focus();
}

/** Back to what opened the form (or its message, or the message box). */
function returnFocus() {
  const opener = page.opener;
  const key = opener && ui.messages.querySelector(`[data-focus-key="${CSS.escape(opener.key)}"]`);
  const message = opener && ui.messages.querySelector(`li[data-ts="${CSS.escape(opener.ts)}"]`);
  const target = key ?? message ?? ui.composerText;
  if (target instanceof HTMLElement) target.focus();
  page.opener = undefined;
}

/** @param {Record<string, string>} errors by block_id */
function showModalErrors(errors) {
  const blocks = page.state?.modal?.view.blocks ?? [];
  const ctx = page.state && context(page.state);
  if (!ctx) return;
  const values = formValues(ui.modalForm);
  ui.modalBody.replaceChildren(renderForm(blocks, errors, ctx));
  // Keep what the person typed: the form is drawn again only to show the errors.
  for (const [name, value] of Object.entries(values)) {
    for (const field of ui.modalForm.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
      restore(
        /** @type {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} */ (field),
        value,
      );
    }
  }
  const count = Object.keys(errors).length;
  ui.modalStatus.textContent = `${count} ${count === 1 ? 'field needs' : 'fields need'} attention.`;
  const invalid = ui.modalBody.querySelector('[aria-invalid="true"]');
  const target = invalid?.querySelector('input') ?? invalid;
  if (target instanceof HTMLElement) target.focus();
}

/**
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} field
 * @param {string | string[]} value
 */
function restore(field, value) {
  const list = Array.isArray(value) ? value : [value];
  if (field instanceof HTMLSelectElement) {
    for (const option of field.options) option.selected = list.includes(option.value);
  } else if (
    field instanceof HTMLInputElement &&
    (field.type === 'checkbox' || field.type === 'radio')
  ) {
    field.checked = list.includes(field.value);
  } else {
    field.value = list[0] ?? '';
  }
}

ui.modalForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  ui.modalSubmit.disabled = true;
  ui.modalStatus.textContent = 'Sending…';
  try {
    const { status, answer } = await post('view', {
      user: page.user,
      viewId: ui.modalForm.dataset.viewId,
      values: formValues(ui.modalForm),
    });
    if (status === 200) {
      ui.modalStatus.textContent = '';
      page.modalKey = '';
      ui.modal.close();
      returnFocus();
    } else if (status === 422) showModalErrors(answer.errors ?? {});
    else
      ui.modalStatus.textContent =
        answer.message ?? `The bot refused it (${answer.status ?? status}).`;
  } finally {
    ui.modalSubmit.disabled = false;
  }
});

/** Closing the form (its button or Escape) tells the server, which forgets the modal. */
async function dismissModal() {
  const viewId = ui.modalForm.dataset.viewId;
  page.modalKey = '';
  if (ui.modal.open) ui.modal.close();
  returnFocus();
  if (viewId) await post('view/close', { user: page.user, viewId });
}
ui.modalClose.addEventListener('click', () => void dismissModal());
ui.modal.addEventListener('cancel', (event) => {
  event.preventDefault();
  void dismissModal();
});

ui.composer.addEventListener('submit', async (event) => {
  event.preventDefault();
  // A form this command opens gives the focus back to the message box.
  page.opener = undefined;
  const text = ui.composerText.value;
  if (!text.trim()) return;
  say('Sending…');
  const { status, answer } = await post('message', {
    user: page.user,
    channel: page.channel,
    text,
  });
  if (status === 200) {
    ui.composerText.value = '';
    say('');
  } else say(answer.message ?? `The bot refused it (${answer.status ?? status}).`);
});

ui.user.addEventListener('change', () => {
  page.user = ui.user.value;
  localStorage.setItem(USER_KEY, page.user);
  void refresh();
});

window.addEventListener('hashchange', () => openChannel(location.hash.slice(1)));

/** Live updates: each `change` event fetches the state again; the browser reconnects itself. */
function listen() {
  const events = new EventSource('/sandbox/api/events');
  events.addEventListener('open', () => {
    ui.connection.textContent = 'Live';
    ui.connection.className = 'connection live';
  });
  events.addEventListener('change', () => void refresh());
  events.addEventListener('error', () => {
    ui.connection.textContent = 'Reconnecting… (is the bot running?)';
    ui.connection.className = 'connection lost';
  });
}

listen();
void refresh();
