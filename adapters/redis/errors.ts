/** Telling Redis connection problems apart from bugs and bad data, and keeping credentials out of messages. */

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection broken',
};

const CONNECTION_MESSAGES: Array<[RegExp, string]> = [
  [/Connection is closed/i, 'the connection is closed'],
  [/enableOfflineQueue/i, 'not connected (offline queue disabled)'],
  [/max retries per request|MaxRetriesPerRequest/i, 'gave up reconnecting'],
  [/Command timed out|connect ETIMEDOUT|Socket timeout/i, 'timed out'],
  [/Command aborted due to connection close/i, 'the connection closed mid-command'],
  [/^LOADING/, 'Redis is still loading its dataset'],
  [/^READONLY/, 'connected to a read-only replica'],
  [/^(NOAUTH|WRONGPASS)/, 'authentication failed (check the credentials in REDIS_URL)'],
];

/** What kind of connection problem `err` is, or undefined if it is not one. */
export function connectionProblem(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES[code]) return CONNECTION_CODES[code];
  if (err.name === 'MaxRetriesPerRequestError') return 'gave up reconnecting';
  for (const [pattern, problem] of CONNECTION_MESSAGES) {
    if (pattern.test(err.message)) return problem;
  }
  return undefined;
}

/** True for errors that mean "Redis cannot be reached", as opposed to a bug or bad data. */
export function isConnectionError(err: unknown): boolean {
  return connectionProblem(err) !== undefined;
}

/** Removes credentials from anything URL-shaped ("redis://user:secret@host" -> "redis://user:***@host"). */
export function redactCredentials(text: string): string {
  return text.replace(/(\/\/[^:@/\s]*):[^@/\s]*@/g, '$1:***@');
}

