/**
 * A declare's pages are claimed in the declare's own write: their first
 * attempt goes straight to the chat, with no claim round trip of its own, and
 * nobody else can send them meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../support/fixture.js';

describe('send claims taken with the commit', () => {
  it('a declare pages everyone without a claimDelivery call for any page, and holds each page against other workers', async () => {
    const h = await harness();
    const claimed: string[] = [];
    const claimDelivery = h.store.claimDelivery.bind(h.store);
    h.store.claimDelivery = (id, owner, ttl, fence) => (claimed.push(id), claimDelivery(id, owner, ttl, fence));
    const holders: string[] = [];
    const send = h.chat.send.bind(h.chat);
    h.chat.send = async (to, message, options) => {
      // While the page is being sent, another worker's claim is refused.
      if (to.kind === 'person' && options?.id) holders.push(await claimDelivery(options.id, 'another-worker', 60_000));
      return send(to, message, options);
    };
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    for (const person of ['cara', 'pete', 'sam', 'pia', 'cody']) expect(h.chat.pagesTo(person)).toHaveLength(1);
    expect(claimed.filter((id) => /-page-(?!link)/.test(id))).toEqual([]);
    expect(holders.length).toBeGreaterThanOrEqual(5);
    expect(holders.every((claim) => claim === 'busy')).toBe(true);
    // Other messages (the room, notices) still claim for themselves.
    expect(claimed.length).toBeGreaterThan(0);
  });
});
