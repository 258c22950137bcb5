/**
 * The audit key and sink of this process (composition root). Production
 * (REDIS_URL set) refuses to start without a key; embedded mode makes up a
 * per-process key and says so. The sink copies every committed entry, as it
 * is committed, to an append-only JSON-lines file outside Redis.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { randomAuditKey, UNKEYED_OPT_OUT, type AuditKey } from '../audit/key.js';
import { AUDIT_KEY_HINT } from '../config/audit-env.js';
import type { MusterEnv } from '../config/env.js';
import type { TimelineEvent } from '../incidents/types.js';
import type { Logger } from '../logger.js';

export class AuditKeyMissingError extends Error {
  override readonly name = 'AuditKeyMissingError';
  constructor() {
    super(
      'Production mode (REDIS_URL is set) needs an audit key, so nobody who can write to Redis can rewrite the audit trail.\n' +
        `Hint: ${AUDIT_KEY_HINT}, then set MUSTER_AUDIT_KEY=<key> or MUSTER_AUDIT_KEY_FILE=/path/to/key. ` +
        `To run without one (edits by anyone with Redis access go undetected), set MUSTER_AUDIT_KEY=${UNKEYED_OPT_OUT}.`,
    );
  }
}

/** The key the core signs with: the configured one, or (embedded mode only) a random one. */
export function auditKeyFor(env: MusterEnv, logger: Logger): AuditKey {
  if (env.auditKey) {
    if (env.auditKey.kind === 'unkeyed') logger.warn({}, 'audit trail is UNKEYED (MUSTER_AUDIT_KEY opt-out): anyone who can write to Redis can rewrite it undetected');
    else logger.info({ fingerprint: env.auditKey.fingerprint }, 'audit key loaded');
    return env.auditKey;
  }
  if (env.redisUrl || env.redisSentinels) throw new AuditKeyMissingError();
  logger.info({}, 'audit key: none set, using a random key for this process (embedded mode keeps nothing after exit)');
  return randomAuditKey();
}

/** Appends each committed entry as one JSON line; a write error is logged, never thrown into a command. */
export class AuditSink {
  private readonly stream: WriteStream;
  private failed = false;

  constructor(readonly path: string, private readonly logger: Logger) {
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.stream.on('error', (error) => {
      if (!this.failed) logger.error({ sink: path, err: error.message }, 'audit sink: cannot append; entries are still in Redis, but no longer copied');
      this.failed = true;
    });
  }

  write(event: TimelineEvent): void {
    if (!this.failed) this.stream.write(`${JSON.stringify(event)}\n`);
  }

  /** Resolves once everything written so far has reached the file. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failed || this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
    });
  }
}
