import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/knowledge/tokenize.js';
import { PAST_INCIDENTS } from '../support/kb-incidents.js';

describe('the knowledge tokenizer', () => {
  it('cuts Chinese without spaces into bigrams, whatever ICU made of the words', () => {
    // ICU cuts 网关 and 重启 into single characters; the bigrams still find them.
    const tokens = tokenize('重启支付网关后恢复');
    expect(tokens).toEqual(expect.arrayContaining(['重启', '支付', '网关', '恢复']));
    expect(tokens.every((token) => [...token].length >= 2)).toBe(true);
  });

  it('keeps ICU dictionary words of three or more characters', () => {
    expect(tokenize('在线数据库')).toEqual(expect.arrayContaining(['在线', '数据', '据库']));
  });

  it('drops Chinese particles without breaking the words around them', () => {
    const tokens = tokenize('支付的网关挂了');
    expect(tokens).toContain('支付');
    expect(tokens).toContain('网关');
    expect(tokens.some((token) => token.includes('的') || token.includes('了'))).toBe(false);
    // A single character left between particles still counts.
    expect(tokenize('页面的慢')).toEqual(['页面', '慢']);
  });

  it('keeps 在 and 是 inside words (在线, 是否)', () => {
    expect(tokenize('服务在线')).toContain('在线');
    expect(tokenize('是否')).toEqual(['是否']);
  });

  it('handles mixed English and Chinese', () => {
    const tokens = tokenize('CDN回源失败，Redis集群timeout');
    expect(tokens).toEqual(expect.arrayContaining(['cdn', '回源', '失败', 'redi', '集群', 'timeout']));
  });

  it('lower-cases, stems and drops English stop words', () => {
    expect(tokenize('The Gateway was RESTARTED and restarting')).toEqual(['gatewai', 'restart', 'restart']);
    expect(tokenize('timeouts')).toEqual(tokenize('timeout'));
  });

  it('keeps words that matter in incidents (down, out, not)', () => {
    expect(tokenize('site down, timed out, not reachable')).toEqual(['site', 'down', 'time', 'out', 'not', 'reachabl']);
  });

  it('splits identifiers and keeps them whole too', () => {
    expect(tokenize('payment_gateway')).toEqual(['payment_gateway', 'payment', 'gatewai']);
    expect(tokenize('db-primary-01 502s')).toEqual(['db', 'primari', '01', '502s']);
  });

  it('ignores emoji and punctuation', () => {
    expect(tokenize('🔥🔥 checkout 💥 down!!! 🙏')).toEqual(['checkout', 'down']);
    expect(tokenize('👨‍👩‍👧 ✅ —')).toEqual([]);
  });

  it('removes bidi and zero-width marks (RTL marks pasted from chat)', () => {
    expect(tokenize('\u200Fcheckout\u200E \u202Bpayments\u202C')).toEqual(['checkout', 'payment']);
    expect(tokenize('超\u200B时')).toEqual(['超时']);
    expect(tokenize('\u2067عطل\u2069 login')).toEqual(['عطل', 'login']);
  });

  it('normalises full-width forms (NFKC)', () => {
    expect(tokenize('ＣＤＮ　５０２')).toEqual(['cdn', '502']);
  });

  it('returns nothing for empty or blank text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('   \n\t')).toEqual([]);
  });

  it('cuts ASCII text exactly where ICU would (the fast path agrees with Intl.Segmenter)', () => {
    const texts = [
      ...PAST_INCIDENTS.flatMap((p) => [p.title, p.summary, p.rootCause, p.fix]).filter((text) => /^[\x00-\x7f]*$/.test(text)),
      "don't it's 1,000 3;4 a:b a.1 1.a x_1.y foo:1 v1.2.3 a.b. .a a__b _x x_ 10:30 user@example.com C:\\path https://x.io/a?b=1",
    ];
    expect(texts.length).toBeGreaterThan(100);
    for (const text of texts) {
      const lower = text.toLowerCase();
      // A non-ASCII word in front sends the text through ICU; it yields one token of its own.
      const viaIcu = tokenize(`\u00e9 ${lower}`).slice(1);
      expect(tokenize(lower), text).toEqual(viaIcu);
    }
  });
});
