/**
 * The Slack stand-in in its own worker thread, so its work (parsing, Block Kit checks,
 * recording) is not charged to the bot's event loop, as real Slack's would not be.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SlackStandIn, type SlackStandInOptions } from '../test/fakes/slack/slack-stand-in.ts';

export type StandInRequest =
  | { type: 'counts' }
  | { type: 'calls' }
  | { type: 'topLevelMessages'; channel: string }
  | { type: 'close' };

const port = parentPort;
if (!port) throw new Error('stand-in-worker must run in a worker thread');

const slack = await SlackStandIn.start(workerData as SlackStandInOptions);
port.postMessage({ type: 'ready', url: slack.url });

port.on('message', (request: StandInRequest & { id: number }) => {
  const reply = (value: unknown) => port.postMessage({ type: 'reply', id: request.id, value });
  switch (request.type) {
    case 'counts': {
      // "method status" → calls, cheap enough to poll during a storm.
      const counts: Record<string, number> = {};
      for (const call of slack.calls) {
        const key = `${call.method} ${call.status}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      reply(counts);
      break;
    }
    case 'calls':
      reply(slack.calls);
      break;
    case 'topLevelMessages':
      reply(slack.topLevelMessages(request.channel));
      break;
    case 'close':
      void slack.close().then(() => reply(true));
      break;
  }
});
