import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { Presenter } from '../../src/notify/present.js';
import { harness, testConfig } from '../support/fixture.js';

describe('role names per locale', () => {
  const named = (locale: 'en' | 'zh-CN') => testConfig((raw) => {
    raw.locale = locale;
    raw.roles = { ...(raw.roles as Record<string, object>), tech: { fromService: true, name: 'Tech lead', names: { 'zh-CN': '技术负责人' } } };
  });

  it('the locale\'s name is used where it is given, else the name', async () => {
    expect(new Presenter(named('zh-CN')).roleName('tech')).toBe('技术负责人');
    expect(new Presenter(named('en')).roleName('tech')).toBe('Tech lead');
    const h = await harness(named('zh-CN'));
    await h.say('alice', '/incident declare 支付失败 sev=P3 service=checkout');
    await h.say('pete', '/incident ack');
    const room = h.chat.delivered.filter((d) => d.to.kind === 'room').map((d) => d.message.text);
    expect(room).toContain('Pete Payments 已就位：技术负责人（用时 0:00）。');
  });

  it('the shipped example names every role in Chinese', () => {
    const config = loadConfigFile('examples/muster.yaml');
    const zh = new Presenter({ ...config, locale: 'zh-CN' });
    expect(Object.keys(config.roles).map((role) => zh.roleName(role))).toEqual(['事件指挥', '技术负责人', '运维', '产品负责人', '客户沟通']);
  });
});
