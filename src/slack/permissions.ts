import type { Logger } from '../core/ports.ts';
import type { Permissions } from '../rules/rules-file.ts';
import type { SlackGateway } from './slack-gateway.ts';

export type GuardedAction = keyof Permissions;

const VERB: Record<GuardedAction, string> = {
  page: 'page people',
  statuspage: 'post to the status page',
  close: 'close incidents',
};

/**
 * Who may page, post to the status page and close incidents, as the rule file says: Slack users
 * (U…) and members of user groups (S…). An action the file does not name is everyone's.
 */
export class PermissionGuard {
  readonly #permissions: Permissions;
  readonly #gateway: SlackGateway;
  readonly #logger: Logger;

  constructor(permissions: Permissions, gateway: SlackGateway, logger: Logger) {
    this.#permissions = permissions;
    this.#gateway = gateway;
    this.#logger = logger;
  }

  /** Undefined when the user may; else the refusal to show them (logged here, once). */
  async refusal(action: GuardedAction, userId: string): Promise<string | undefined> {
    const allowed = this.#permissions[action];
    if (!allowed || allowed.includes(userId)) return undefined;
    const unread: string[] = [];
    for (const group of allowed.filter((id) => id.startsWith('S'))) {
      const members = await this.#gateway.usergroupMembers(group).catch((error: unknown) => {
        this.#logger.warn({ err: error, usergroup: group, action }, 'could not read a user group');
        unread.push(`<!subteam^${group}> (${error instanceof Error ? error.message : 'failed'})`);
        return [] as string[];
      });
      if (members.includes(userId)) return undefined;
    }
    this.#logger.warn({ action, user: userId }, 'action refused by permissions');
    const who = allowed
      .map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`))
      .join(', ');
    const unknown =
      unread.length > 0
        ? ` Slack did not tell me who is in ${unread.join(', ')}, so members of those groups ` +
          'cannot be recognised now (check the group ID and the usergroups:read scope).'
        : '';
    return (
      `You may not ${VERB[action]} here: firebreak.yml allows ${who}.${unknown} ` +
      'Ask one of them, or whoever runs the bot.'
    );
  }
}
