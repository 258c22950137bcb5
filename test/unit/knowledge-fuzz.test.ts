/**
 * Random /kb and /incident learn texts (fields, quotes, control and RTL
 * characters, long texts, unknown people) through the real grammar: every one
 * gets an answer a person can act on, never the internal-error reply.
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../support/fixture.js';
import { seeded } from '../support/seeded.js';
const PIECES = ['learn', 'skip', 'search', 'show', 'edit', 'INC-1', 'INC-99999999999', 'rootCause=', 'rootcause="x y"', 'resolution=a;b', 'resolution=', 'module=m', 'faultType=f', 'prevention=', 'playbook=p', 'reason=', '"', "'", '\u202e', '\u0000', '\n', '🔥', '中文标题', 'x=y', '=', '\\', '*bold*', 'colour=blue', 'x'.repeat(600)];
describe('random knowledge commands', () => {
  it('1,500 of them: none reaches "something went wrong"', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P2 service=checkout');
    await h.say('cara', '/incident ack INC-1');
    await h.say('alice', '/incident resolve INC-1');
    const random = seeded(7);
    const internal: string[] = [];
    for (let i = 0; i < 1500; i += 1) {
      const kind = random();
      const args = kind < 0.05 ? 'x'.repeat(9000) : Array.from({ length: 1 + Math.floor(random() * 10) }, () => PIECES[Math.floor(random() * PIECES.length)]!).join(random() < 0.8 ? ' ' : '');
      const name = i % 2 === 0 ? 'kb' : 'incident';
      const full = name === 'incident' ? `learn ${args}` : args;
      const reply = await h.muster.dispatch({ name, args: full, actor: i % 3 === 0 ? 'console:zed' : 'console:cara', conversation: 'console:#general', requestId: `f-${i}` });
      if (/something went wrong/i.test(reply.message.text)) internal.push(`${name} ${JSON.stringify(full.slice(0, 100))}`);
    }
    expect(internal).toEqual([]);
  }, 120_000);
});
