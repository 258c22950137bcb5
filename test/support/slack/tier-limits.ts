/**
 * Slack's documented Web API rate limits, for the fake: conversations.create
 * and conversations.invite are Tier 2 (about 20 a minute, with short bursts),
 * chat.postMessage about one message a second per channel (short bursts of
 * more allowed). A call over its limit is answered 429 with the Retry-After
 * (whole seconds) after which its bucket has a token again.
 * https://api.slack.com/docs/rate-limits
 */

interface Bucket {
  tokens: number;
  updatedAt: number;
}

interface Limit {
  /** Tokens a bucket holds (the burst). */
  burst: number;
  /** Tokens added per second. */
  perSecond: number;
}

const TIER_2: Limit = { burst: 20, perSecond: 20 / 60 };
const PER_CHANNEL_POST: Limit = { burst: 3, perSecond: 1 };

const LIMITS: Record<string, { limit: Limit; key: (args: Record<string, unknown>) => string }> = {
  'conversations.create': { limit: TIER_2, key: () => 'all' },
  'conversations.invite': { limit: TIER_2, key: () => 'all' },
  'chat.postMessage': { limit: PER_CHANNEL_POST, key: (args) => String(args.channel ?? '') },
};

export class TierLimits {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes a token for this call: undefined when allowed, else the Retry-After in seconds. */
  take(method: string, args: Record<string, unknown>): number | undefined {
    const rule = LIMITS[method];
    if (!rule) return undefined;
    const key = `${method} ${rule.key(args)}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: rule.limit.burst, updatedAt: now };
    bucket.tokens = Math.min(rule.limit.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rule.limit.perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rule.limit.perSecond));
  }
}
