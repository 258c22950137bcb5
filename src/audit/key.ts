import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The audit key: every timeline entry and every ledger entry is an
 * HMAC-SHA256 under it, so someone who can write to Redis but does not hold
 * the key cannot re-chain an edited entry. The secret stays inside this
 * object: it is never serialised, logged or written to the store.
 */
export interface AuditKey {
  /** How the key was obtained, for start-up logs and `audit verify` output (never the key itself). */
  readonly kind: 'configured' | 'random' | 'unkeyed';
  /** A short public fingerprint, so two installs can tell whether they hold the same key. */
  readonly fingerprint: string;
  /** HMAC-SHA256 of `text` under the key, hex. */
  mac(text: string): string;
}

/** What MUSTER_AUDIT_KEY is set to, to run without a secret key (anyone can then forge entries). */
export const UNKEYED_OPT_OUT = 'unkeyed-i-accept-the-risk';

/** The public "key" of an unkeyed install: a plain, well-known constant, so it protects nothing. */
const UNKEYED_SECRET = 'muster-unkeyed-audit-chain';

class HmacAuditKey implements AuditKey {
  readonly fingerprint: string;
  readonly #secret: Buffer;

  constructor(secret: Buffer, readonly kind: AuditKey['kind']) {
    this.#secret = Buffer.from(secret);
    this.fingerprint = createHash('sha256').update('muster-audit-key-fingerprint\n').update(secret).digest('hex').slice(0, 12);
  }

  mac(text: string): string {
    return createHmac('sha256', this.#secret).update(text).digest('hex');
  }

  /** Keeps the secret out of JSON logs and util.inspect. */
  toJSON(): Record<string, string> {
    return { kind: this.kind, fingerprint: this.fingerprint };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `AuditKey(${this.kind}, ${this.fingerprint})`;
  }
}

/** A key from its secret text: 64 hex digits are decoded, anything else is used as UTF-8 bytes. */
export function auditKeyFrom(secret: string): AuditKey {
  const bytes = /^[0-9a-fA-F]{64,}$/.test(secret) && secret.length % 2 === 0 ? Buffer.from(secret, 'hex') : Buffer.from(secret, 'utf8');
  return new HmacAuditKey(bytes, 'configured');
}

/** A key made up for this process only (embedded mode): its chains cannot be verified after exit. */
export function randomAuditKey(): AuditKey {
  return new HmacAuditKey(randomBytes(32), 'random');
}

/** The explicit opt-out: a chain under a public constant detects accidents, never a forger. */
export function unkeyedAuditKey(): AuditKey {
  return new HmacAuditKey(Buffer.from(UNKEYED_SECRET, 'utf8'), 'unkeyed');
}
