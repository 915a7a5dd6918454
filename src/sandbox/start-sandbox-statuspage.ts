import {
  DEFAULT_API_KEY,
  DEFAULT_PAGE_ID,
  StatuspageStandIn,
} from '../../test/fakes/statuspage/statuspage-stand-in.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../core/ports.ts';

/**
 * Runs the project's Statuspage stand-in (the one the tests use) on loopback when the sandbox
 * has no status page of its own, and points the bot at it. Every Statuspage call is logged
 * (never its key).
 */
export async function startSandboxStatuspage(config: Config, logger: Logger): Promise<Config> {
  const standIn = await StatuspageStandIn.start({
    onCall: (call) =>
      logger.info({ method: call.method, path: call.path, status: call.status }, 'statuspage call'),
  });
  logger.info(
    { apiUrl: standIn.url, components: 'Checkout API, Payments, Search' },
    'local Statuspage stand-in listening',
  );
  const statuspage = {
    apiKey: DEFAULT_API_KEY,
    pageId: DEFAULT_PAGE_ID,
    apiUrl: standIn.url,
    mirrorStatus: true,
  };
  return { ...config, statuspage };
}
