import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../src/logger.js';

/**
 * Bolt's and the Web API's log lines go to our logger. Bolt logs whole
 * requests at debug level, so debug lines are dropped unless asked for.
 */
export function slackLogger(logger: Logger, debug = false): SlackLogger {
  let level = debug ? LogLevel.DEBUG : LogLevel.INFO;
  let name = 'slack';
  const text = (parts: unknown[]) => parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ');
  return {
    debug: (...parts) => {
      if (level === LogLevel.DEBUG) logger.debug({ component: name }, text(parts));
    },
    info: (...parts) => logger.info({ component: name }, text(parts)),
    warn: (...parts) => logger.warn({ component: name }, text(parts)),
    error: (...parts) => logger.error({ component: name }, text(parts)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next) => {
      name = next;
    },
  };
}
