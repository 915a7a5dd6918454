/**
 * Jira Cloud admin webhooks (wire-formats.md §2.3): the `X-Hub-Signature` check and the reading
 * of `jira:issue_updated` and `comment_created` into ticket events.
 * https://developer.atlassian.com/cloud/jira/platform/webhooks/
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

import { parseBody } from '../../sources/parse-result.ts';
import type { TicketEvent } from '../tickets/ticket-system.ts';
import { adfToText } from './jira-adf.ts';

/**
 * Checks `X-Hub-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body with the webhook's
 * secret, in constant time. Anything malformed (or no secret) is simply not valid.
 */
export function verifyJiraSignature(
  header: string | undefined,
  raw: Buffer,
  secret: string,
): boolean {
  if (!header || !secret) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (match === null) return false;
  const offered = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return offered.length === expected.length && timingSafeEqual(offered, expected);
}

const user = z
  .object({
    accountId: z.string().min(1),
    displayName: z.string().optional(),
    accountType: z.string().optional(),
  })
  .loose();

const changeItem = z
  .object({
    field: z.string(),
    fieldId: z.string().optional(),
    to: z.string().nullable().optional(),
    toString: z.string().nullable().optional(),
  })
  .loose();

const issue = z
  .object({
    key: z.string().min(1),
    self: z.string().optional(),
    fields: z
      .object({
        status: z
          .object({
            name: z.string().optional(),
            statusCategory: z.object({ key: z.string().optional() }).loose().optional(),
          })
          .loose()
          .nullable()
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

/** Only what the bot reads; Jira sends much more and adds fields without notice. */
const envelope = z
  .object({
    webhookEvent: z.string().min(1),
    timestamp: z.number().optional(),
    user: user.nullable().optional(),
    issue: issue.optional(),
    changelog: z
      .object({ items: z.array(changeItem) })
      .loose()
      .nullable()
      .optional(),
    comment: z.object({ body: z.unknown(), author: user.nullable().optional() }).loose().optional(),
  })
  .loose();

type Envelope = z.infer<typeof envelope>;
type Parsed = { ok: true; events: TicketEvent[] } | { ok: false; field: string; message: string };

/** Changes made with no user (Jira itself, a post-function) are told apart by this actor. */
const JIRA_ITSELF = { id: 'jira', name: 'Jira', bot: true };

/**
 * The ticket events in a Jira webhook body: status and assignee changes from
 * `jira:issue_updated`, comments from `comment_created`. The `comment` riding on an
 * `issue_updated` is ignored, since Jira sends `comment_created` for the same comment too. Other
 * events give no events; a body that is not an object or names no event is refused.
 */
export function parseJiraWebhook(body: unknown, deliveryId: string): Parsed {
  const parsed = parseBody(envelope, body);
  if (!parsed.ok) return parsed;
  const payload = parsed.data;

  const { webhookEvent, issue: target, comment } = payload;
  if (webhookEvent !== 'jira:issue_updated' && webhookEvent !== 'comment_created') {
    return { ok: true, events: [] };
  }
  if (target === undefined) return { ok: false, field: 'issue', message: 'is required' };
  const base = baseOf(payload, target, deliveryId);

  if (webhookEvent === 'comment_created') {
    if (comment === undefined) return { ok: false, field: 'comment', message: 'is required' };
    const text = typeof comment.body === 'string' ? comment.body : adfToText(comment.body);
    return {
      ok: true,
      events: [{ ...base, kind: 'comment', actor: actorOf(comment.author), text }],
    };
  }

  const actor = actorOf(payload.user);
  const events = (payload.changelog?.items ?? []).flatMap((item): TicketEvent[] => {
    const is = (name: string) => item.field === name || item.fieldId === name;
    if (is('status')) {
      const status = item.toString ?? '';
      return [{ ...base, kind: 'status', actor, status, done: isDone(target, status) }];
    }
    if (is('assignee')) {
      if (item.to == null) return [{ ...base, kind: 'unassigned', actor }];
      return [{ ...base, kind: 'assigned', actor, assignee: item.toString ?? item.to }];
    }
    return [];
  });
  return { ok: true, events };
}

function baseOf(payload: Envelope, target: z.infer<typeof issue>, deliveryId: string) {
  const url = browseUrl(target.self, target.key);
  const at = payload.timestamp === undefined ? undefined : new Date(payload.timestamp);
  return {
    system: 'jira' as const,
    deliveryId,
    key: target.key,
    container: target.key.replace(/-\d+$/, ''),
    ...(url !== undefined && { url }),
    ...(at !== undefined && !Number.isNaN(at.getTime()) && { at: at.toISOString() }),
  };
}

/** The state after the change: done only if the issue now sits in that status, category done. */
function isDone(target: z.infer<typeof issue>, status: string): boolean {
  const current = target.fields?.status;
  return current?.name === status && current.statusCategory?.key === 'done';
}

function actorOf(person: z.infer<typeof user> | null | undefined): TicketEvent['actor'] {
  if (!person) return JIRA_ITSELF;
  return {
    id: person.accountId,
    name: person.displayName ?? person.accountId,
    bot: person.accountType === 'app',
  };
}

/** `<site>/browse/KEY` from the issue's REST `self` link, keeping any context path. */
function browseUrl(self: string | undefined, key: string): string | undefined {
  if (self === undefined) return undefined;
  try {
    const url = new URL(self);
    const site = url.pathname.split('/rest/api/')[0] ?? '';
    return `${url.origin}${site.replace(/\/$/, '')}/browse/${encodeURIComponent(key)}`;
  } catch {
    return undefined;
  }
}
