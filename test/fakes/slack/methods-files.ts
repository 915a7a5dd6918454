/**
 * Slack's external file upload, in three steps (docs.slack.dev/messaging/working-with-files#upload):
 * files.getUploadURLExternal announces a file and hands out an upload URL and file id; the
 * bytes are POSTed to that URL (the stand-in's own `/upload/<file_id>` route, see
 * slack-stand-in.ts); files.completeUploadExternal finishes the files and, given `channel_id`,
 * shares them there with a message from the bot.
 */
import {
  ApiFailure,
  invalidArguments,
  isTopLevel,
  nowSeconds,
  requireChannel,
  stringArg,
  type ApiBody,
  type Args,
  type Handler,
} from './web-api-args.ts';
import type { UploadState, Workspace } from './workspace.ts';

export const FILES_METHODS: Record<string, Handler> = {
  'files.getUploadURLExternal': getUploadUrlExternal,
  'files.completeUploadExternal': completeUploadExternal,
};

/** Screen-reader text longer than this is alt_txt_too_large (docs: files.getUploadURLExternal). */
const MAX_ALT_TXT = 1000;

/** `channel_id` must look like a conversation ID (Slack's own check, slackapi/bolt-js #2115). */
const CHANNEL_ID_PATTERN = /^[CGDZ][A-Z0-9]{8,}$/;

/** File permalinks use the reserved .invalid TLD, as message permalinks do. */
const FILES_BASE = 'https://sandbox.slack.invalid/files';

/**
 * `filename` and `length` (bytes, an integer) are required: missing or malformed →
 * invalid_arguments; a length of 0 → missing_argument, as documented. `alt_txt` (the SDK
 * sends `alt_text`) is at most 1000 characters.
 */
function getUploadUrlExternal(args: Args, workspace: Workspace): ApiBody {
  const filename = stringArg(args.filename);
  if (!filename) throw invalidArguments('[ERROR] missing required field: filename');
  const length = readLength(args.length);
  const altTxt = stringArg(args.alt_txt ?? args.alt_text) || undefined;
  if (altTxt !== undefined && [...altTxt].length > MAX_ALT_TXT) {
    throw new ApiFailure('alt_txt_too_large');
  }
  const snippetType = stringArg(args.snippet_type) || undefined;

  const upload = workspace.addUpload({
    filename,
    length,
    ...(altTxt !== undefined && { altTxt }),
    ...(snippetType !== undefined && { snippetType }),
  });
  return { ok: true, upload_url: workspace.uploadUrlBase + upload.id, file_id: upload.id };
}

function readLength(value: unknown): number {
  const text = stringArg(value)?.trim();
  if (!text) throw invalidArguments('[ERROR] missing required field: length');
  if (!/^\d+$/.test(text)) {
    throw invalidArguments('[ERROR] must be a non-negative integer [json-pointer:/length]');
  }
  const length = Number(text);
  if (length === 0) throw new ApiFailure('missing_argument');
  return length;
}

/**
 * Finishes announced files whose bytes arrived, all or none: an unknown (or already finished)
 * id → file_not_found; bytes missing or not `length` long → invalid_arguments. With
 * `channel_id`, the bot must be able to post there (channel_not_found, not_in_channel,
 * is_archived), and `thread_ts` must be a top-level message of it (thread_not_found).
 */
function completeUploadExternal(args: Args, workspace: Workspace): ApiBody {
  const requested = readFileList(args.files);
  const uploads = requested.map(({ id }) => {
    const upload = workspace.uploads.get(id);
    if (upload === undefined || upload.completed) throw new ApiFailure('file_not_found');
    return upload;
  });
  uploads.forEach(checkUploadedBytes);
  const { channel, threadTs } = readDestination(args, workspace);

  uploads.forEach((upload, index) => {
    upload.completed = true;
    upload.title = requested[index]!.title ?? upload.filename;
    if (channel !== undefined) upload.channel = channel;
    if (threadTs !== undefined) upload.threadTs = threadTs;
  });
  if (channel !== undefined) {
    const comment = stringArg(args.initial_comment) || undefined;
    workspace.addMessage({
      channel,
      ts: workspace.nextTs(),
      ...(threadTs !== undefined && { threadTs }),
      ...(comment !== undefined && { text: comment }),
      files: uploads.map((upload) => ({
        id: upload.id,
        name: upload.filename,
        title: upload.title!,
      })),
      user: workspace.identity.botUserId,
      botId: workspace.identity.botId,
      edited: 0,
    });
  }

  return { ok: true, files: uploads.map((upload) => toApiFile(workspace, upload)) };
}

/** `files`: an array of `{ id, title? }`, or that array as a JSON string (form bodies). */
function readFileList(value: unknown): { id: string; title?: string }[] {
  if (value === undefined || value === '') {
    throw invalidArguments('[ERROR] missing required field: files');
  }
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      throw invalidArguments('[ERROR] files must be a JSON array [json-pointer:/files]');
    }
  }
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidArguments('[ERROR] must provide at least 1 item [json-pointer:/files]');
  }

  return list.map((entry: unknown, index) => {
    const { id, title } = (typeof entry === 'object' && entry !== null ? entry : {}) as Args;
    if (typeof id !== 'string' || id === '') {
      throw invalidArguments(`[ERROR] missing required field: id [json-pointer:/files/${index}]`);
    }
    const named = stringArg(title) || undefined;
    return { id, ...(named !== undefined && { title: named }) };
  });
}

/** Slack documents no code for this; the stand-in answers invalid_arguments, loudly. */
function checkUploadedBytes(upload: UploadState): void {
  if (upload.content === undefined) {
    throw invalidArguments(`[ERROR] nothing was uploaded for file ${upload.id}`);
  }
  if (upload.content.length !== upload.length) {
    const sizes = `${upload.content.length} bytes uploaded, ${upload.length} announced`;
    throw invalidArguments(`[ERROR] file ${upload.id}: ${sizes}`);
  }
}

function readDestination(
  args: Args,
  workspace: Workspace,
): { channel: string | undefined; threadTs: string | undefined } {
  if (stringArg(args.channels)) {
    throw invalidArguments('[ERROR] the stand-in shares files with channel_id only, not channels');
  }
  const channelId = stringArg(args.channel_id) || undefined;
  const threadTs = stringArg(args.thread_ts) || undefined;
  if (channelId === undefined) {
    if (threadTs !== undefined) throw invalidArguments('[ERROR] thread_ts needs a channel_id');
    return { channel: undefined, threadTs: undefined };
  }
  if (!CHANNEL_ID_PATTERN.test(channelId)) {
    const rule = `input must match regex pattern: ${CHANNEL_ID_PATTERN.source}`;
    throw invalidArguments(`[ERROR] ${rule} [json-pointer:/channel_id]`);
  }

  const channel = requireChannel(workspace, channelId, 'write');
  if (threadTs !== undefined && !isTopLevel(workspace.findMessage(channel.id, threadTs))) {
    throw new ApiFailure('thread_not_found');
  }
  return { channel: channel.id, threadTs };
}

/** The file object, in part (docs.slack.dev/reference/objects/file-object). */
function toApiFile(workspace: Workspace, upload: UploadState): ApiBody {
  const { botUserId } = workspace.identity;
  const path = `${botUserId}/${upload.id}/${encodeURIComponent(upload.filename)}`;
  return {
    id: upload.id,
    created: nowSeconds(),
    name: upload.filename,
    title: upload.title,
    user: botUserId,
    size: upload.length,
    ...(upload.altTxt !== undefined && { alt_txt: upload.altTxt }),
    permalink: `${FILES_BASE}/${path}`,
  };
}
