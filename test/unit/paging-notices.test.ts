/**
 * Plain notices through the paging port (a shift starting): their words in
 * English and Chinese, and how ntfy and Pushover carry them (against the
 * local fakes): normal priority, no acknowledge link, no war room, nothing
 * that escalates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ntfyNoticeBody, sendNtfyNotice } from '../../adapters/paging/ntfy.js';
import { pushoverNoticeForm, sendPushoverNotice } from '../../adapters/paging/pushover.js';
import { ProviderPaging, providerPaging } from '../../adapters/paging/router.js';
import { pagingConfigSchema } from '../../src/config/paging.js';
import { pagingEnv } from '../../src/config/paging-env.js';
import { translator } from '../../src/i18n/catalog.js';
import type { ShiftNotice } from '../../src/paging/port.js';
import { wordNotice } from '../../src/paging/wording.js';
import { fakeNtfy, fakePushover } from '../support/paging/fake-providers.js';
import type { FakeHttpServer } from '../support/paging/fake-http.js';

const en = translator('en');
const zh = translator('zh-CN');
const PUSHOVER_APP = 'a'.repeat(30);
const PUSHOVER_USER = 'u'.repeat(30);
const INTERVAL = 'Mon, Nov 9, 2026, 09:00 GMT+1 to Mon, Nov 16, 2026, 09:00 GMT+1 (Europe/Berlin)';

const notice = (over: Partial<ShiftNotice> = {}): ShiftNotice => ({
  kind: 'shift', person: 'cat', team: 'Payments', position: 'primary', interval: INTERVAL, from: 'Ben',
  incidents: [{ number: 42, severity: 'P1', title: 'Checkout is failing' }],
  ...over,
});

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
async function started(fake: FakeHttpServer): Promise<FakeHttpServer> {
  await fake.start();
  closers.push(() => fake.close());
  return fake;
}

describe('the words of a shift notice', () => {
  it('names the team, the position, the interval with its zone, who hands over and the incidents inherited', () => {
    expect(wordNotice(en, notice())).toEqual({
      headline: 'On call: Payments primary',
      body: `You hold the Payments primary pager ${INTERVAL}, taking over from Ben.\nYou inherit 1 open incident:\nINC-42 [P1] Checkout is failing`,
    });
    expect(wordNotice(en, notice({ incidents: [], from: undefined })).body).toBe(`You hold the Payments primary pager ${INTERVAL}.\nNo open incidents for Payments.`);
  });

  it('in Chinese', () => {
    const words = wordNotice(zh, notice({ position: '主值班', interval: '2026年11月9日 09:00 至 2026年11月16日 09:00（Asia/Shanghai）' }));
    expect(words).toEqual({
      headline: '值班：Payments 主值班',
      body: '你持有 Payments 主值班呼叫 2026年11月9日 09:00 至 2026年11月16日 09:00（Asia/Shanghai），接替 Ben。\n你接手 1 个未结事件：\nINC-42 [P1] Checkout is failing',
    });
    expect(wordNotice(zh, notice({ incidents: [] })).body).toContain('Payments 没有未结事件。');
  });

  it('a push names five inherited incidents and counts the rest', () => {
    const incidents = Array.from({ length: 7 }, (_, i) => ({ number: i + 1, severity: 'P2' as const, title: `Incident ${i + 1}` }));
    const lines = wordNotice(en, notice({ incidents })).body.split('\n');
    expect(lines.slice(1)).toEqual(['You inherit 7 open incidents:', ...[1, 2, 3, 4, 5].map((n) => `INC-${n} [P2] Incident ${n}`), 'and 2 more (see chat)']);
    expect(wordNotice(zh, notice({ incidents })).body.split('\n').at(-1)).toBe('另有 2 个（见聊天）');
  });
});

describe('plain notices through ntfy and Pushover', () => {
  it('ntfy: the default priority, no acknowledge or war room action', async () => {
    const fake = await started(fakeNtfy());
    const config = pagingConfigSchema.parse({ ntfy: { baseUrl: fake.url } }).ntfy!;
    const receipt = await sendNtfyNotice({ config, publicUrl: 'https://muster.example.test', t: en }, { kind: 'ntfy', topic: 'cat-pager' }, notice());
    expect(receipt).toMatchObject({ status: 'accepted', provider: 'ntfy', kind: 'ntfy' });
    expect(JSON.parse(fake.requests[0]!.body)).toEqual(ntfyNoticeBody({ t: en }, 'cat-pager', notice()));
    const body = JSON.parse(fake.requests[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ title: 'On call: Payments primary', priority: 3 });
    expect(body.message).toContain('(Europe/Berlin)');
    expect(body).not.toHaveProperty('actions');
    expect(body).not.toHaveProperty('click');
  });

  it('Pushover: normal priority and no URL', async () => {
    const fake = await started(fakePushover(PUSHOVER_APP, [PUSHOVER_USER]));
    const options = { config: pagingConfigSchema.parse({ pushover: { baseUrl: fake.url, priority: 1 } }).pushover!, token: PUSHOVER_APP, t: en };
    const receipt = await sendPushoverNotice(options, { kind: 'pushover', user: PUSHOVER_USER }, notice());
    expect(receipt).toMatchObject({ status: 'accepted', provider: 'pushover' });
    const form = new URLSearchParams(fake.requests[0]!.body);
    expect(form.get('title')).toBe('On call: Payments primary');
    expect(form.get('message')).toContain('INC-42 [P1] Checkout is failing');
    expect(form.get('priority')).toBe('0');
    expect(form.has('url')).toBe(false);
    expect(pushoverNoticeForm(options, { kind: 'pushover', user: PUSHOVER_USER, device: 'phone' }, notice()).get('device')).toBe('phone');
  });

  it('the router pushes notices through the configured providers and says which block is missing otherwise', async () => {
    const fake = await started(fakeNtfy());
    const paging = pagingConfigSchema.parse({ ntfy: { baseUrl: fake.url } });
    const port = await providerPaging(paging, pagingEnv(paging, {}), 'en');
    expect(await port.notice({ kind: 'ntfy', topic: 'cat-pager' }, notice())).toMatchObject({ status: 'accepted' });
    expect(await port.notice({ kind: 'pushover', user: PUSHOVER_USER }, notice())).toEqual({
      status: 'failed', provider: 'pushover', kind: 'pushover', retryable: false, reason: 'no pushover provider is configured (add paging.pushover to muster.yaml)',
    });
    expect((await new ProviderPaging({}).notice({ kind: 'ntfy', topic: 'x' }, notice())).status).toBe('failed');
  });
});
