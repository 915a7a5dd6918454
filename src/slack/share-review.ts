import { formatDuration, keyMoments, renderReview } from '../core/review.ts';
import { severityLabel } from '../core/severity.ts';
import type { Incident, TimelineEntry } from '../core/types.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import { chunkLines } from './incident-texts.ts';
import { escapeText, truncate } from './mrkdwn.ts';
import type { CommandContext, CommandReply } from './run-incident-command.ts';

/**
 * `/incident review`: the post-incident review draft, as a Markdown file shared in the
 * incident's channel (or its alert message's thread), with the key figures in the comment. An
 * app installed before it could upload files gets the draft as messages instead.
 */
export async function shareReview(incident: Incident, ctx: CommandContext): Promise<CommandReply> {
  const entries = await ctx.incidents.timeline(incident.id);
  const ref = incident.refs.channel;
  const now = (ctx.clock?.now() ?? new Date()).toISOString();
  const slackUrl = originOf(ref?.alertLink);
  const channelUrl = slackUrl && ref?.id ? `${slackUrl}/archives/${ref.id}` : undefined;
  const markdown = renderReview(incident, entries, {
    now,
    ...(slackUrl ? { slackUrl } : {}),
    ...(ref?.name ? { channel: { name: ref.name, ...(channelUrl && { url: channelUrl }) } } : {}),
  });
  const inline = reply(`\`\`\`${truncate(escapeText(markdown), 3_400)}\`\`\``);
  const target = spaceOf(incident, ctx);
  const { gateway } = ctx;
  if (!gateway || !target) return inline;
  const where = target.threadTs ? 'the thread of its alert message' : `<#${target.channel}>`;

  try {
    await gateway.uploadFile({
      ...target,
      filename: `${incident.id}-review.md`,
      title: `Post-incident review draft: ${incident.id}`,
      content: markdown,
      comment: figures(incident, entries),
    });
    return reply(`The review draft of *${incident.id}* is shared in ${where} as a Markdown file.`);
  } catch (error) {
    const e = error instanceof OutboundError ? error : undefined;
    if (e?.retryAfterMs !== undefined) {
      const seconds = Math.ceil(e.retryAfterMs / 1000);
      return reply(`Slack is rate-limiting file uploads; run it again in ${seconds} s.`);
    }
    if (e?.code !== 'missing_scope') {
      const why = e?.code ? ` (\`${e.code}\`)` : '';
      return reply(`Slack did not take the review${why}. Here is its start:\n${inline.text}`);
    }
  }
  // Installed from an older manifest (no files:write): the draft in messages.
  const parts = chunkLines(markdown, 3_000);
  for (const [n, part] of parts.entries()) {
    const head = `*Post-incident review draft of ${incident.id}* (${n + 1} of ${parts.length})`;
    const text = `${head}\n\`\`\`${escapeText(part)}\`\`\``;
    await gateway.postMessage(target.channel, { text }, { threadTs: target.threadTs });
  }
  return reply(
    `The review draft of *${incident.id}* is posted in ${where} in ${parts.length} message(s). ` +
      'Reinstall the app from manifest.yml (files:write) to get it as one file.',
  );
}

/** The incident's own space: its channel, else its alert message's thread, else here. */
function spaceOf(incident: Incident, ctx: CommandContext) {
  const channel = ctx.channels?.channelOf(incident);
  if (channel) return { channel };
  const message = incident.refs.slack;
  if (message?.ts && message.channel) return { channel: message.channel, threadTs: message.ts };
  return ctx.channel ? { channel: ctx.channel } : undefined;
}

/** The comment on the file: the figures people ask for first, from the timeline. */
function figures(incident: Incident, entries: TimelineEntry[]) {
  const { start, acknowledged, resolved } = keyMoments(incident, entries);
  const since = (entry: TimelineEntry | undefined) =>
    entry && start !== undefined ? formatDuration(Date.parse(entry.at) - start) : 'not yet';
  return (
    `*Post-incident review draft of ${incident.id}* · ${severityLabel(incident.severity)} · ` +
    `time to acknowledge ${since(acknowledged)} · time to resolve ${since(resolved)} · ` +
    `${entries.length} timeline entries. Download it, fill in the blanks, share it.`
  );
}

/** https://acme.slack.com from a permalink of that workspace. */
function originOf(permalink: string | undefined) {
  if (!permalink) return undefined;
  try {
    return new URL(permalink).origin;
  } catch {
    return undefined;
  }
}

function reply(text: string): CommandReply {
  return { text, public: false };
}
