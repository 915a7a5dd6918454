/**
 * `npm run slash -- [--in <channel ID>] [--as pat|sam|alex] <command…>`: types one `/incident`
 * command into a running bot as a sandbox user would, signed like Slack, and prints the reply.
 * Example: `npm run slash -- --in C0NEW00001 status identified bad deploy`.
 */
import { SANDBOX_USERS, slashCommand } from './sandbox-client.ts';

const args = process.argv.slice(2);
let channel: string | undefined;
let user = SANDBOX_USERS.pat;
while (args[0]?.startsWith('--')) {
  const [flag, value = ''] = args.splice(0, 2);
  if (flag === '--in') channel = value;
  else if (flag === '--as' && value in SANDBOX_USERS)
    user = SANDBOX_USERS[value as keyof typeof SANDBOX_USERS];
  else {
    console.error(`Unknown option ${flag} ${value}: use --in <channel ID> or --as pat|sam|alex`);
    process.exit(2);
  }
}
if (args.length === 0) {
  console.error('Usage: npm run slash -- [--in <channel ID>] [--as pat|sam|alex] <command…>');
  process.exit(2);
}
const reply = await slashCommand(args.join(' '), { ...(channel ? { channel } : {}), user }).catch(
  (error: unknown) => {
    console.error(`No bot answered (${String(error)}). Start it first with "npm start".`);
    process.exit(1);
  },
);
if (!reply) process.exit(1);
