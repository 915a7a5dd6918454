import { severityLabel } from './severity.ts';
import { ticketName, ticketsOf } from './tickets.ts';
import { foldTimeline, type TimelineItem } from './timeline-view.ts';
import { PHASES, type Actor, type Incident, type TimelineEntry } from './types.ts';

/**
 * The post-incident review draft: a GitHub-flavoured Markdown document a team edits after an
 * incident, with the figures (times to acknowledge and resolve) taken from the timeline, never
 * from a clock, so a draft made days later says the same as one made at once.
 */

export interface ReviewOptions {
  /** The incident's Slack channel; linked when its URL is known. */
  channel?: { name: string; url?: string };
  /** When the draft is made, ISO 8601; printed, never used to compute a figure. */
  now: string;
  /**
   * The Slack workspace's address (https://acme.slack.com): entries made by commands link to the
   * channel they were given in.
   */
  slackUrl?: string;
}

const NONE = '—';

export function renderReview(
  incident: Incident,
  entries: TimelineEntry[],
  options: ReviewOptions,
): string {
  const items = foldTimeline(entries);
  const summary = incident.summary || incident.resolution || '_To be written._';
  const impact = incident.description || '_Describe who was affected, how, and for how long._';

  const parts = [
    `# Post-incident review: ${incident.id} — ${oneLine(incident.title)}`,
    `_Draft generated at ${isoTime(options.now)} from ${incident.id}'s record and timeline. ` +
      `Edit it freely: nothing here changes the incident._`,
    `## Summary\n\n${summary}`,
    `## Impact\n\n${impact}`,
    `## Key facts\n\n${table(['Fact', 'Value'], keyFacts(incident, entries, options))}`,
    `## Status updates\n\n${statusUpdates(items)}`,
    `## Timeline\n\n${table(['Time (UTC)', 'Who', 'What'], timelineRows(items, options.slackUrl))}`,
    `## Messages added to the timeline\n\n${messages(items)}`,
    `## Follow-ups\n\n${followUps(incident)}`,
    `## Lessons learned\n\n${LESSONS}`,
  ];
  return `${parts.join('\n\n')}\n`;
}

/** Follow-up tickets with their state as last known (a box ticked when done). */
function followUps(incident: Incident) {
  const tickets = ticketsOf(incident).filter((t) => t.purpose === 'followup');
  if (tickets.length === 0)
    return '- [ ] _None recorded yet: `/incident followup <text>` opens one._';
  return tickets
    .map((t) => {
      const name = t.url ? `[${ticketName(t)}](${t.url})` : ticketName(t);
      return `- [${t.done ? 'x' : ' '}] ${name}: ${oneLine(t.title)} (${oneLine(t.status)})`;
    })
    .join('\n');
}

const LESSONS = ['What went well?', 'What went wrong?', 'Where did we get lucky?']
  .map((prompt) => `### ${prompt}\n\n_To be written._`)
  .join('\n\n');

/** `1h 23m`, `45s`, `4m 0s`, `2d 3h 0m`: the two largest units down to minutes, seconds below. */
export function formatDuration(ms: number) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;

  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

/**
 * The moments the figures come from, all read from the timeline: the start (the first opened or
 * declared entry, or `startedAt` when earlier), the first acknowledgement, and the last
 * resolution unless a reopen came after it.
 */
export function keyMoments(incident: Incident, entries: TimelineEntry[]) {
  const opened = entries.find(
    (e) => e.kind === 'incident.opened' || e.kind === 'incident.declared',
  );
  const candidates = [incident.startedAt, opened?.at].filter((at) => at !== undefined);
  const start = candidates
    .map((at) => Date.parse(at))
    .filter((time) => !Number.isNaN(time))
    .reduce<number | undefined>((a, b) => (a === undefined || b < a ? b : a), undefined);

  const acknowledged = entries.find((e) => e.kind === 'incident.acknowledged');
  let resolved: TimelineEntry | undefined;
  let reopens = 0;
  for (const entry of entries) {
    if (entry.kind === 'incident.resolved') resolved = entry;
    if (entry.kind === 'incident.reopened') {
      resolved = undefined;
      reopens += 1;
    }
  }
  return { start, acknowledged, resolved, reopens };
}

function keyFacts(incident: Incident, entries: TimelineEntry[], options: ReviewOptions) {
  const { start, acknowledged, resolved, reopens } = keyMoments(incident, entries);
  const since = (entry: TimelineEntry | undefined, missing: string) =>
    entry && start !== undefined ? formatDuration(Date.parse(entry.at) - start) : missing;
  const reopened = reopens === 0 ? '' : ` (after ${reopens} reopen${reopens === 1 ? '' : 's'})`;
  const declaredAt = incident.declaredAt ? ` at ${utc(incident.declaredAt)} UTC` : '';
  const declared = incident.declaredBy
    ? `${actorName(incident.declaredBy)}${declaredAt}`
    : `${NONE} (opened by ${incident.source})`;
  const channel = options.channel;

  return [
    ['Severity', severityLabel(incident.severity)],
    ['Status', statusWord(incident)],
    ['Lead', incident.roles?.lead ? actorName(incident.roles.lead) : NONE],
    ['Comms', incident.roles?.comms ? actorName(incident.roles.comms) : NONE],
    ['Declared by', declared],
    ['Started', start === undefined ? NONE : `${utc(new Date(start).toISOString())} UTC`],
    ['Acknowledged', acknowledged ? byline(acknowledged) : NONE],
    ['Resolved', resolved ? `${byline(resolved)}${reopened}` : 'ongoing'],
    ['Duration', since(resolved, 'ongoing')],
    ['Time to acknowledge', since(acknowledged, NONE)],
    ['Time to resolve', since(resolved, 'ongoing')],
    ['Channel', channel ? linked(`#${channel.name}`, channel.url) : NONE],
  ];
}

function statusWord(incident: Incident) {
  const words = [capitalize(incident.status)];
  if (incident.phase && incident.phase !== incident.status) words.push(capitalize(incident.phase));
  return `${words.join(' · ')}${incident.closedAt ? ' (channel closed)' : ''}`;
}

function statusUpdates(items: TimelineItem[]) {
  const updates = items.filter((i) => i.kind === 'incident.status');
  if (updates.length === 0) return '_No status updates were posted._';

  return updates
    .map((item) => {
      const match = PHASE_PREFIX.exec(item.text);
      const phase = match ? `${match[1]} · ` : '';
      const text = itemText({ ...item, text: match ? match[2]! : item.text });
      return `- **${utc(item.at)} UTC** · ${phase}${listText(text)} (${actorName(item.actor)})`;
    })
    .join('\n');
}

/** Status entries read `Identified: what we know`; the phase word is split off. */
const PHASE_PREFIX = new RegExp(`^(${PHASES.map(capitalize).join('|')}): ([\\s\\S]*)$`);

/** Where an entry came from: its own link, else the Slack channel of the command. */
function linkOf(item: TimelineItem, slackUrl: string | undefined) {
  if (item.source?.url) return item.source.url;
  const channel = item.source?.channel;
  return slackUrl && channel ? `${slackUrl}/archives/${channel}` : undefined;
}

function timelineRows(items: TimelineItem[], slackUrl: string | undefined) {
  const rows: string[][] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    let end = i;
    while (item.kind === 'alert.repeated' && items[end + 1]?.kind === 'alert.repeated') end += 1;
    if (end === i) {
      rows.push([utc(item.at), actorName(item.actor), itemText(item, linkOf(item, slackUrl))]);
      continue;
    }

    const run = items.slice(i, end + 1);
    const who = [...new Set(run.map((r) => actorName(r.actor)))].join(', ');
    const what = `${run.length} repeated notifications, the last at ${utc(run.at(-1)!.at)}`;
    rows.push([utc(item.at), who, what]);
    i = end;
  }
  return rows;
}

function messages(items: TimelineItem[]) {
  const added = items.filter((i) => i.kind === 'message.added');
  if (added.length === 0) return '_No messages were added to the timeline._';

  return added
    .map((item) => {
      const author = item.source?.userName ? `@${item.source.userName}` : item.source?.user;
      const who =
        author && item.source?.user !== item.actor.id
          ? `${author} (added by ${actorName(item.actor)})`
          : actorName(item.actor);
      const link = item.source?.url ? ` (${linked('message', item.source.url)})` : '';
      return `- **${utc(item.at)} UTC** · ${who}: ${listText(itemText(item))}${link}`;
    })
    .join('\n');
}

/** An item's text as the review shows it: linked to its source, marked edited or deleted. */
function itemText(item: TimelineItem, url?: string) {
  const text = item.text === '' ? '_(no text)_' : item.text;
  const shown = linked(text, url);
  if (item.deletedAt) return `~~${shown}~~ (deleted)`;
  return item.history.length > 0 ? `${shown} (edited)` : shown;
}

/** A Markdown link for web addresses; other schemes (javascript:, say) stay plain text. */
function linked(text: string, url: string | undefined) {
  if (!url || !/^https?:\/\//i.test(url)) return text;
  const safe = url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `[${text}](${safe})`;
}

function table(header: string[], rows: string[][]) {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** A table cell: `|` escaped and line breaks as `<br>`; nothing else in user text changes. */
function cell(text: string) {
  return text.replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, '<br>');
}

/** Text in a list item: its further lines indented so they stay in the item. */
function listText(text: string) {
  return text.replace(/\r\n|\r|\n/g, '\n  ');
}

function oneLine(text: string) {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

function byline(entry: TimelineEntry) {
  return `${utc(entry.at)} UTC by ${actorName(entry.actor)}`;
}

function actorName(actor: Actor) {
  return actor.kind === 'user' && actor.name ? `@${actor.name}` : actor.id;
}

/** `2026-03-14 02:47:00`; text that is no time is shown as it is. */
function utc(iso: string) {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

function isoTime(iso: string) {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toISOString();
}

function capitalize(word: string) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
