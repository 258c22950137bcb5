import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../../src/logger.js';

/**
 * Slack signs `v0:<timestamp>:<body>`; a signed request may be replayed only
 * while its timestamp is near now. Bolt's HTTPReceiver refuses timestamps more
 * than 5 minutes old but accepts any in the future, so a captured request
 * dated ahead would stay replayable. This check runs in front of Bolt and
 * refuses both directions; Bolt then checks the signature as before.
 */
export const MAX_SKEW_SECONDS = 5 * 60;

/** True when the header is a Unix time within MAX_SKEW_SECONDS of now; undefined when it is absent (Bolt decides). */
export function timestampIsFresh(header: string | string[] | undefined, nowMs: number): boolean | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || !/^\d{1,12}$/.test(header.trim())) return false;
  return Math.abs(Number(header) - Math.floor(nowMs / 1000)) <= MAX_SKEW_SECONDS;
}

/** Puts the freshness check in front of the receiver's own request listener (the one its server calls). */
export function refuseSkewedRequests(receiver: HTTPReceiver, logger: Logger, now: () => number = Date.now): void {
  const inner = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers['x-slack-request-timestamp'];
    if (timestampIsFresh(header, now()) === false) {
      logger.warn({ path: req.url, timestamp: String(header).slice(0, 20) }, 'slack: request refused, its timestamp is more than 5 minutes from now');
      req.resume();
      res.writeHead(401);
      res.end();
      return;
    }
    inner(req, res);
  };
}
