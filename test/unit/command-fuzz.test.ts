/**
 * 2,000 random command texts (random Unicode, control characters, RTL marks,
 * 10 KB texts, option floods, quotes) through the real grammar: every one gets
 * an answer a person can act on, never the internal-error reply.
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../support/fixture.js';
import { seeded } from '../support/seeded.js';
import { randomText } from '../support/fuzz-text.js';

describe('random command texts', () => {
  it('2,000 of them: none reaches "something went wrong"', async () => {
    const h = await harness();
    const random = seeded(2026);
    const internal: string[] = [];
    for (let i = 0; i < 2_000; i += 1) {
      const args = randomText(random);
      const reply = await h.muster.dispatch({ name: i % 5 === 0 ? 'oncall' : 'incident', args, actor: 'console:alice', conversation: 'console:#general', requestId: `fuzz-${i}` });
      if (/something went wrong/i.test(reply.message.text)) internal.push(JSON.stringify(args.slice(0, 120)));
    }
    expect(internal).toEqual([]);
  });
});
