import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import {
  blockAction,
  ConsoleInputError,
  viewStateValues,
} from '../../src/sandbox/console/console-payloads.ts';
import {
  consoleRefusal,
  isLoopback,
  latestMessages,
} from '../../src/sandbox/console/sandbox-console.ts';

const plain = (text: string) => ({ type: 'plain_text', text });
const option = (value: string) => ({ text: plain(value.toUpperCase()), value });
const PEOPLE = new Set(['U0PAT0001', 'U0SAM0001']);

const MESSAGE_BLOCKS = [
  { type: 'section', text: { type: 'mrkdwn', text: '*INC-1*' } },
  {
    type: 'actions',
    block_id: 'inc_actions',
    elements: [
      { type: 'button', action_id: 'incident_ack', text: plain('Acknowledge'), value: 'INC-1' },
      { type: 'overflow', action_id: 'more', options: [option('snooze'), option('noise')] },
    ],
  },
  {
    type: 'section',
    text: plain('Severity'),
    accessory: {
      type: 'static_select',
      action_id: 'sev',
      option_groups: [{ label: plain('High'), options: [option('sev1'), option('sev2')] }],
    },
  },
];

describe('blockAction', () => {
  const TS = '1700000000.000100';

  it('reports a button with its own value and the block it is in', () => {
    expect(
      blockAction(MESSAGE_BLOCKS, { blockIndex: 1, actionId: 'incident_ack' }, TS, PEOPLE),
    ).toEqual({
      type: 'button',
      action_id: 'incident_ack',
      block_id: 'inc_actions',
      action_ts: TS,
      text: plain('Acknowledge'),
      value: 'INC-1',
    });
  });

  it('reports the chosen option of an overflow menu and of a grouped select', () => {
    const overflow = blockAction(
      MESSAGE_BLOCKS,
      { blockIndex: 1, actionId: 'more', choice: 'noise' },
      TS,
      PEOPLE,
    );
    expect(overflow.selected_option).toEqual(option('noise'));
    const select = blockAction(
      MESSAGE_BLOCKS,
      { blockIndex: 2, actionId: 'sev', choice: 'sev2' },
      TS,
      PEOPLE,
    );
    expect(select).toMatchObject({ block_id: 'console-block-2', selected_option: option('sev2') });
  });

  it('refuses an element or a choice the message does not have', () => {
    const refused = (use: Parameters<typeof blockAction>[1]) => {
      try {
        blockAction(MESSAGE_BLOCKS, use, TS, PEOPLE);
      } catch (error) {
        return error instanceof ConsoleInputError ? [error.field, error.status] : error;
      }
      return 'accepted';
    };
    expect(refused({ blockIndex: 9, actionId: 'incident_ack' })).toEqual(['blockIndex', 409]);
    const picker = [{ type: 'actions', elements: [{ type: 'users_select', action_id: 'who' }] }];
    expect(() =>
      blockAction(picker, { blockIndex: 0, actionId: 'who', choice: 'U0NOBODY' }, TS, PEOPLE),
    ).toThrow(/one of the people/);
    expect(refused({ blockIndex: 0, actionId: 'incident_ack' })).toEqual(['actionId', 409]);
    expect(refused({ blockIndex: 1, actionId: 'more', choice: 'delete-all' })).toEqual([
      'choice',
      400,
    ]);
  });
});

describe('viewStateValues', () => {
  const VIEW = {
    blocks: [
      { type: 'section', text: plain('Declare') },
      {
        type: 'input',
        block_id: 'title',
        label: plain('Title'),
        element: { type: 'plain_text_input', action_id: 'value' },
      },
      {
        type: 'input',
        block_id: 'about',
        optional: true,
        label: plain('About'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true },
      },
      {
        type: 'input',
        block_id: 'severity',
        label: plain('Severity'),
        element: { type: 'static_select', action_id: 'value', options: [option('sev1')] },
      },
      {
        type: 'input',
        block_id: 'lead',
        label: plain('Lead'),
        element: { type: 'users_select', action_id: 'value' },
      },
      {
        type: 'input',
        block_id: 'options',
        optional: true,
        label: plain('Channel'),
        element: { type: 'checkboxes', action_id: 'value', options: [option('channel')] },
      },
    ],
  };

  it('reports each element as Slack does: null for an empty optional text, options whole', () => {
    const answers = {
      '1': 'Checkout slow',
      '2': '',
      '3': 'sev1',
      '4': 'U0PAT0001',
      '5': ['channel'],
    };
    const { values, errors } = viewStateValues(VIEW, answers, PEOPLE);
    expect(errors).toEqual({});
    expect(values).toEqual({
      title: { value: { type: 'plain_text_input', value: 'Checkout slow' } },
      about: { value: { type: 'plain_text_input', value: null } },
      severity: { value: { type: 'static_select', selected_option: option('sev1') } },
      lead: { value: { type: 'users_select', selected_user: 'U0PAT0001' } },
      options: { value: { type: 'checkboxes', selected_options: [option('channel')] } },
    });
  });

  it('refuses text over an input’s max_length, and a field that is neither text nor choices', () => {
    const limited = {
      blocks: [
        {
          type: 'input',
          block_id: 'title',
          label: plain('Title'),
          element: { type: 'plain_text_input', action_id: 'value', max_length: 5 },
        },
      ],
    };
    expect(viewStateValues(limited, { '0': 'too long' }, PEOPLE).errors).toEqual({
      title: 'Please use 5 characters or fewer.',
    });
    expect(() => viewStateValues(limited, { '0': { value: 'x' } }, PEOPLE)).toThrow(
      ConsoleInputError,
    );
    expect(() => viewStateValues(limited, { '0': [1, 2] }, PEOPLE)).toThrow(/text or a list/);
  });

  it('refuses a person who is not one of the workspace’s people', () => {
    const answers = { '1': 'Checkout slow', '3': 'sev1', '4': 'U0NOPE> <!channel>' };
    expect(() => viewStateValues(VIEW, answers, PEOPLE)).toThrow(/one of the people/);
  });

  it('names each required field left empty, as Slack’s client refuses to send them', () => {
    const { errors } = viewStateValues(VIEW, { '1': '   ', '5': [] }, PEOPLE);
    expect(Object.keys(errors).sort()).toEqual(['lead', 'severity', 'title']);
  });
});

describe('consoleRefusal', () => {
  const sandbox = { ALERTS_CHANNEL: 'C0ALERTS01' };

  it('lets the plain sandbox have its console', () => {
    expect(consoleRefusal(loadConfig(sandbox))).toEqual([]);
  });

  it('names every real service credential that is set', () => {
    const config = loadConfig({
      ...sandbox,
      PAGERDUTY_TOKEN: 'u+abcdefghijklmnopqr',
      PAGERDUTY_FROM_EMAIL: 'oncall@example.test',
      GITHUB_TOKEN: 'ghp_example0123456789',
      GITHUB_REPOSITORY: 'acme/checkout',
      STATUSPAGE_API_KEY: 'statuspage-key-0123',
      STATUSPAGE_PAGE_ID: 'abcd1234efgh',
    });
    expect(consoleRefusal(config)).toEqual([
      'PAGERDUTY_TOKEN',
      'GITHUB_TOKEN',
      'STATUSPAGE_API_KEY',
    ]);
  });
});

describe('who reaches the console', () => {
  it('takes loopback peers only, IPv4, IPv6 and IPv4-mapped', () => {
    for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(ip)).toBe(true);
    }
    for (const ip of [
      '192.0.2.2',
      '::ffff:192.0.2.2',
      '10.0.0.1',
      '',
      undefined,
      '127.0.0.1.nip',
    ]) {
      expect(isLoopback(ip)).toBe(false);
    }
  });

  it('is off when the bot listens on an address other than loopback or all of them', () => {
    const at = (host: string) => consoleRefusal(loadConfig({ HOST: host }));
    expect(at('127.0.0.1')).toEqual([]);
    expect(at('0.0.0.0')).toEqual([]);
    expect(at('192.0.2.2')).toEqual(["HOST=192.0.2.2 (not this machine's loopback)"]);
  });
});

describe('latestMessages', () => {
  it('keeps the latest 200 top-level messages with every reply of their threads', () => {
    const message = (ts: number, threadTs?: number) => ({
      channel: 'C1',
      ts: `${ts}.000000`,
      ...(threadTs !== undefined && { threadTs: `${threadTs}.000000` }),
      user: 'U0PAT0001',
      edited: 0,
    });
    const parent = message(1);
    const replies = Array.from({ length: 400 }, (_, i) => message(2 + i, 1));
    const later = Array.from({ length: 199 }, (_, i) => message(1000 + i));
    const old = message(0);

    const kept = latestMessages([old, parent, ...replies, ...later]);
    expect(kept).toHaveLength(1 + 400 + 199);
    expect(kept[0]).toEqual(parent);
    expect(kept).not.toContainEqual(old);
  });
});
