import { createFirebreak } from './app.ts';
import { ConfigError, loadConfig, readEnvironment, type Config } from './config.ts';
import { createLogger } from './logger.ts';

async function main() {
  let config: Config;
  try {
    config = loadConfig(readEnvironment(), { isTty: process.stdout.isTTY });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
    process.exit(1);
  }

  if (config.sandbox) {
    console.log(
      'Firebreak is running in SANDBOX mode: SLACK_BOT_TOKEN is not set, so Slack is a local stand-in and every Slack call is logged.',
    );
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  if (config.sandbox) config = await withSandboxSlack(config, logger);
  if (config.sandbox && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    logger.warn(
      { host: config.host },
      'sandbox listens beyond this machine with a published signing secret',
    );
  }

  const firebreak = await createFirebreak(config, { logger });
  const port = await firebreak.listen(config.port, config.host);
  logger.info(
    { port, host: config.host, alertsChannel: config.alertsChannel, dataDir: config.dataDir },
    'firebreak is ready',
  );
  if (config.sandbox) {
    logger.info(
      { try: 'npm run demo', webhook: `http://127.0.0.1:${port}/webhooks/alertmanager` },
      'sandbox: send the sample alerts with "npm run demo" in another terminal',
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    firebreak.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Starts the local Slack stand-in and points the bot at it. */
async function withSandboxSlack(
  config: Config,
  logger: ReturnType<typeof createLogger>,
): Promise<Config> {
  const { startSandboxSlack } = await import('./sandbox/start-sandbox-slack.ts');
  const apiUrl = await startSandboxSlack(config, logger.child({ component: 'slack-sandbox' }));
  return { ...config, slack: { ...config.slack, apiUrl } };
}

main().catch((error: unknown) => {
  console.error('Firebreak could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
