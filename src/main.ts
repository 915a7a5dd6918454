import { createFirebreak } from './app.ts';
import {
  ConfigError,
  loadConfig,
  readEnvironment,
  SANDBOX_DEFAULTS,
  type Config,
} from './config.ts';
import type { Router } from 'express';
import type { SandboxConsole } from './sandbox/console/sandbox-console.ts';
import { createLogger } from './logger.ts';
import { SlackTokenRefusedError } from './slack/slack-connection.ts';
import { DataDirInUseError } from './store/data-dir-lock.ts';

async function main() {
  let config = loadConfig(readEnvironment(), { isTty: process.stdout.isTTY });

  if (config.sandbox) {
    console.log(
      'Firebreak is running in SANDBOX mode: SLACK_BOT_TOKEN is not set, ' +
        'so Slack is a local stand-in and every Slack call is logged.',
    );
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  let sandboxConsole: SandboxConsole | undefined;
  let routes: Router | undefined;
  if (config.sandbox) ({ config, sandboxConsole, routes } = await withSandboxSlack(config, logger));
  const pagerDutySandbox = await withSandboxPagerDuty(config, logger);
  if (pagerDutySandbox) config = pagerDutySandbox.config;
  const ticketSandbox = await withSandboxTickets(config, logger);
  if (ticketSandbox) config = ticketSandbox.config;
  config = await withSandboxStatuspage(config, logger);
  if (config.sandbox && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    logger.warn(
      { host: config.host },
      'sandbox listens beyond this machine with a published signing secret',
    );
  }

  process.on('unhandledRejection', (error) => {
    logger.error({ err: error }, 'unhandled rejection (the bot keeps running)');
  });

  const firebreak = await createFirebreak(config, { logger, ...(routes && { routes }) });
  const port = await firebreak.listen(config.port, config.host).catch(async (error: unknown) => {
    await firebreak.close().catch(() => undefined);
    throw startupProblem(error, config);
  });
  pagerDutySandbox?.subscribe(port);
  ticketSandbox?.subscribe(port);
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
  if (sandboxConsole) {
    logger.info(
      { open: `http://localhost:${port}/sandbox` },
      'sandbox console: a small Slack workspace in the browser, to fire alerts and click through',
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    sandboxConsole?.close();
    firebreak.close().then(
      () => {
        logger.info({}, 'stopped');
        setTimeout(() => process.exit(0), 100);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * Starts the local Slack stand-in, points the bot at it, and makes the sandbox console that
 * shows it in the browser, unless a real service's credentials are set: the console would let
 * anyone who reaches it page real people or write to a real tracker.
 */
async function withSandboxSlack(config: Config, logger: ReturnType<typeof createLogger>) {
  const { startSandboxSlack } = await import('./sandbox/start-sandbox-slack.ts');
  const { consoleOffRouter, consoleRefusal, createSandboxConsole } =
    await import('./sandbox/console/sandbox-console.ts');
  let observe: SandboxConsole['observe'] = () => undefined;
  const standIn = await startSandboxSlack(
    config,
    logger.child({ component: 'slack-sandbox' }),
    (call) => observe(call),
  );
  const sandboxed = { ...config, slack: { ...config.slack, apiUrl: standIn.url } };
  const real = consoleRefusal(config);
  if (real.length > 0) {
    logger.warn(
      { set: real },
      'sandbox console is off: real credentials are set (unset them to use it)',
    );
    return { config: sandboxed, sandboxConsole: undefined, routes: consoleOffRouter(real) };
  }
  const sandboxConsole = createSandboxConsole({
    standIn,
    signingSecret: config.slack.signingSecret ?? SANDBOX_DEFAULTS.signingSecret,
    alertToken: (source) => config.sourceTokens[source] ?? config.alertWebhookToken,
    logger: logger.child({ component: 'sandbox-console' }),
  });
  observe = sandboxConsole.observe;
  return { config: sandboxed, sandboxConsole, routes: sandboxConsole.router };
}

/** In the sandbox, without a PagerDuty of its own: the local PagerDuty stand-in. */
async function withSandboxPagerDuty(config: Config, logger: ReturnType<typeof createLogger>) {
  const own = config.pagerduty.token || config.pagerduty.routingKey;
  if (!config.sandbox || own) return undefined;
  const { startSandboxPagerDuty } = await import('./sandbox/start-sandbox-pagerduty.ts');
  return startSandboxPagerDuty(config, logger.child({ component: 'pagerduty-sandbox' }));
}

/** In the sandbox, without a Jira or GitHub of its own: their local stand-ins. */
async function withSandboxTickets(config: Config, logger: ReturnType<typeof createLogger>) {
  if (!config.sandbox || (config.jira && config.github)) return undefined;
  const { startSandboxTickets } = await import('./sandbox/start-sandbox-tickets.ts');
  return startSandboxTickets(config, logger.child({ component: 'tickets-sandbox' }));
}

/** In the sandbox, without a status page of its own: the local Statuspage stand-in. */
async function withSandboxStatuspage(config: Config, logger: ReturnType<typeof createLogger>) {
  if (!config.sandbox || config.statuspage) return config;
  const { startSandboxStatuspage } = await import('./sandbox/start-sandbox-statuspage.ts');
  return startSandboxStatuspage(config, logger.child({ component: 'statuspage-sandbox' }));
}

/** Start-up failures people can fix, as one line naming what to change. */
function startupProblem(error: unknown, config: Config) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError([
      `PORT ${config.port} is already in use on ${config.host}: ` +
        'stop the other process or set another PORT',
    ]);
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new ConfigError([`PORT ${config.port} on HOST ${config.host} cannot be used (${code})`]);
  }
  return error;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
  } else if (error instanceof SlackTokenRefusedError || error instanceof DataDirInUseError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error('Firebreak could not start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
