import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { icuMessages, translator, type Locale } from '../../src/i18n/catalog.js';
import { en } from '../../src/i18n/en.js';
import { zhCN } from '../../src/i18n/zh-CN.js';

/** The names a message needs: {name} and the ICU argument names ({count, plural, …}). */
function argumentNames(text: string): string[] {
  // A plural's branch ("one {it}") is text, not an argument.
  return [...new Set([...text.matchAll(/(?<!\b(?:one|other|few|many|zero|two)\s*)\{\s*(\w+)\s*[,}]/g)].map((match) => match[1] as string))].sort();
}

describe('counts read right (ICU message format)', () => {
  it('every ICU message of both catalogues compiles', () => {
    for (const locale of ['en', 'zh-CN'] as Locale[]) {
      for (const { key, text } of icuMessages(locale)) expect(() => new IntlMessageFormat(text, locale, undefined, { ignoreTag: true }), key).not.toThrow();
    }
    expect(icuMessages('en').length).toBeGreaterThan(5);
  });

  it('one and many in English; the same counts in Chinese, which has no plural forms', () => {
    const t = translator('en');
    const declared = (count: number) => t('reply.declared', { id: 'INC-7', title: 'Checkout', room: '#inc-7', count });
    expect(declared(1)).toBe('INC-7 declared: Checkout. War room #inc-7; paging 1 role.');
    expect(declared(5)).toBe('INC-7 declared: Checkout. War room #inc-7; paging 5 roles.');
    expect(t('reply.timelineMore', { count: 1, id: 'INC-7' })).toBe('1 earlier entry is not shown; run `muster export INC-7` for all of them.');
    expect(t('reply.timelineMore', { count: '12', id: 'INC-7' })).toBe('12 earlier entries are not shown; run `muster export INC-7` for all of them.');
    expect(t('reply.approvalRequested', { request: 'REQ-1', who: 'Sid', needs: 1, time: '09:00' })).toBe('Approval requested as REQ-1 from Sid: 1 approval needed before 09:00.');
    expect(t('reply.approvalRequested', { request: 'REQ-1', who: 'Sid', needs: 2, time: '09:00' })).toContain('2 approvals needed');
    expect(t('report.weeklySummary', { incidents: 1, p1: 1, median: '3:00', breaches: 0, drills: 1 })).toBe('1 incident (1 P1); median time to assemble 3:00; 0 with a breach; 1 drill.');
    const zh = translator('zh-CN');
    expect(zh('reply.declared', { id: 'INC-7', title: '支付', room: '#inc-7', count: 1 })).not.toMatch(/\(s\)|roles?/);
  });

  it('the Chinese catalogue asks for the same values as the English one', () => {
    const mismatched = (Object.keys(en) as Array<keyof typeof en>).filter((key) => argumentNames(en[key]).join() !== argumentNames(zhCN[key]).join());
    expect(mismatched).toEqual([]);
  });
});
