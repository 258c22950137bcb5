import { describe, expect, it } from 'vitest';
import { ConsoleSession } from '../../adapters/console/session.js';
import { harness, testConfig } from '../support/fixture.js';

describe('people missing from muster.yaml', () => {
  it('are shown by the name their chat gave, also in messages after that request, never as a raw id', async () => {
    const h = await harness();
    const as = (args: string, actorName: string | undefined, id: string) =>
      h.muster.dispatch({ name: 'incident', args, actor: 'slack:UOLGA', conversation: 'console:#general', requestId: id, ...(actorName ? { actorName } : {}) });
    await as('declare Checkout is failing sev=P3 service=checkout', 'Olga Outsider', 'r1');
    await h.outbox.idle();
    // a button click carries no name: the one seen before is used
    await as('resolve INC-1 rolled back', undefined, 'r2');
    await h.outbox.idle();
    const texts = h.chat.delivered.map((d) => d.message.text).join('\n');
    expect(texts).toContain('INC-1 resolved by Olga Outsider');
    expect(texts).not.toContain('slack:UOLGA');
  });

  it('a console name not in the config shows as typed, not as console:bob', async () => {
    const h = await harness();
    await h.say('bob', '/incident declare Checkout is failing sev=P3 service=checkout');
    await h.say('bob', '/incident resolve INC-1 fine again');
    const texts = h.chat.delivered.map((d) => d.message.text).join('\n');
    expect(texts).toContain('declared by bob');
    expect(texts).toContain('INC-1 resolved by bob');
    expect(texts).not.toContain('console:bob');
  });

  it('the console warns once about a name that is not in muster.yaml, with a guess', async () => {
    for (const [locale, expected] of [
      ['en', '! "alcie" is not in muster.yaml (did you mean "alice"?): they may declare and read, but are never paged and cannot acknowledge. People: alice, cara, cole, pete, pam, sam, sid, pia, pat, cody, cat, mona (and 1 more).'],
      ['zh-CN', '! “alcie”不在 muster.yaml 中（是否想输入“alice”？）：此人可以发起事件和查看，但不会被呼叫，也不能确认。'],
    ] as const) {
      const h = await harness(testConfig((raw) => { raw.locale = locale; }));
      const lines: string[] = [];
      const session = new ConsoleSession({ muster: h.muster, human: (line) => lines.push(line), settle: () => h.outbox.idle() });
      await session.runScript('alcie: /incident list\nalcie: /incident list\nalice: /incident list\n');
      const warnings = lines.filter((line) => line.startsWith('! '));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(expected);
    }
  });
});
