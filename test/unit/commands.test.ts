import { describe, expect, it } from 'vitest';
import { splitOptions, tokenize } from '../../src/commands/tokenize.js';
import { parseIncidentCommand } from '../../src/commands/parse-incident.js';
import { formArgs } from '../../src/kernel/form-args.js';
import { translator } from '../../src/i18n/catalog.js';
import { roomName } from '../../src/incidents/service.js';
import { harness, testConfig } from '../support/fixture.js';

const ctx = { config: testConfig(), t: translator('en') };

describe('the /incident grammar', () => {
  it('keeps quoted words whole, and key=value options apart', () => {
    const { words, options } = splitOptions(tokenize('declare "a=b is broken" now SEV=p2 service=checkout'));
    expect(words).toEqual(['declare', 'a=b is broken', 'now']);
    expect(Object.fromEntries(options)).toEqual({ sev: 'p2', service: 'checkout' });
  });

  it('reads quoted option values, as a submitted form writes them', () => {
    const args = formArgs({ title: 'Card "3DS" fails', sev: 'P2', service: 'checkout', summary: "it's\nbad", empty: ' ' });
    expect(parseIncidentCommand(`declare ${args}`, ctx)).toEqual({
      action: 'declare', title: 'Card "3DS" fails', severity: 'P2', service: 'checkout', summary: "it's bad",
    });
  });

  it('offers the declare form when declare comes alone', async () => {
    expect(parseIncidentCommand('declare', ctx)).toEqual({ action: 'declareForm' });
    const h = await harness();
    const reply = await h.say('alice', '/incident declare');
    expect(reply.form?.inputs.map((input) => input.name)).toEqual(['title', 'sev', 'service', 'summary']);
    expect(reply.form?.inputs[1]?.options?.map((o) => o.value)).toEqual(['P1', 'P2', 'P3']);
    expect(reply.message.text).toContain('Usage');
  });

  it('parses each action', () => {
    expect(parseIncidentCommand('declare Checkout down sev=p2 service=checkout', ctx)).toEqual({
      action: 'declare', title: 'Checkout down', severity: 'P2', service: 'checkout',
    });
    expect(parseIncidentCommand('ack inc-7 ops', ctx)).toEqual({ action: 'ack', incident: 'INC-7', role: 'ops' });
    expect(parseIncidentCommand('ACK role=tech', ctx)).toEqual({ action: 'ack', role: 'tech' });
    expect(parseIncidentCommand('status', ctx)).toEqual({ action: 'status' });
    expect(parseIncidentCommand('resolve INC-3 rolled back', ctx)).toEqual({ action: 'resolve', incident: 'INC-3', note: 'rolled back' });
    expect(parseIncidentCommand('', ctx)).toEqual({ action: 'help' });
  });

  it('refuses unknown options and roles with the allowed list', () => {
    expect(() => parseIncidentCommand('declare X sev=P1 service=checkout team=sre', ctx)).toThrow(/Unknown option "team=".*sev=, severity=, service=/);
    expect(() => parseIncidentCommand('ack chef', ctx)).toThrow(/Unknown role "chef"/);
  });

  it('makes readable room names', () => {
    expect(roomName('INC-42', 'Checkout is FAILING!! <!channel> 💥')).toBe('inc-42-checkout-is-failing-channel');
    expect(roomName('INC-1', '   ')).toBe('inc-1');
  });
});

describe('locales', () => {
  it('speaks Simplified Chinese when configured', async () => {
    const h = await harness(testConfig((raw) => { raw.locale = 'zh-CN'; }));
    const reply = await h.say('alice', '/incident declare 结账失败 sev=P1 service=checkout');
    expect(reply.message.text).toContain('已发起 INC-1');
    const page = h.chat.pagesTo('pete')[0];
    expect(page?.message.buttons?.[0]?.label).toBe('确认');
    const usage = await h.say('alice', '/incident declare');
    expect(usage.message.text).toContain('用法');
  });

  it('shows times in the configured time zone', async () => {
    const h = await harness();
    const status = await h.say('alice', '/incident declare Clock sev=P3 service=checkout').then(() => h.say('alice', '/incident status INC-1'));
    // 09:00 UTC on 2 Nov 2026 is 10:00 in Berlin (CET)
    expect(status.message.text).toContain('at 10:00:00');
  });
});
