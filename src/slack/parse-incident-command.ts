import { parseIncidentId } from '../core/incident-id.ts';
import { normalizeSeverity } from '../core/severity.ts';
import type { Severity } from '../core/types.ts';

export type IncidentCommand =
  | { name: 'help' }
  | { name: 'list' }
  | { name: 'ack'; id: string }
  | { name: 'resolve'; id: string; note?: string }
  | { name: 'note'; id: string; text: string }
  | { name: 'timeline'; id: string }
  | { name: 'declare'; title: string; severity: Severity }
  | { name: 'usage'; problem: string };

/** Only unmistakable severity words: `declare Error rate is high` keeps its first word. */
const SEVERITY_WORD = /^(sev[1-4]|p[1-4])$/i;

/** Reads the text after `/incident` (or after a mention of the bot). Never throws. */
export function parseIncidentCommand(text: string): IncidentCommand {
  const [word = '', ...rest] = text.trim().split(/\s+/);
  const name = word.toLowerCase();
  const args = rest.join(' ');

  switch (name) {
    case '':
    case 'help':
      return { name: 'help' };
    case 'list':
    case 'ls':
      return { name: 'list' };
    case 'ack':
    case 'acknowledge':
      return withId(name, rest, (id) => ({ name: 'ack', id }));
    case 'resolve':
      return withId(name, rest, (id, tail) => ({
        name: 'resolve',
        id,
        ...(tail ? { note: tail } : {}),
      }));
    case 'note':
      return withId(name, rest, (id, tail) =>
        tail
          ? { name: 'note', id, text: tail }
          : usage('`note` needs text: `/incident note INC-42 rolled back the deploy`'),
      );
    case 'timeline':
      return withId(name, rest, (id) => ({ name: 'timeline', id }));
    case 'declare':
      return declare(rest, args);
    default:
      return usage(`Unknown subcommand \`${word.slice(0, 30)}\`.`);
  }
}

function withId(
  name: string,
  rest: string[],
  build: (id: string, tail: string) => IncidentCommand,
): IncidentCommand {
  const [first = '', ...tail] = rest;
  const id = parseIncidentId(first);
  if (!id) {
    const shown = first ? `\`${first.slice(0, 30)}\` is not an incident ID. ` : '';
    return usage(`${shown}\`${name}\` needs an incident ID, like \`/incident ${name} INC-42\`.`);
  }
  return build(id, tail.join(' ').trim());
}

function declare(rest: string[], args: string): IncidentCommand {
  const [first = ''] = rest;
  const hasSeverity = SEVERITY_WORD.test(first);
  const title = (hasSeverity ? rest.slice(1).join(' ') : args).trim();
  if (!title) return usage('`declare` needs a title: `/incident declare Checkout is failing`.');
  const severity = hasSeverity ? normalizeSeverity(first) : 'error';
  return { name: 'declare', title: title.slice(0, 1024), severity };
}

function usage(problem: string): IncidentCommand {
  return { name: 'usage', problem };
}

export const HELP_TEXT = [
  '*`/incident` commands*',
  '`/incident list` — open incidents',
  '`/incident ack INC-42` — acknowledge',
  '`/incident resolve INC-42 [note]` — resolve, with an optional note',
  '`/incident note INC-42 <text>` — add a note to the timeline',
  '`/incident timeline INC-42` — show the timeline',
  '`/incident declare [sev1|sev2|sev3|sev4] <title>` — open an incident by hand (default sev2)',
  'IDs are case-insensitive: `inc-42` and `42` work too.',
].join('\n');
