/**
 * Every failure a user can cause has a stable code; adapters map codes to
 * ephemeral replies. Anything else is wrapped once as `internal` and answered
 * with a short apology carrying the request id.
 */
export type ErrorCode =
  | 'usage'
  | 'unknown_command'
  | 'not_found'
  | 'forbidden'
  | 'not_paged'
  | 'conflict'
  | 'degraded'
  | 'internal';

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra lines for the reply, e.g. the usage text. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/**
 * The store stopped answering while a write was in flight: it may or may not
 * have landed. The reply must say so, so nobody declares the same P1 twice.
 */
export class CommitOutcomeUnknownError extends Error {
  override readonly name = 'CommitOutcomeUnknownError';

  constructor(readonly incident: string) {
    super(`the write to ${incident} may or may not have been recorded`);
  }
}
