import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

import { parseBody } from '../../sources/parse-result.ts';
import type { TicketEvent } from '../tickets/ticket-system.ts';

/**
 * Checks `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the raw body with the
 * hook's secret, compared in constant time. The legacy SHA-1 `X-Hub-Signature` is not used.
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
export function verifyGitHubSignature(header: string | undefined, raw: Buffer, secret: string) {
  if (!header || !secret) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match?.[1]) return false;

  const offered = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(offered, expected);
}

export type GitHubWebhookResult =
  { ok: true; events: TicketEvent[] } | { ok: false; field: string; message: string };

const user = z.object({ login: z.string().min(1), type: z.string().optional() });
const repository = z.object({ full_name: z.string().min(1) });
const issue = z.object({
  number: z.number().int().positive(),
  html_url: z.string().min(1),
  updated_at: z.string().optional(),
  pull_request: z.unknown().optional(),
});

/** The fields we read of `issues` events (wire-formats.md §2.2); the rest is tolerated. */
const issuesEvent = z.object({
  action: z.string(),
  issue,
  assignee: user.nullable().optional(),
  repository,
  sender: user,
});

const issueCommentEvent = z.object({
  action: z.string(),
  issue,
  comment: z.object({
    body: z.string(),
    html_url: z.string().min(1),
    created_at: z.string().optional(),
  }),
  repository,
  sender: user,
});

const withAction = z.object({ action: z.string() });
const STATUS_ACTIONS = new Map([
  ['closed', { status: 'closed', done: true }],
  ['reopened', { status: 'open', done: false }],
]);
const ASSIGN_ACTIONS = new Set(['assigned', 'unassigned']);

/**
 * Reads a GitHub webhook (`X-GitHub-Event`) into ticket events: `issues` closed, reopened,
 * assigned and unassigned, and `issue_comment` created on issues (not pull requests). `ping`
 * and other events or actions are fine and yield nothing; a malformed body names its field.
 */
export function parseGitHubWebhook(
  event: string | undefined,
  body: unknown,
  deliveryId: string,
): GitHubWebhookResult {
  if (event !== 'issues' && event !== 'issue_comment') return { ok: true, events: [] };
  const action = parseBody(withAction, body);
  if (!action.ok) return action;

  if (event === 'issue_comment') {
    if (action.data.action !== 'created') return { ok: true, events: [] };
    return commentEvents(body, deliveryId);
  }
  const name = action.data.action;
  if (!STATUS_ACTIONS.has(name) && !ASSIGN_ACTIONS.has(name)) return { ok: true, events: [] };
  return issuesEvents(body, deliveryId);
}

function issuesEvents(body: unknown, deliveryId: string): GitHubWebhookResult {
  const parsed = parseBody(issuesEvent, body);
  if (!parsed.ok) return parsed;
  const { action, issue, assignee } = parsed.data;
  const base = common(parsed.data, deliveryId, issue.html_url, issue.updated_at);

  const status = STATUS_ACTIONS.get(action);
  if (status) return { ok: true, events: [{ ...base, kind: 'status', ...status }] };
  if (!assignee) return { ok: false, field: 'assignee', message: 'is required' };
  const kind = action === 'assigned' ? 'assigned' : 'unassigned';
  return { ok: true, events: [{ ...base, kind, assignee: assignee.login }] };
}

function commentEvents(body: unknown, deliveryId: string): GitHubWebhookResult {
  const parsed = parseBody(issueCommentEvent, body);
  if (!parsed.ok) return parsed;
  const { issue, comment } = parsed.data;
  // issue_comment also fires for pull-request conversations; those are not our tickets.
  if (issue.pull_request !== undefined && issue.pull_request !== null) {
    return { ok: true, events: [] };
  }

  const base = common(parsed.data, deliveryId, comment.html_url, comment.created_at);
  return { ok: true, events: [{ ...base, kind: 'comment', text: comment.body }] };
}

function common(
  data: z.infer<typeof issuesEvent> | z.infer<typeof issueCommentEvent>,
  deliveryId: string,
  url: string,
  at: string | undefined,
): Omit<TicketEvent, 'kind'> {
  const { issue, repository, sender } = data;
  return {
    system: 'github',
    deliveryId,
    key: String(issue.number),
    container: repository.full_name,
    actor: { id: sender.login, name: sender.login, bot: sender.type === 'Bot' },
    url,
    ...(at ? { at } : {}),
  };
}
