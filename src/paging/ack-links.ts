/**
 * Signed, single-use acknowledge links and call tokens. A token binds one
 * person, one incident and the roles (each at its slot epoch) of one page; it
 * carries its expiry and a nonce, and is an HMAC-SHA256 over all of that with
 * a key from the environment (MUSTER_PAGING_KEY). Single use is recorded
 * through the store (OnceLedger): the nonce is claimed until the token would
 * have expired anyway. The token itself is a bearer secret: never log it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncidentStore } from '../ports.js';
import type { PageFence } from './port.js';

const VERSION = 'ma1';

export interface AckTokenClaims extends PageFence {
  /** Epoch ms after which the token is refused. */
  expiresAt: number;
  nonce: string;
}

export type AckTokenCheck = { ok: true; claims: AckTokenClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'used' };

/** Records that something happened once (a link used, a provider callback seen). */
export interface OnceLedger {
  /** True the first time `key` is claimed within `ttlMs`; false after. */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /** Gives a claim back (the ack it guarded failed to commit, so the link may be tried again). */
  release(key: string): Promise<void>;
}

/**
 * The ledger over the store's leases: each claim takes the lease
 * "once:<key>" with a fresh owner, so a second claim finds it held. Works
 * the same on the memory and the Redis store, across replicas.
 */
export function storeLedger(store: Pick<IncidentStore, 'acquireLease' | 'releaseLease'>): OnceLedger {
  const owners = new Map<string, string>();
  return {
    async claimOnce(key, ttlMs) {
      const owner = randomBytes(9).toString('base64url');
      const won = await store.acquireLease(`once:${key}`, owner, Math.max(1_000, ttlMs));
      if (won) owners.set(key, owner);
      return won;
    },
    async release(key) {
      const owner = owners.get(key);
      owners.delete(key);
      if (owner) await store.releaseLease(`once:${key}`, owner);
    },
  };
}

const encode = (claims: AckTokenClaims) =>
  Buffer.from(JSON.stringify([claims.incident, claims.person, claims.roles.map((r) => [r.role, r.epoch]), claims.expiresAt, claims.nonce])).toString('base64url');

function decode(body: string): AckTokenClaims | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 5) return undefined;
    const [incident, person, roles, expiresAt, nonce] = parsed as [unknown, unknown, unknown, unknown, unknown];
    if (typeof incident !== 'string' || typeof person !== 'string' || typeof expiresAt !== 'number' || typeof nonce !== 'string' || !Array.isArray(roles)) return undefined;
    const fenced = roles.map((r: unknown) => (Array.isArray(r) && typeof r[0] === 'string' && Number.isInteger(r[1]) ? { role: r[0] as string, epoch: r[1] as number } : undefined));
    if (fenced.some((r) => r === undefined) || fenced.length === 0) return undefined;
    return { incident, person, roles: fenced as AckTokenClaims['roles'], expiresAt, nonce };
  } catch {
    return undefined;
  }
}

const mac = (key: string, body: string) => createHmac('sha256', key).update(`${VERSION}.${body}`).digest('base64url');

export class AckTokens {
  constructor(
    private readonly key: string,
    private readonly ledger: OnceLedger,
    private readonly now: () => number,
  ) {
    if (key.length < 32) throw new Error('the acknowledge link key needs at least 32 characters');
  }

  /** A token for this page fence, valid for `ttlMs` (callers cap it at the page's own life). */
  issue(fence: PageFence, ttlMs: number): string {
    const claims: AckTokenClaims = { ...fence, expiresAt: this.now() + ttlMs, nonce: randomBytes(12).toString('base64url') };
    const body = encode(claims);
    return `${VERSION}.${body}.${mac(this.key, body)}`;
  }

  /** Checks signature and expiry without using the token up (the confirmation page). */
  inspect(token: string): AckTokenCheck {
    const [version, body, signature, extra] = token.split('.');
    if (version !== VERSION || !body || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(mac(this.key, body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'forged' };
    const claims = decode(body);
    if (!claims) return { ok: false, reason: 'malformed' };
    if (claims.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  /** Checks the token and uses it up: a second redeem of the same token says "used". */
  async redeem(token: string): Promise<AckTokenCheck> {
    const check = this.inspect(token);
    if (!check.ok) return check;
    const fresh = await this.ledger.claimOnce(`ack:${check.claims.nonce}`, check.claims.expiresAt - this.now() + 60_000);
    return fresh ? check : { ok: false, reason: 'used' };
  }

  /** Hands a redeemed token back when the acknowledgement it carried could not be recorded. */
  async giveBack(claims: AckTokenClaims): Promise<void> {
    await this.ledger.release(`ack:${claims.nonce}`);
  }
}
