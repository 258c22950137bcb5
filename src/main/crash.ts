/**
 * A long-running bot must not limp on after a promise nobody handled: its
 * state is unknown. It logs one line (pino JSON, no stack noise on stdout)
 * and exits non-zero, so a supervisor (systemd, Docker, Kubernetes) restarts
 * it; Redis holds the truth and the reconciler picks up where it stopped.
 */
import type { Logger } from '../logger.js';

/** The exit status after an unhandled rejection (EX_SOFTWARE: an internal error). */
export const UNHANDLED_REJECTION_EXIT = 70;

export function exitOnUnhandledRejection(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const listener = (reason: unknown) => {
    const err = reason instanceof Error ? { message: reason.message, name: reason.name, stack: reason.stack } : { message: String(reason) };
    logger.error({ err }, 'unhandled promise rejection: exiting so the supervisor restarts the bot');
    exit(UNHANDLED_REJECTION_EXIT);
  };
  process.on('unhandledRejection', listener);
  return () => process.off('unhandledRejection', listener);
}
