import { describe, expect, it } from 'vitest';

import { parseIncidentCommand } from '../../src/slack/parse-incident-command.ts';

describe('parseIncidentCommand', () => {
  it.each(['', '   ', 'help', 'HELP'])('answers %j with help', (text) => {
    const command = parseIncidentCommand(text);

    expect(command).toEqual({ name: 'help' });
  });

  it.each(['doctor', 'DOCTOR'])('reads %j as the doctor', (text) => {
    const command = parseIncidentCommand(text);

    expect(command).toEqual({ name: 'doctor' });
  });

  it('reads list', () => {
    const text = 'list';

    const command = parseIncidentCommand(text);

    expect(command).toEqual({ name: 'list' });
  });

  it.each(['ack INC-42', 'ack inc-42', 'ack 42', 'acknowledge INC-42', '  ack   INC-42  '])(
    'reads %j as ack of INC-42',
    (text) => {
      const command = parseIncidentCommand(text);

      expect(command).toEqual({ name: 'ack', id: 'INC-42' });
    },
  );

  it('reads resolve with the rest of the line as its note', () => {
    const text = 'resolve INC-7 fixed by rollback';

    const command = parseIncidentCommand(text);

    expect(command).toEqual({ name: 'resolve', id: 'INC-7', note: 'fixed by rollback' });
  });

  it('reads resolve without text as having no note', () => {
    const text = 'resolve INC-7';

    const command = parseIncidentCommand(text);

    expect(command).toMatchObject({ name: 'resolve', id: 'INC-7' });
    expect(command).not.toHaveProperty('note');
  });

  it('reads note with its text', () => {
    const text = 'note inc-7 rolled back the deploy';

    const command = parseIncidentCommand(text);

    expect(command).toEqual({ name: 'note', id: 'INC-7', text: 'rolled back the deploy' });
  });

  it('answers note without text with usage', () => {
    const text = 'note INC-7';

    const command = parseIncidentCommand(text);

    expect(command.name).toBe('usage');
  });

  it('reads timeline with its ID', () => {
    const text = 'timeline 7';

    const command = parseIncidentCommand(text);

    expect(command).toEqual({ name: 'timeline', id: 'INC-7' });
  });

  it('declares with severity error when none is given', () => {
    const text = 'declare Checkout down';

    const command = parseIncidentCommand(text);

    expect(command).toEqual({ name: 'declare', title: 'Checkout down', severity: 'error' });
  });

  it('declares sev1 as critical and leaves the severity word out of the title', () => {
    const text = 'declare sev1 Checkout down';

    const command = parseIncidentCommand(text);

    expect(command).toEqual({ name: 'declare', title: 'Checkout down', severity: 'critical' });
  });

  it('opens the declare form for declare without a title', () => {
    const text = 'declare';

    const command = parseIncidentCommand(text);

    expect(command).toEqual({ name: 'declare-form' });
  });

  it('keeps an ordinary first word such as "Error" in the title', () => {
    const text = 'declare Error rate above 5% on checkout';

    const command = parseIncidentCommand(text);

    expect(command).toEqual({
      name: 'declare',
      title: 'Error rate above 5% on checkout',
      severity: 'error',
    });
  });

  it('answers declare with only a severity with usage', () => {
    const text = 'declare sev1';

    const command = parseIncidentCommand(text);

    expect(command.name).toBe('usage');
  });

  it('answers an unknown subcommand with usage that names it', () => {
    const text = 'frobnicate INC-42';

    const command = parseIncidentCommand(text);

    expect(command.name).toBe('usage');
    expect(command.name === 'usage' && command.problem).toContain('frobnicate');
  });

  it.each(['ack nonsense', 'ack INC-4 now', 'resolve INC-', 'timeline INC-x', 'close #x'])(
    'answers %j with usage',
    (text) => {
      const command = parseIncidentCommand(text);

      expect(command.name).toBe('usage');
    },
  );

  describe('in an incident channel, without an ID', () => {
    it.each([
      ['ack', { name: 'ack' }],
      ['resolve rolled back v1.4', { name: 'resolve', note: 'rolled back v1.4' }],
      ['timeline', { name: 'timeline' }],
      ['review', { name: 'review' }],
      ['close', { name: 'close' }],
      ['reopen', { name: 'reopen' }],
      ['note 3 pods restarted', { name: 'note', text: '3 pods restarted' }],
      ['sev 1', { name: 'severity', severity: 'critical' }],
      ['sev SEV3', { name: 'severity', severity: 'warning' }],
      ['summary EU cards fail', { name: 'summary', text: 'EU cards fail' }],
    ])('reads %j', (text, expected) => {
      expect(parseIncidentCommand(text)).toEqual(expected);
    });

    it('reads an ID when one is given with INC-', () => {
      expect(parseIncidentCommand('note INC-3 pods restarted')).toEqual({
        name: 'note',
        id: 'INC-3',
        text: 'pods restarted',
      });
      expect(parseIncidentCommand('sev inc-9 2')).toEqual({
        name: 'severity',
        id: 'INC-9',
        severity: 'error',
      });
    });

    it('reads people as Slack escapes them, or as bare user IDs', () => {
      expect(parseIncidentCommand('lead <@U0SAM0001|sam>')).toEqual({
        name: 'role',
        role: 'lead',
        user: 'U0SAM0001',
      });
      expect(parseIncidentCommand('comms U0ALEX001')).toEqual({
        name: 'role',
        role: 'comms',
        user: 'U0ALEX001',
      });
      expect(parseIncidentCommand('invite <@U0SAM0001|sam>, <@U0ALEX001> <@U0SAM0001>')).toEqual({
        name: 'invite',
        users: ['U0SAM0001', 'U0ALEX001'],
      });
    });

    it('reads a status update with its phase and message', () => {
      expect(parseIncidentCommand('status Identified bad deploy of cart v2')).toEqual({
        name: 'status',
        phase: 'identified',
        text: 'bad deploy of cart v2',
      });
    });

    it.each([
      'sev 5',
      'sev',
      'lead pat',
      'invite',
      'invite @pat',
      'status fixed it',
      'status monitoring',
    ])('answers %j with usage that says what is needed', (text) => {
      const command = parseIncidentCommand(text);

      expect(command.name).toBe('usage');
    });
  });
});
