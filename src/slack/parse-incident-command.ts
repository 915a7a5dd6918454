import { parseIncidentId } from '../core/incident-id.ts';
import { normalizeSeverity } from '../core/severity.ts';
import { PHASES, type Phase, type Role, type Severity } from '../core/types.ts';
import type { SnoozeLength } from '../core/snooze.ts';
import { noiseCommand, snoozeCommand } from './parse-snooze-command.ts';

/**
 * A parsed `/incident` command. `id` is left out when the command names no incident: in an
 * incident's channel it means that incident; elsewhere the runner asks for one.
 */
export type IncidentCommand =
  | { name: 'help' }
  | { name: 'list' }
  | { name: 'ack'; id?: string }
  | { name: 'resolve'; id?: string; note?: string }
  | { name: 'reopen'; id?: string }
  | { name: 'note'; id?: string; text: string }
  | { name: 'timeline'; id?: string }
  | { name: 'review'; id?: string; publish?: TicketSystemWord }
  | { name: 'ticket'; id?: string; system?: TicketSystemWord; title?: string }
  | { name: 'followup'; id?: string; system?: TicketSystemWord; text: string }
  | { name: 'context'; id?: string; service?: string }
  | { name: 'rules' }
  | { name: 'doctor' }
  | { name: 'rules-test'; text: string }
  | { name: 'close'; id?: string }
  | { name: 'channel'; id?: string }
  | { name: 'page'; id?: string; query?: string }
  | { name: 'statuspage'; id?: string }
  | { name: 'oncall'; filter?: string }
  | { name: 'declare'; title: string; severity: Severity }
  | { name: 'declare-form' }
  | { name: 'severity'; id?: string; severity: Severity }
  | { name: 'role'; id?: string; role: Role; user: string }
  | { name: 'status'; id?: string; phase: Phase; text: string }
  | { name: 'invite'; id?: string; users: string[] }
  | { name: 'summary'; id?: string; text: string }
  | { name: 'snooze'; id?: string; length: SnoozeLength }
  | { name: 'unsnooze'; id?: string }
  | { name: 'noise'; id?: string; reason?: string }
  | { name: 'usage'; problem: string };

export type TicketSystemWord = 'jira' | 'github';

const RULES_USAGE =
  '`/incident rules` lists the routing rules; `/incident rules test <JSON>` shows which one a ' +
  'payload follows.';

/** People typed as `@pat` arrive as IDs only when the command escapes them (manifest.yml). */
const ESCAPE_HINT =
  ' If you did name someone with @, the app needs reinstalling from manifest.yml ' +
  '(its command must "escape channels, users and links").';
/** As in the declare form: a title is a line, not a page. */
const TITLE_MAX = 150;
/** Only unmistakable severity words: `declare Error rate is high` keeps its first word. */
const SEVERITY_WORD = /^(sev[1-4]|p[1-4])$/i;
/** A user as Slack escapes it in command text (`<@U123|pat>`), or a bare user ID. */
const USER = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{4,})$/;
/** An incident ID in a command that takes free text after it must say `INC-`: `note 3 pods`. */
const PREFIXED_ID = /^(?:inc-?|#)\d{1,9}$/i;

/** Reads the text after `/incident` (or after a mention of the bot). Never throws. */
export function parseIncidentCommand(text: string): IncidentCommand {
  const [word = '', ...rest] = text.trim().split(/\s+/);
  const name = word.toLowerCase();

  switch (name) {
    case '':
    case 'help':
      return { name: 'help' };
    case 'list':
    case 'ls':
      return { name: 'list' };
    case 'ack':
    case 'acknowledge':
      return onlyId(name, rest, (id) => ({ name: 'ack', ...id }));
    case 'resolve':
      return withId(name, rest, (id, tail) => ({
        name: 'resolve',
        ...id,
        ...(tail && { note: tail }),
      }));
    case 'reopen':
      return onlyId(name, rest, (id) => ({ name: 'reopen', ...id }));
    case 'timeline':
      return onlyId(name, rest, (id) => ({ name: 'timeline', ...id }));
    case 'review':
      return withId(name, rest, (id, tail) =>
        systemWord(tail, 'review', (publish) => ({ name: 'review', ...id, ...publish })),
      );
    case 'ticket':
      return withId(name, rest, (id, tail) => ticket(id, tail));
    case 'followup':
    case 'follow-up':
      return withText(rest, (id, tail) => followup(id, tail));
    case 'rules':
    case 'rule': {
      const [sub = '', ...tail] = rest;
      if (sub.toLowerCase() !== 'test') return sub ? usage(RULES_USAGE) : { name: 'rules' };
      const text = tail.join(' ').trim();
      return text ? { name: 'rules-test', text } : usage(RULES_USAGE);
    }
    case 'doctor':
      return { name: 'doctor' };
    case 'context':
      return withId(name, rest, (id, tail) => ({
        name: 'context',
        ...id,
        ...(tail && { service: tail.slice(0, 100) }),
      }));
    case 'close':
      return onlyId(name, rest, (id) => ({ name: 'close', ...id }));
    case 'channel':
      return onlyId(name, rest, (id) => ({ name: 'channel', ...id }));
    case 'page':
      return withText(rest, (id, tail) => ({ name: 'page', ...id, ...(tail && { query: tail }) }));
    case 'statuspage':
      return onlyId(name, rest, (id) => ({ name: 'statuspage', ...id }));
    case 'oncall':
    case 'on-call': {
      const filter = rest.join(' ').trim();
      return { name: 'oncall', ...(filter && { filter }) };
    }
    case 'note':
      return withText(rest, (id, tail) =>
        tail
          ? { name: 'note', ...id, text: tail }
          : usage('`note` needs text: `/incident note rolled back the deploy`'),
      );
    case 'summary':
      return withText(rest, (id, tail) =>
        tail
          ? { name: 'summary', ...id, text: tail }
          : usage('`summary` needs text: `/incident summary Checkout fails for EU cards`'),
      );
    case 'sev':
    case 'severity':
      return withText(rest, (id, tail) => severity(id, tail));
    case 'lead':
    case 'comms':
      return withText(rest, (id, tail) => role(name, id, tail));
    case 'status':
    case 'update':
      return withText(rest, (id, tail) => status(id, tail));
    case 'invite':
      return withText(rest, (id, tail) => invite(id, tail));
    case 'snooze':
      return withId(name, rest, (id, tail) => snoozeCommand(id, tail));
    case 'unsnooze':
      return onlyId(name, rest, (id) => ({ name: 'unsnooze', ...id }));
    case 'noise':
      return withText(rest, (id, tail) => noiseCommand(id, tail));
    case 'declare':
      return declare(rest);
    default:
      return usage(`Unknown subcommand \`${word.slice(0, 30)}\`.`);
  }
}

type IdPart = { id?: string };

/** A first word meant as an ID (`INC-x`, `#`) that is not one is a typo, not text. */
const ID_LIKE = /^(?:inc\b|inc-|#)/i;

/** Commands whose first argument may be the incident, where `42` means INC-42. */
function withId(
  name: string,
  rest: string[],
  build: (id: IdPart, tail: string) => IncidentCommand,
): IncidentCommand {
  const [first = '', ...tail] = rest;
  const id = parseIncidentId(first);
  if (id) return build({ id }, tail.join(' ').trim());
  if (ID_LIKE.test(first)) return notAnId(name, first);
  return build({}, rest.join(' ').trim());
}

/** Commands whose only argument is the incident. */
function onlyId(name: string, rest: string[], build: (id: IdPart) => IncidentCommand) {
  const [first = '', ...tail] = rest;
  if (!first) return build({});
  const id = parseIncidentId(first);
  if (!id || tail.length > 0) return notAnId(name, first);
  return build({ id });
}

function notAnId(name: string, word: string) {
  return usage(
    `\`${word.slice(0, 30)}\` is not an incident ID: \`/incident ${name} INC-42\`, ` +
      'or leave it out in the incident’s channel.',
  );
}

/** Commands that take text, where only `INC-42` (or `#42`) names an incident. */
function withText(rest: string[], build: (id: IdPart, tail: string) => IncidentCommand) {
  const [first = '', ...tail] = rest;
  if (PREFIXED_ID.test(first)) return build({ id: parseIncidentId(first) }, tail.join(' ').trim());
  return build({}, rest.join(' ').trim());
}

function severity(id: IdPart, text: string): IncidentCommand {
  const word = text.toLowerCase().replace(/^(sev|p)/, '');
  if (!/^[1-4]$/.test(word)) return usage('`sev` needs a level from 1 to 4: `/incident sev 2`.');
  return { name: 'severity', ...id, severity: normalizeSeverity(`sev${word}`) };
}

function role(name: string, id: IdPart, text: string): IncidentCommand {
  const user = userId(text);
  if (!user) return usage(`\`${name}\` needs a person: \`/incident ${name} @pat\`.${ESCAPE_HINT}`);
  return { name: 'role', ...id, role: name === 'lead' ? 'lead' : 'comms', user };
}

function status(id: IdPart, text: string): IncidentCommand {
  const [word = '', ...message] = text.split(/\s+/);
  const phase = PHASES.find((p) => p === word.toLowerCase());
  const phases = PHASES.join('|');
  if (!phase) return usage(`\`status\` needs one of ${phases}, then a message.`);
  const body = message.join(' ').trim();
  if (!body)
    return usage(
      `\`status ${phase}\` needs a message: \`/incident status ${phase} Rolled back v1.4\`.`,
    );
  return { name: 'status', ...id, phase, text: body.slice(0, 2_900) };
}

function invite(id: IdPart, text: string): IncidentCommand {
  const words = text.split(/[\s,]+/).filter(Boolean);
  const users = words.map(userId);
  if (words.length === 0 || users.some((u) => !u))
    return usage(`\`invite\` needs people: \`/incident invite @pat @sam\`.${ESCAPE_HINT}`);
  return { name: 'invite', ...id, users: [...new Set(users as string[])] };
}

/** `jira` or `github`, or nothing; anything else is a mistake worth saying. */
function systemWord<K extends 'publish' | 'system'>(
  tail: string,
  name: string,
  build: (part: Partial<Record<K, TicketSystemWord>>) => IncidentCommand,
): IncidentCommand {
  const word = tail.toLowerCase();
  const key = (name === 'review' ? 'publish' : 'system') as K;
  if (!word) return build({});
  if (word === 'jira' || word === 'github')
    return build({ [key]: word } as Partial<Record<K, TicketSystemWord>>);
  return usage(`\`${name}\` takes \`jira\` or \`github\`: \`/incident ${name} jira\`.`);
}

/** `ticket [jira|github] [title]`: a title opens the ticket at once, without the form. */
function ticket(id: IdPart, text: string): IncidentCommand {
  const [first = '', ...rest] = text.split(/\s+/);
  const word = first.toLowerCase();
  const named = word === 'jira' || word === 'github';
  const title = (named ? rest.join(' ') : text).trim();
  return {
    name: 'ticket',
    ...id,
    ...(named ? { system: word as TicketSystemWord } : {}),
    ...(title ? { title: title.slice(0, 250) } : {}),
  };
}

function followup(id: IdPart, text: string): IncidentCommand {
  const [first = '', ...rest] = text.split(/\s+/);
  const system = first.toLowerCase();
  const named = system === 'jira' || system === 'github';
  const body = (named ? rest.join(' ') : text).trim();
  if (!body)
    return usage('`followup` needs text: `/incident followup Add an alert on queue depth`.');
  return {
    name: 'followup',
    ...id,
    ...(named ? { system: system as TicketSystemWord } : {}),
    text: body.slice(0, 250),
  };
}

function userId(text: string) {
  const match = USER.exec(text.trim());
  return match ? (match[1] ?? match[2]) : undefined;
}

function declare(rest: string[]): IncidentCommand {
  if (rest.length === 0) return { name: 'declare-form' };
  const [first = ''] = rest;
  const hasSeverity = SEVERITY_WORD.test(first);
  const title = (hasSeverity ? rest.slice(1) : rest).join(' ').trim();
  if (!title) return usage('`declare` needs a title: `/incident declare Checkout is failing`.');
  if (title.length > TITLE_MAX)
    return usage(`Keep the title under ${TITLE_MAX} characters; put the rest in a note.`);
  const severity = hasSeverity ? normalizeSeverity(first) : 'error';
  return { name: 'declare', title, severity };
}

function usage(problem: string): IncidentCommand {
  return { name: 'usage', problem };
}

export const HELP_TEXT = [
  '*`/incident` commands* (in an incident’s channel, leave out the ID)',
  '`/incident list` — open incidents',
  '`/incident declare` — open the form to declare an incident (or `declare [sev1-4] <title>`)',
  '`/incident ack [INC-42]` — acknowledge',
  '`/incident status [INC-42] <phase> <message>` — post a status update; phases: ' +
    '`investigating`, `identified`, `monitoring`, `resolved`',
  '`/incident sev [INC-42] <1-4>` — change the severity',
  '`/incident lead [INC-42] @person` · `comms [INC-42] @person` — set a role',
  '`/incident invite [INC-42] @person…` — invite people to the channel',
  '`/incident summary [INC-42] <text>` — say what the incident is about',
  '`/incident note [INC-42] <text>` — add a note to the timeline',
  '`/incident timeline [INC-42]` — show the timeline',
  '`/incident resolve [INC-42] [note]` — resolve · `reopen [INC-42]` — reopen',
  '`/incident review [INC-42] [jira|github]` — post-incident review draft (Markdown), or ' +
    'published as a Jira or GitHub issue',
  '`/incident ticket [INC-42] [jira|github] [title]` — open a ticket for the incident (a form; ' +
    'with a title, at once)',
  '`/incident followup [INC-42] [jira|github] <text>` — open a follow-up ticket',
  '`/incident context [INC-42] [service]` — open Jira issues and recent deploys and merges',
  '`/incident rules` — the routing rules · `rules test <JSON>` — which rule a payload follows',
  '`/incident doctor` — check the set-up against Slack and the other services (changes nothing)',
  '`/incident close [INC-42]` — archive a resolved incident’s channel',
  '`/incident channel INC-42` — give a declared incident a channel it does not have yet',
  '`/incident page [INC-42] [service]` — page someone through PagerDuty',
  '`/incident statuspage [INC-42]` — publish or update the incident on the status page',
  '`/incident oncall [schedule or escalation policy]` — who is on call now',
  '`/incident snooze [INC-42] <30m|1h|4h|tomorrow>` — quiet its notifications for a while · ' +
    '`unsnooze [INC-42]` — end it',
  '`/incident noise [INC-42] [reason]` — mark an alert’s incident as noise: ' +
    'resolve and close it',
  'IDs are case-insensitive: `inc-42` works too.',
].join('\n');
