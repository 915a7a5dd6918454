/**
 * `npm run doctor`: checks the configuration `npm start` would use (the environment and `.env`)
 * against the real services, changing nothing. Prints one line per check with its fix; exits 0
 * when every check passed (or was skipped), 1 otherwise.
 */
import { ConfigError, loadConfig, readEnvironment } from '../src/config.ts';
import { doctorInput } from '../src/doctor/doctor-input.ts';
import { doctorTerminalText } from '../src/doctor/doctor-text.ts';
import { runDoctor } from '../src/doctor/run-doctor.ts';
import { createLogger } from '../src/logger.ts';

let config;
try {
  config = loadConfig(readEnvironment(), { isTty: false });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
  process.exit(1);
}

if (config.sandbox) {
  console.log(
    'The doctor checks the real services of a configured bot, and none is configured: ' +
      'SLACK_BOT_TOKEN is not set (sandbox mode). In a running sandbox bot, ' +
      '`npm run slash -- doctor` checks its local stand-ins.',
  );
  process.exit(0);
}

// The clients' own logs (debug calls, rate-limit warnings) would drown the answer.
const logger = createLogger({ level: 'silent', format: 'json' });
const results = await runDoctor(doctorInput(config, logger));
console.log(doctorTerminalText(results));
process.exit(results.some((result) => result.status === 'fail') ? 1 : 0);
