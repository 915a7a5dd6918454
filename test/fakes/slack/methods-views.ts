/**
 * views.* methods: modals opened with a trigger_id, and Home tabs
 * (wire-formats.md §3.5–3.7; docs.slack.dev/reference/methods/views.<method>).
 */
import { checkView } from './block-kit-rules.ts';
import { ApiFailure, stringArg, type ApiBody, type Args, type Handler } from './web-api-args.ts';
import type { Workspace } from './workspace.ts';
import type { StandInView } from './slack-stand-in.ts';

export const VIEWS_METHODS: Record<string, Handler> = {
  'views.open': openView,
  'views.update': updateView,
  'views.publish': publishView,
};

/** The sandbox app's ID, as sign.ts puts it in payloads. */
const APP_ID = 'A0FIREBRK';

/**
 * A trigger_id opens one modal, within ~3 s of being issued (wire-formats.md §3.5): never
 * issued → invalid_trigger_id, used → exchanged_trigger_id, too old → expired_trigger_id.
 * The trigger is spent only when the view is accepted.
 */
function openView(args: Args, workspace: Workspace): ApiBody {
  const trigger = workspace.findTrigger(stringArg(args.trigger_id));
  if (trigger === undefined) throw new ApiFailure('invalid_trigger_id');
  if (trigger.used) throw new ApiFailure('exchanged_trigger_id');
  if (Date.now() - trigger.issuedAt > workspace.rules.triggerTtlMs) {
    throw new ApiFailure('expired_trigger_id');
  }
  const view = readView(args.view, 'modal');

  trigger.used = true;
  const stored = workspace.addView({ type: 'modal', user: trigger.user, view });
  return { ok: true, view: toApiView(workspace, stored) };
}

/** Replaces an open view; a `hash` that is not the current one is a hash_conflict (docs). */
function updateView(args: Args, workspace: Workspace): ApiBody {
  const stored = workspace.findView(stringArg(args.view_id));
  if (stored === undefined) throw new ApiFailure('not_found');
  const hash = stringArg(args.hash);
  if (hash && hash !== stored.hash) throw new ApiFailure('hash_conflict');
  const view = readView(args.view, stored.type);

  workspace.replaceView(stored, view);
  return { ok: true, view: toApiView(workspace, stored) };
}

/** Sets a person's Home tab: `type: home`, at most 100 blocks (docs: views.publish). */
function publishView(args: Args, workspace: Workspace): ApiBody {
  const user = stringArg(args.user_id);
  if (user === undefined || !workspace.users.has(user)) throw new ApiFailure('user_not_found');
  const existing = workspace.homeView(user);
  const hash = stringArg(args.hash);
  if (hash && existing !== undefined && hash !== existing.hash) {
    throw new ApiFailure('hash_conflict');
  }
  const view = readView(args.view, 'home');

  const stored = existing
    ? workspace.replaceView(existing, view)
    : workspace.addView({ type: 'home', user, view });
  return { ok: true, view: toApiView(workspace, stored) };
}

/** The view JSON, or invalid_arguments naming the first problem, or view_too_large. */
function readView(value: unknown, surface: 'modal' | 'home'): Record<string, unknown> {
  const verdict = checkView(value, surface);
  if (!verdict.ok && verdict.error === 'view_too_large') throw new ApiFailure(verdict.error);
  if (!verdict.ok) {
    throw new ApiFailure(verdict.error, { response_metadata: { messages: verdict.messages } });
  }

  return value as Record<string, unknown>;
}

/** A view as views.open / update / publish answer it: what was sent plus Slack's own fields. */
function toApiView(workspace: Workspace, stored: StandInView): ApiBody {
  const { teamId, botId } = workspace.identity;
  return {
    callback_id: '',
    private_metadata: '',
    external_id: '',
    clear_on_close: false,
    notify_on_close: false,
    ...stored.view,
    id: stored.id,
    team_id: teamId,
    type: stored.type,
    state: { values: {} },
    hash: stored.hash,
    previous_view_id: null,
    root_view_id: stored.id,
    app_id: APP_ID,
    bot_id: botId,
  };
}
