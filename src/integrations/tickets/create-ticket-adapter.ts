import type { Express } from 'express';
import type { GitHubConfig, JiraConfig } from '../../config.ts';
import type { IncidentService } from '../../core/incident-service.ts';
import type { Logger, StoredDocument } from '../../core/ports.ts';
import type { Health } from '../../health.ts';
import { signedWebhookRoute } from '../../http/signed-webhook-route.ts';
import { OutboundError } from '../../outbound/outbound-error.ts';
import type { OutboundQueue } from '../../outbound/outbound-queue.ts';
import { SeenDeliveries, type SeenDocument } from '../../store/seen-deliveries.ts';
import { GitHubClient } from '../github/github-client.ts';
import { parseGitHubWebhook, verifyGitHubSignature } from '../github/github-webhook.ts';
import { JiraClient } from '../jira/jira-client.ts';
import { parseJiraWebhook, verifyJiraSignature } from '../jira/jira-webhook.ts';
import { TicketDesk } from './ticket-desk.ts';
import { TicketInbound } from './ticket-inbound.ts';
import type { TicketEvent, TicketSystem, TicketSystemName } from './ticket-system.ts';

/** Jira retries failed deliveries for a while; GitHub redeliveries are by hand within 3 days. */
const DELIVERY_MEMORY_MS = 3 * 24 * 60 * 60 * 1000;
/** GitHub caps payloads at 25 MB; an issue event is far smaller. Jira's are small too. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface TicketAdapterOptions {
  jira: JiraConfig | undefined;
  github: GitHubConfig | undefined;
  http: Express;
  incidents: IncidentService;
  queue: OutboundQueue;
  health: Health;
  logger: Logger;
  seenDocument: StoredDocument<SeenDocument>;
  /** Least wait after a GitHub secondary rate limit without Retry-After; tests shorten it. */
  gitHubSecondaryWaitMs?: number;
  /** Extra wait per write GitHub holds back during one block; tests shorten it. */
  gitHubWriteStaggerMs?: number;
}

/**
 * Jira and GitHub tickets, both ways: the clients and the desk that opens, comments and
 * closes tickets (out), and `POST /webhooks/jira` and `/webhooks/github` (in). Each system is
 * on only when it is configured; its webhook route only with its secret.
 */
export function createTicketAdapter(options: TicketAdapterOptions) {
  const { incidents } = options;
  const logger = options.logger.child({ component: 'tickets' });
  const jira = options.jira
    ? new JiraClient({
        baseUrl: options.jira.baseUrl,
        email: options.jira.email,
        apiToken: options.jira.apiToken,
        projectKey: options.jira.projectKey,
        issueType: options.jira.issueType,
        resolveTransitions: options.jira.resolveTransitions,
        priorities: options.jira.priorities,
        logger: logger.child({ system: 'jira' }),
      })
    : undefined;
  const github = options.github
    ? new GitHubClient({
        apiUrl: options.github.apiUrl,
        token: options.github.token,
        repository: options.github.repository,
        logger: logger.child({ system: 'github' }),
        ...(options.gitHubSecondaryWaitMs === undefined
          ? {}
          : { secondaryWaitMs: options.gitHubSecondaryWaitMs }),
        ...(options.gitHubWriteStaggerMs === undefined
          ? {}
          : { writeStaggerMs: options.gitHubWriteStaggerMs }),
      })
    : undefined;
  const systems: TicketSystem[] = [...(jira ? [jira] : []), ...(github ? [github] : [])];
  const closeOnResolve = new Set<TicketSystemName>(jira ? ['jira'] : []);
  if (options.github?.closeOnResolve) closeOnResolve.add('github');
  const desk = new TicketDesk({
    incidents,
    queue: options.queue,
    systems,
    logger,
    closeOnResolve,
  });

  const identity = new BotIdentity(logger, options.health, {
    ...(jira ? { jira: async () => (await jira.myself()).accountId } : {}),
    ...(github ? { github: () => github.login() } : {}),
  });
  const inbound = new TicketInbound({
    incidents,
    desk,
    seen: new SeenDeliveries(options.seenDocument, DELIVERY_MEMORY_MS),
    logger,
    botIdentity: (system) => identity.of(system),
  });
  const route = (
    system: TicketSystemName,
    header: string,
    secret: string,
    verify: (header: string | undefined, raw: Buffer, secret: string) => boolean,
    read: (
      body: unknown,
      req: { get(name: string): string | undefined },
    ) => ReturnType<typeof parseJiraWebhook>,
    deliveryHeader: string,
  ) =>
    signedWebhookRoute<{ deliveryId: string; events: TicketEvent[] }>({
      path: `/webhooks/${system}`,
      maxBytes: MAX_BODY_BYTES,
      verify: (req, raw) =>
        verify(req.get(header), raw, secret)
          ? { ok: true }
          : {
              ok: false,
              message: `${header} does not match ${system.toUpperCase()}_WEBHOOK_SECRET`,
            },
      parse: (body, req) => {
        const parsed = read(body, req);
        const deliveryId = req.get(deliveryHeader) ?? '';
        return parsed.ok ? { ok: true, value: { deliveryId, events: parsed.events } } : parsed;
      },
      apply: async ({ deliveryId, events }) => {
        const outcome = await inbound.handle(system, deliveryId, events);
        logger.info({ system, delivery: deliveryId, events: events.length, outcome }, 'webhook');
        return outcome;
      },
      health: options.health,
      logger: options.logger,
    });
  if (options.jira?.webhookSecret) {
    options.http.use(
      route(
        'jira',
        'X-Hub-Signature',
        options.jira.webhookSecret,
        verifyJiraSignature,
        (body, req) => parseJiraWebhook(body, req.get('x-atlassian-webhook-identifier') ?? ''),
        'x-atlassian-webhook-identifier',
      ),
    );
  }
  if (options.github?.webhookSecret) {
    options.http.use(
      route(
        'github',
        'X-Hub-Signature-256',
        options.github.webhookSecret,
        verifyGitHubSignature,
        (body, req) =>
          parseGitHubWebhook(req.get('x-github-event'), body, req.get('x-github-delivery') ?? ''),
        'x-github-delivery',
      ),
    );
  }

  return {
    desk,
    jira,
    github,
    /** Open Jira issues of a service, by JIRA_CONTEXT_JQL. */
    async openIssuesFor(service: string, limit: number) {
      if (!jira || !options.jira) return [];
      // A label has no spaces; inside the template's quotes only " and \ need escaping.
      const value = service.replace(/\s+/g, '-').replace(/["\\]/g, (c) => `\\${c}`);
      const jql = options.jira.contextJql
        .replaceAll('{project}', options.jira.projectKey)
        .replaceAll('{service}', value);
      return jira.searchOpen(jql, limit);
    },
    /** Learns the bot's own accounts, so its own changes coming back are echoes. */
    async start() {
      await Promise.all([identity.of('jira'), identity.of('github')]);
    },
    stop() {
      identity.stop();
    },
  };
}

export type TicketAdapter = ReturnType<typeof createTicketAdapter>;

/** Looked up again at most this often while a system does not say who the bot is. */
const IDENTITY_RETRY_MS = 30_000;

/**
 * Who the bot is in each system (Jira accountId, GitHub login), so its own changes coming back
 * are echoes. Looked up at start; a failed lookup is tried again when a webhook needs it.
 */
class BotIdentity {
  readonly #known: Partial<Record<TicketSystemName, string>> = {};
  readonly #triedAt: Partial<Record<TicketSystemName, number>> = {};
  readonly #logger: Logger;
  readonly #health: Health;
  readonly #lookups: Partial<Record<TicketSystemName, () => Promise<string>>>;
  readonly #timers: Partial<Record<TicketSystemName, NodeJS.Timeout>> = {};
  #stopped = false;

  constructor(
    logger: Logger,
    health: Health,
    lookups: Partial<Record<TicketSystemName, () => Promise<string>>>,
  ) {
    this.#logger = logger;
    this.#health = health;
    this.#lookups = lookups;
  }

  stop() {
    this.#stopped = true;
    for (const timer of Object.values(this.#timers)) clearTimeout(timer);
  }

  async of(system: TicketSystemName) {
    const lookup = this.#lookups[system];
    const tried = this.#triedAt[system];
    if (this.#known[system] || !lookup) return this.#known[system];
    if (tried !== undefined && Date.now() - tried < IDENTITY_RETRY_MS) return undefined;
    this.#triedAt[system] = Date.now();
    try {
      this.#known[system] = await lookup();
      this.#health.clear(system);
    } catch (error) {
      // Refused credentials, or no answer, will fail every ticket too: say so where operators
      // look, and try again on a timer until it answers.
      const what = error instanceof OutboundError ? error.message : String(error);
      this.#health.report(system, `cannot use ${system === 'jira' ? 'Jira' : 'GitHub'}: ${what}`);
      if (!this.#stopped) {
        clearTimeout(this.#timers[system]);
        this.#timers[system] = setTimeout(() => void this.of(system), IDENTITY_RETRY_MS);
        this.#timers[system].unref();
      }
      this.#logger.warn(
        { err: error, system },
        'cannot reach this ticket system or it refused the credentials; trying again every 30 s',
      );
    }
    return this.#known[system];
  }
}
