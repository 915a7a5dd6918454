/**
 * The Slack Web API methods the stand-in implements, as pure functions of (args, workspace),
 * gathered from one module per method family. Argument names, error codes and response shapes
 * follow wire-formats.md §3.7 and §3.9 (docs.slack.dev/reference/methods/<method>). API errors
 * are HTTP 200 with ok:false.
 *
 * - web-api-args.ts: handler type, ApiFailure, argument readers, channel rules, cursors
 * - web-api-shapes.ts: messages and channels as the API shows them
 * - methods-chat.ts, methods-conversations.ts, methods-files.ts, methods-pins-bookmarks.ts,
 *   methods-users.ts (auth.test, users.*), methods-views.ts: the handlers
 */
import { CHAT_METHODS } from './methods-chat.ts';
import { CONVERSATIONS_METHODS } from './methods-conversations.ts';
import { FILES_METHODS } from './methods-files.ts';
import { PINS_BOOKMARKS_METHODS } from './methods-pins-bookmarks.ts';
import { USERS_METHODS } from './methods-users.ts';
import { VIEWS_METHODS } from './methods-views.ts';
import { ApiFailure, type ApiBody, type Args, type Handler } from './web-api-args.ts';
import type { Workspace } from './workspace.ts';

export type { ApiBody, Args } from './web-api-args.ts';
export { MAX_MESSAGE_TEXT } from './methods-chat.ts';

const HANDLERS: Record<string, Handler> = {
  ...USERS_METHODS,
  ...CHAT_METHODS,
  ...CONVERSATIONS_METHODS,
  ...PINS_BOOKMARKS_METHODS,
  ...VIEWS_METHODS,
  ...FILES_METHODS,
};

export function isKnownMethod(method: string): boolean {
  return Object.hasOwn(HANDLERS, method);
}

/** Runs a known method; returns the response body (ok true or false). */
export function callMethod(method: string, args: Args, workspace: Workspace): ApiBody {
  try {
    return HANDLERS[method]!(args, workspace);
  } catch (error) {
    if (error instanceof ApiFailure) return { ok: false, error: error.error, ...error.extra };
    throw error;
  }
}
