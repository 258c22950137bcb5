/**
 * 2,000 random command texts (random Unicode, control characters, RTL marks,
 * 10 KB texts, option floods, quotes) through the real grammar: every one gets
 * an answer a person can act on, never the internal-error reply.
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../support/fixture.js';
import { seeded } from '../support/seeded.js';


const PIECES = ['declare', 'ack', 'resolve', 'update', 'sev', 'escalate', 'assign', 'snooze', 'playbook', 'INC-1', 'INC-99999999999', 'sev=P1', 'sev=', 'service=checkout', 'title=', '"', "'", '“', '\u202e', '\u200f', '\u0000', '\u0007', '\n', '\t', '<!channel>', '@everyone', '🔥', '👨‍👩‍👧‍👦', '中文标题', 'x=y', '=', '==', '\\', '*bold*', '`code`', '10m', '-5m'];

function randomText(random: () => number): string {
  const kind = random();
  if (kind < 0.05) return 'x'.repeat(10_000 + Math.floor(random() * 1000));
  if (kind < 0.1) return `declare t ${Array.from({ length: 300 }, (_, i) => `o${i}=v`).join(' ')}`;
  if (kind < 0.25) return Array.from({ length: 1 + Math.floor(random() * 40) }, () => String.fromCodePoint(Math.floor(random() * 0x2ffff))).join('');
  return Array.from({ length: 1 + Math.floor(random() * 12) }, () => PIECES[Math.floor(random() * PIECES.length)]!).join(random() < 0.8 ? ' ' : '');
}

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
