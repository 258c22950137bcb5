import { describe, expect, it } from 'vitest';
import { zhCN } from '../../src/i18n/zh-CN.js';
import { harness, testConfig } from '../support/fixture.js';

const MIN = 60_000;

describe('zh-CN wording', () => {
  it('one word for resolved (已解决) and declared (发起); the backup on-call is 副值班, not a data backup', () => {
    const values = Object.values(zhCN).join('\n');
    expect(values).not.toMatch(/已关闭|关闭了|宣布|备份值班/);
    expect(zhCN['status.resolved']).toBe('已解决');
    expect(zhCN['schedule.position.backup']).toBe('副值班');
  });

  it('an escalation to the backup says 副值班, with no English word in the sentence; the ack names the person first', async () => {
    const h = await harness(testConfig((raw) => { raw.locale = 'zh-CN'; }));
    await h.say('alice', '/incident declare 支付失败 sev=P3 service=checkout');
    await h.advance(5 * MIN);
    await h.say('pam', '/incident ack');
    const room = h.chat.delivered.filter((d) => d.to.kind === 'room' && d.to.conversation.startsWith('test:#inc-1')).map((d) => d.message.text);
    expect(room).toContain('tech：无人确认；正在呼叫 Pam Payments（副值班）。');
    expect(room.find((text) => text.includes('已就位'))).toBe('Pam Payments 已就位：tech（用时 5:00）。');
  });
});
