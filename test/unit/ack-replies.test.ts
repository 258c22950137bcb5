import { describe, expect, it } from 'vitest';
import { harness, testConfig } from '../support/fixture.js';

/** Two services of one team: pete is the tech lead paged for both. */
const config = (locale: 'en' | 'zh-CN' = 'en') => testConfig((raw) => {
  raw.locale = locale;
  (raw.services as Record<string, unknown>).search = { team: 'payments' };
});

describe('an ack that changes nothing says what to do instead', () => {
  it('someone not paged is pointed at assign and escalate', async () => {
    const h = await harness(config());
    await h.say('alice', '/incident declare Checkout is failing sev=P3 service=checkout');
    const reply = await h.say('mona', '/incident ack INC-1');
    expect(reply.message.text).toBe(
      'You were not paged for any role in INC-1, so nothing changed. To take a role anyway, the commander or the declarer can run '
      + '/incident assign INC-1 <role> mona; to bring someone in, /incident escalate INC-1 <team|person> <reason>.',
    );
  });

  it('in Chinese, with no English words in the sentence', async () => {
    const h = await harness(config('zh-CN'));
    await h.say('alice', '/incident declare Checkout is failing sev=P3 service=checkout');
    const reply = await h.say('mona', '/incident ack INC-1');
    expect(reply.message.text).toContain('你没有被呼叫承担 INC-1 的任何角色，未做任何更改。');
    expect(reply.message.text).toContain('/incident assign INC-1 <角色> mona');
    expect(reply.message.text).toContain('/incident escalate INC-1 <团队|人员> <原因>');
    expect(reply.message.text).not.toContain('any role');
  });
});

describe('a bare ack from someone paged in several incidents', () => {
  it('lists their open pages with a button each, and a button acknowledges that one only', async () => {
    const h = await harness(config());
    await h.say('alice', '/incident declare Checkout is failing sev=P3 service=checkout');
    await h.say('alice', '/incident declare Search is slow sev=P3 service=search');
    const reply = await h.say('pete', '/incident ack');
    expect(reply.message.title).toBe('Your open pages');
    expect(reply.message.text).toBe('You are being paged in more than one incident: pick the one you are acknowledging.');
    expect(reply.message.fields).toEqual([
      { label: 'INC-1 [P3]', value: 'Checkout is failing · tech' },
      { label: 'INC-2 [P3]', value: 'Search is slow · tech' },
    ]);
    expect(reply.message.buttons?.map((b) => [b.label, b.command])).toEqual([
      ['Acknowledge INC-1 (tech)', '/incident ack INC-1'],
      ['Acknowledge INC-2 (tech)', '/incident ack INC-2'],
    ]);
    expect((await h.store.get('INC-1'))?.slots[0]?.state).toBe('paging');
    const [, second] = reply.message.buttons ?? [];
    const [, name = '', args = ''] = /^\/(\w+)\s*(.*)$/.exec(second!.command) ?? [];
    await h.muster.dispatch({ name, args, actor: 'console:pete', conversation: 'console:#general', requestId: 'button-1' });
    expect((await h.store.get('INC-2'))?.slots[0]?.state).toBe('acked');
    expect((await h.store.get('INC-1'))?.slots[0]?.state).toBe('paging');
    // with one page left, a bare ack takes it
    expect((await h.say('pete', '/incident ack')).message.text).toBe('Thanks, Pete Payments: you hold tech for INC-1.');
  });
});
