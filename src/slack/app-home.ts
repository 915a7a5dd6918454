import type { IncidentService } from '../core/incident-service.ts';
import { phaseWord } from '../core/lifecycle.ts';
import type { Clock } from '../core/ports.ts';
import { severityLabel } from '../core/severity.ts';
import type { Incident } from '../core/types.ts';
import { mrkdwn, plain } from './blocks.ts';
import type { IncidentChannels } from './incident-channels.ts';
import { bold, mention, slackDate } from './mrkdwn.ts';
import { statusWord } from './render-incident-message.ts';
import { formatAge } from './incident-texts.ts';
import type { SlackGateway } from './slack-gateway.ts';

/** A Home tab holds 100 blocks; open incidents take one each, resolved ones share a few. */
const OPEN_SHOWN = 60;
const RESOLVED_SHOWN = 10;

/**
 * The bot's App Home tab: open incidents with their state, lead, age and channel, then the last
 * resolved ones.
 */
export class AppHome {
  constructor(
    private readonly incidents: IncidentService,
    private readonly channels: IncidentChannels,
    private readonly gateway: SlackGateway,
    private readonly clock: Clock,
  ) {}

  publish(userId: string) {
    return this.gateway.publishHome(userId, this.view());
  }

  view() {
    const now = this.clock.now().getTime();
    const open = this.incidents.list();
    const resolved = this.incidents
      .list({ all: true })
      .filter((i) => i.status === 'resolved')
      .slice(0, RESOLVED_SHOWN);
    const blocks: object[] = [{ type: 'header', text: plain(`Open incidents (${open.length})`) }];
    if (open.length === 0)
      blocks.push({ type: 'section', text: mrkdwn('No open incidents. :white_check_mark:') });
    for (const incident of open.slice(0, OPEN_SHOWN))
      blocks.push({ type: 'section', text: mrkdwn(this.#line(incident, now)) });
    if (open.length > OPEN_SHOWN)
      blocks.push({
        type: 'context',
        elements: [mrkdwn(`…and ${open.length - OPEN_SHOWN} more: \`/incident list\``)],
      });
    blocks.push({ type: 'divider' }, { type: 'header', text: plain('Recently resolved') });
    const lines = resolved.map((i) => {
      const when = slackDate(i.resolvedAt ?? i.updatedAt);
      const title = bold(i.title, 150);
      return `*${i.id}* · ${severityLabel(i.severity)} · ${title} · resolved ${when}`;
    });
    blocks.push({
      type: 'section',
      text: mrkdwn(lines.length > 0 ? lines.join('\n').slice(0, 2_900) : '_None yet._'),
    });
    return { type: 'home', blocks };
  }

  #line(incident: Incident, now: number) {
    const state = incident.phase ? phaseWord(incident.phase) : statusWord(incident);
    const parts = [
      `*${incident.id}* · ${severityLabel(incident.severity)} · ${state}`,
      bold(incident.title, 300),
    ];
    const lead = incident.roles?.lead;
    if (lead) parts.push(`lead ${mention(lead.id)}`);
    parts.push(`${formatAge(now - Date.parse(incident.startedAt))} old`);
    const channel = this.channels.channelOf(incident);
    if (channel) parts.push(`<#${channel}>`);
    return parts.join(' · ');
  }
}
