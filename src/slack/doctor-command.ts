import { doctorSlackText } from '../doctor/doctor-text.ts';
import { runDoctor } from '../doctor/run-doctor.ts';
import type { CommandContext } from './run-incident-command.ts';

/**
 * `/incident doctor`: the pre-flight checks against the services this bot is wired to (the
 * sandbox's stand-ins in the sandbox), as a private answer. Changes nothing.
 */
export async function doctorCommandText(ctx: CommandContext): Promise<string> {
  if (!ctx.gateway) return 'The doctor needs the Slack connection, which this bot has not got.';
  // A mention is answered in a thread everyone sees; the set-up is the admins' business.
  if (!ctx.triggerId) return 'Use `/incident doctor`: its answer is shown only to you.';
  const pagerduty = ctx.pagerduty;
  const results = await runDoctor({
    slack: ctx.gateway,
    alertsChannel: ctx.alertsChannel,
    pagerduty: {
      ...(pagerduty?.client ? { client: pagerduty.client } : {}),
      eventsApi: pagerduty?.events !== undefined,
    },
    ...(ctx.tickets?.jira ? { jira: ctx.tickets.jira } : {}),
    ...(ctx.tickets?.github ? { github: ctx.tickets.github } : {}),
    ...(ctx.statuspage ? { statuspage: ctx.statuspage.client } : {}),
    rules: ctx.rules ?? { file: undefined, rules: [], permissions: {} },
  });
  return doctorSlackText(results);
}
