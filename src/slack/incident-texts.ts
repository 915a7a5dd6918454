import { countAlerts } from '../core/apply-alerts.ts';
import { severityLabel } from '../core/severity.ts';
import { foldTimeline } from '../core/timeline-view.ts';
import type { Incident, TimelineEntry } from '../core/types.ts';
import type { IncidentChannels } from './incident-channels.ts';
import { mention, safe, truncate, who } from './mrkdwn.ts';
import { statusWord } from './render-incident-message.ts';

/** Slack shows at most this much of a reply comfortably; longer lists are cut. */
const REPLY_LIMIT = 3_500;
const LIST_LIMIT = 20;
const TIMELINE_LIMIT = 40;

/** `/incident list`: open incidents with severity, status, phase, lead, channel and age. */
export function listText(open: Incident[], now: number, channels?: IncidentChannels) {
  if (open.length === 0) return 'No open incidents. :white_check_mark:';
  const lines = open.slice(0, LIST_LIMIT).map((incident) => {
    const { firing, total } = countAlerts(incident);
    const alerts = total > 0 ? ` · ${firing} of ${total} firing` : '';
    const state = `${severityLabel(incident.severity)} · ${statusWord(incident)}${alerts}`;
    const lead = incident.roles?.lead ? ` · lead ${mention(incident.roles.lead.id)}` : '';
    const channel = channels?.channelOf(incident);
    const where = channel ? ` · <#${channel}>` : '';
    const age = formatAge(now - Date.parse(incident.startedAt));
    const title = safe(incident.title, 150);
    return `• *${incident.id}* · ${state} · ${title}${lead}${where} · ${age} old`;
  });
  if (open.length > LIST_LIMIT) lines.push(`…and ${open.length - LIST_LIMIT} more`);
  return truncate(`*Open incidents (${open.length})*\n${lines.join('\n')}`, REPLY_LIMIT);
}

/** `3d 4h`, `2h 5m`, `7m`: how long an incident has been open, at a glance. */
export function formatAge(ms: number) {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1_440);
  const hours = Math.floor((minutes % 1_440) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes % 60}m`;
  return `${minutes}m`;
}

/** `/incident timeline`: the last entries in order, edits folded in, within a reply's size. */
export function timelineText(incident: Incident, stored: TimelineEntry[]) {
  // Edits and deletions of added messages show on the entry they change.
  const entries = foldTimeline(stored);
  const shown = entries.slice(-TIMELINE_LIMIT);
  const lines = shown.map((e) => {
    const time = `${e.at.slice(0, 19).replace('T', ' ')} UTC`;
    const actor = who(e.actor);
    const text = safe(e.text, 300);
    const shownText = e.deletedAt
      ? `~${text}~ (deleted)`
      : e.history.length > 0
        ? `${text} (edited)`
        : text;
    return `\`${time}\` ${actor} · ${shownText}`;
  });
  const skipped = entries.length - shown.length;
  const title = safe(incident.title, 200);
  const head = `*Timeline of ${incident.id}* · ${title} (${entries.length} entries)`;
  const note = skipped > 0 ? `\n_…${skipped} earlier entries not shown_` : '';
  let text = `${head}${note}\n${lines.join('\n')}`;
  while (text.length > REPLY_LIMIT && lines.length > 1) {
    lines.shift();
    text = `${head}\n_…earlier entries not shown_\n${lines.join('\n')}`;
  }
  return text;
}

/** Cuts text into parts of at most `size` characters at line ends (a longer line is cut). */
export function chunkLines(text: string, size: number) {
  const parts: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const piece = line.length > size ? `${line.slice(0, size - 1)}…` : line;
    if (current && current.length + piece.length + 1 > size) {
      parts.push(current);
      current = '';
    }
    current = current ? `${current}\n${piece}` : piece;
  }
  if (current) parts.push(current);
  return parts;
}
