import { describe, expect, it } from 'vitest';
import { bullPrefix } from '../../adapters/bullmq/scheduler.js';
import { hashTag, hashTaggedPrefix } from '../../src/config/redis-keys.js';

describe('hash-tagged key prefixes (Redis Cluster)', () => {
  it('reads the hash tag as Redis Cluster does: the first {…} with something inside', () => {
    expect(hashTag('{muster}:incident:INC-1')).toBe('muster');
    expect(hashTag('prod:{muster}:x')).toBe('muster');
    expect(hashTag('{}:x{a}')).toBeUndefined();
    expect(hashTag('muster:incident:INC-1')).toBeUndefined();
    expect(hashTag('{muster')).toBeUndefined();
  });

  it('wraps an untagged prefix and keeps a tagged one', () => {
    expect(hashTaggedPrefix('muster:')).toBe('{muster}:');
    expect(hashTaggedPrefix('staging:muster:')).toBe('{staging:muster}:');
    expect(hashTaggedPrefix('{muster}:')).toBe('{muster}:');
    expect(hashTaggedPrefix('itest:{abc}:')).toBe('itest:{abc}:');
    expect(hashTaggedPrefix(hashTaggedPrefix('a:'))).toBe('{a}:');
    expect(hashTaggedPrefix('')).toBe('{muster}:');
  });

  it('gives BullMQ a tagged prefix, in the same slot as the store when the store prefix is tagged', () => {
    expect(bullPrefix('{muster}:bull')).toBe('{muster}:bull');
    expect(hashTag(`${bullPrefix('{muster}:bull')}:muster-timers:delayed`)).toBe('muster');
    expect(bullPrefix('muster:bull')).toBe('{muster:bull}');
    expect(bullPrefix('')).toBe('{bull}');
  });
});
