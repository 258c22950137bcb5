import { describe, expect, it } from 'vitest';
import { harness, testConfig } from '../support/fixture.js';
import { actionHarness, actionsConfig } from './actions-support.js';

const P3 = '/incident declare Fraud spike sev=P3 service=checkout';

describe('reasons the README calls required are required', () => {
  it('deny without a reason records nothing and asks for the reason (a form for the Deny button)', async () => {
    const h = await actionHarness();
    await h.say('alice', '/incident declare Database down sev=P1 service=checkout');
    await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    const reply = await h.act('sid', 'deny', 'INC-1 REQ-1');
    expect(reply.message.text).toBe('Denying needs a reason, so the requester knows what to change: /incident deny INC-1 REQ-1 <reason>.');
    expect(reply.form).toMatchObject({ id: 'deny', command: '/incident deny INC-1 REQ-1', inputs: [{ name: 'reason' }] });
    expect(await h.ofType('action.denied')).toHaveLength(0);
    expect((await h.store.get('INC-1'))?.actions?.requests[0]?.status).toBe('pending');
    // the form's submission carries reason=…, and that is recorded
    expect((await h.act('sid', 'deny', 'INC-1 REQ-1 reason="wrong release"')).message.text).toBe('REQ-1 denied.');
    expect((await h.ofType('action.denied'))[0]?.data).toMatchObject({ reason: 'wrong release' });
  });

  it('deny without a reason, in Chinese', async () => {
    const h = await actionHarness({ config: actionsConfig((raw) => { raw.locale = 'zh-CN'; }) });
    await h.say('alice', '/incident declare Database down sev=P1 service=checkout');
    await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    const reply = await h.act('sid', 'deny', 'INC-1 REQ-1');
    expect(reply.message.text).toBe('拒绝需要填写原因，以便请求人知道该改什么：/incident deny INC-1 REQ-1 <原因>。');
  });

  it('escalate without a reason is a usage error naming the reason; nobody is paged', async () => {
    const h = await harness();
    await h.say('alice', P3);
    const reply = await h.say('alice', '/incident escalate INC-1 sre');
    expect(reply.message.text.split('\n')[0]).toBe('Escalating needs a reason, so sre knows why they are paged: /incident escalate INC-1 sre <reason>.');
    expect(h.chat.pagesTo('sam')).toHaveLength(0);
    expect((await h.store.get('INC-1'))?.slots.some((slot) => slot.role === 'expert-sre')).toBe(false);
    const zh = await harness(testConfig((raw) => { raw.locale = 'zh-CN'; }));
    await zh.say('alice', P3);
    expect((await zh.say('alice', '/incident escalate INC-1 sre')).message.text.split('\n')[0]).toBe('升级需要填写原因，让 sre 知道为什么被呼叫：/incident escalate INC-1 sre <原因>。');
  });
});
