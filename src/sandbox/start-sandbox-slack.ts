import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SlackStandIn, type RecordedCall } from '../../test/fakes/slack/slack-stand-in.ts';
import { SANDBOX_DEFAULTS, type Config } from '../config.ts';
import type { Logger } from '../core/ports.ts';

/**
 * Runs the project's Slack Web API stand-in (the one the tests use) on loopback and logs each
 * call the bot makes, so a newcomer sees the whole flow without a Slack workspace. Files the bot
 * shares (the review draft) are saved under DATA_DIR/shared-files to be read.
 * `observe` hears each call too (the sandbox console). Returns the stand-in.
 */
export async function startSandboxSlack(
  config: Config,
  logger: Logger,
  observe: (call: RecordedCall) => void,
) {
  const filesDir = path.join(config.dataDir, 'shared-files');
  const standIn: SlackStandIn = await SlackStandIn.start({
    token: config.slack.botToken,
    channels: [{ id: config.alertsChannel, name: 'alerts', isMember: true }],
    // The stand-in forgets its channels on restart: new ones must not reuse the old IDs.
    channelIdPrefix: `C${Date.now().toString(36).slice(-5).toUpperCase()}`,
    // Each call is logged; the stand-in's own record of them need not grow for ever.
    keepCalls: 1000,
    onCall: (call) => {
      observe(call);
      if (call.method === 'files.completeUploadExternal' && call.response.ok === true)
        saveSharedFiles(standIn, filesDir, logger);
      const error = call.response.error;
      const text = typeof call.args.text === 'string' ? call.args.text.slice(0, 160) : undefined;
      const fields = {
        method: call.method,
        channel: call.args.channel,
        ts: call.response.ts ?? call.args.ts,
        thread: call.args.thread_ts,
        user: call.args.user,
        name: call.args.name,
        text,
      };
      if (call.response.ok === true) logger.info(fields, `slack ${call.method}`);
      else logger.warn({ ...fields, status: call.status, error }, 'slack call refused');
    },
  });
  logger.info({ apiUrl: standIn.url }, 'local Slack stand-in listening');
  if (config.alertWebhookToken === SANDBOX_DEFAULTS.alertWebhookToken) {
    logger.info(
      { token: undefined, header: `Authorization: Bearer ${SANDBOX_DEFAULTS.alertWebhookToken}` },
      'sandbox alert webhook token (sandbox only)',
    );
  }
  return standIn;
}

function saveSharedFiles(standIn: SlackStandIn, dir: string, logger: Logger) {
  mkdirSync(dir, { recursive: true });
  for (const file of standIn.files()) {
    const where = path.join(dir, path.basename(file.filename));
    writeFileSync(where, file.content);
    logger.info({ file: where }, 'sandbox: shared file saved');
  }
}
