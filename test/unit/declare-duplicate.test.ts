import { describe, expect, it } from 'vitest';
import { harness, testConfig } from '../support/fixture.js';

const FIRST = '/incident declare Checkout is failing sev=P3 service=checkout';
const SECOND = '/incident declare Card payments time out sev=P3 service=checkout';

async function press(h: Awaited<ReturnType<typeof harness>>, person: string, command: string, id: string) {
  const [, name = '', args = ''] = /^\/(\w+)\s*(.*)$/s.exec(command) ?? [];
  const reply = await h.muster.dispatch({ name, args, actor: `console:${person}`, conversation: 'console:#general', requestId: id });
  await h.outbox.idle();
  return reply;
}

describe('a second declare on a service with an open incident', () => {
  it('pages nobody: it names the open incident and offers to join it or to declare anyway', async () => {
    const h = await harness();
    await h.say('alice', FIRST);
    const pagesBefore = h.chat.pagesTo('pete').length;
    const reply = await h.say('cara', SECOND);
    expect(reply.message.tone).toBe('warning');
    expect(reply.message.text).toBe(
      'checkout already has an open incident: INC-1 [P3] Checkout is failing (#inc-1-checkout-is-failing). Nothing was declared and nobody was paged. '
      + 'Join it with /incident join INC-1, or declare a separate incident anyway (the two are linked): add anyway=INC-1 to the declare.',
    );
    expect(reply.message.buttons?.map((b) => [b.label, b.command])).toEqual([
      ['Join INC-1', '/incident join INC-1'],
      ['Declare anyway', '/incident declare title="Card payments time out" sev=P3 service=checkout anyway=INC-1'],
    ]);
    expect(await h.store.get('INC-2')).toBeUndefined();
    expect(h.chat.pagesTo('pete')).toHaveLength(pagesBefore);

    // Join: cara is let into the open incident's war room
    const joined = await press(h, 'cara', reply.message.buttons![0]!.command, 'join-1');
    expect(joined.message.text).toBe('You are in #inc-1-checkout-is-failing, the war room of INC-1.');
    expect(h.chat.invites).toContainEqual({ room: 'test:#inc-1-checkout-is-failing', people: ['cara'] });
  });

  it('declaring anyway is explicit and links the two incidents on both timelines and in the first room', async () => {
    const h = await harness();
    await h.say('alice', FIRST);
    const warning = await h.say('cara', SECOND);
    const anyway = await press(h, 'cara', warning.message.buttons![1]!.command, 'anyway-1');
    expect(anyway.message.text).toMatch(/^INC-2 declared: Card payments time out\./);
    const declared = (await h.store.timeline('INC-2')).find((e) => e.type === 'incident.declared');
    expect(declared?.data).toMatchObject({ related: 'INC-1', service: 'checkout' });
    const linked = (await h.store.timeline('INC-1')).filter((e) => e.type === 'incident.linked');
    expect(linked.map((e) => e.data)).toEqual([{ related: 'INC-2', service: 'checkout' }]);
    const roomText = (room: string) => h.chat.delivered.filter((d) => d.to.kind === 'room' && d.to.conversation === room).map((d) => d.message.text);
    expect(roomText('test:#inc-1-checkout-is-failing')).toContain('INC-2 [P3] Card payments time out was declared on the same service by Cara Commander, beside this incident: #inc-2-card-payments-time-out.');
    expect(roomText('test:#inc-2-card-payments-time-out')).toContain('Declared beside INC-1, open on the same service.');
  });

  it('a resolved incident or another service does not stand in the way; anyway=yes skips the check', async () => {
    const h = await harness(testConfig((raw) => { (raw.services as Record<string, unknown>).search = { team: 'payments' }; }));
    await h.say('alice', FIRST);
    expect((await h.say('alice', '/incident declare Search is slow sev=P3 service=search')).message.text).toMatch(/^INC-2 declared/);
    expect((await h.say('alice', '/incident declare Checkout again sev=P3 service=checkout anyway=yes')).message.text).toMatch(/^INC-3 declared/);
    await h.say('alice', '/incident resolve INC-1 fixed');
    await h.say('alice', '/incident resolve INC-3 fixed');
    expect((await h.say('alice', SECOND)).message.text).toMatch(/^INC-4 declared/);
    expect((await h.say('alice', '/incident declare x sev=P3 service=checkout anyway=soon')).message.text).toContain('anyway= takes the open incidents to link');
  });

  it('says it in Chinese', async () => {
    const h = await harness(testConfig((raw) => { raw.locale = 'zh-CN'; }));
    await h.say('alice', FIRST);
    const reply = await h.say('cara', SECOND);
    expect(reply.message.text).toBe(
      'checkout 已有未解决的事件：INC-1 [P3] Checkout is failing（#inc-1-checkout-is-failing）。本次未发起事件，也没有呼叫任何人。'
      + '可运行 /incident join INC-1 加入该事件；如仍要另行发起（两个事件会互相关联），请在发起命令后加上 anyway=INC-1。',
    );
    expect(reply.message.buttons?.map((b) => b.label)).toEqual(['加入 INC-1', '仍要发起']);
  });
});
