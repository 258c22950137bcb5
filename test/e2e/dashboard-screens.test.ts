/**
 * How the dashboard looks, in a real Chromium, in both locales (en, zh-CN):
 * a live P1 (deadline counting down, missing roles), a breached one (red,
 * "Paged at" of the person paged last) and the charts, all from incidents
 * seeded through the bot. Each view is screenshotted to .ci/screenshots/ and
 * checked on layout facts that hold on any machine, not on pixel baselines
 * (which break with font versions): boxes visible and inside the page, no
 * text clipped (scrollWidth <= clientWidth), chart labels whole and apart,
 * whole-number count ticks, the breach colour computed red and present in
 * the screenshot's pixels (absent from the live card's), and CJK text drawn
 * with real glyphs (two different characters render differently: a missing
 * font draws the same box for both).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MusterConfig } from '../../src/config/schema.js';
import { testConfig } from '../support/fixture.js';
import { launchChromium, login, MIN, seedResolved, startDashboardBot, TOKEN, WAIT, type DashboardBot } from './dashboard-support.js';

const SHOTS = join(process.cwd(), '.ci', 'screenshots');

interface Locale {
  locale: 'en' | 'zh-CN';
  roles: Record<string, string>;
  status: { assembling: string };
  remaining: RegExp;
  overdue: RegExp;
  breached: string;
  titles: string[];
}

const LOCALES: Locale[] = [
  {
    locale: 'en',
    roles: { commander: 'Incident commander', tech: 'Technical lead', ops: 'Site reliability', product: 'Product owner', comms: 'Communications lead' },
    status: { assembling: 'assembling' },
    remaining: /^in \d+:\d\d$/,
    overdue: /^\d+:\d\d overdue$/,
    breached: 'Breached: assembly',
    titles: ['Time to assemble per week', 'Time to acknowledge per role', 'SLA breaches per month'],
  },
  {
    locale: 'zh-CN',
    roles: { commander: '事件指挥官', tech: '技术负责人', ops: '运维值班', product: '产品负责人', comms: '对外沟通负责人' },
    status: { assembling: '集结中' },
    remaining: /^还剩 \d+:\d\d$/,
    overdue: /^已超时 \d+:\d\d$/,
    breached: '已超时：集结',
    titles: ['每周集结用时', '各角色确认用时', '每月 SLA 超时次数'],
  },
];

function configFor(locale: Locale): MusterConfig {
  return testConfig((raw) => {
    raw.locale = locale.locale;
    const roles = raw.roles as Record<string, Record<string, unknown>>;
    for (const [role, name] of Object.entries(locale.roles)) roles[role]!.name = name;
  });
}

/** Pixels of the breach red (#B00020, allowing for antialiasing) in a PNG screenshot. */
function redPixels(png: Buffer): number {
  const image = PNG.sync.read(png);
  let count = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
    if (r > 140 && g < 60 && b < 90) count += 1;
  }
  return count;
}

async function shoot(target: Locator, name: string): Promise<Buffer> {
  const png = await target.screenshot();
  writeFileSync(join(SHOTS, `${name}.png`), png);
  return png;
}

/** Elements under `root` whose text is cut (content wider than its box), as "tag.class: text". */
async function clipped(root: Locator): Promise<string[]> {
  return root.evaluate((node) =>
    Array.from(node.querySelectorAll('th, td, h3, h3 span, p, p span, figcaption'))
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline')
      .map((el) => `${el.tagName}.${el.className}: ${el.textContent ?? ''}`),
  );
}

/** The box of `target` is visible, non-empty and inside the page's width. */
async function expectOnPage(page: Page, target: Locator) {
  expect(await target.isVisible()).toBe(true);
  const box = await target.boundingBox();
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  expect(box).not.toBeNull();
  expect(box!.width).toBeGreaterThan(100);
  expect(box!.height).toBeGreaterThan(20);
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width);
}

const isRed = (colour: string) => {
  const [r = 0, g = 255, b = 255] = (colour.match(/\d+/g) ?? []).map(Number);
  return r > 140 && g < 60 && b < 90;
};

describe.each(LOCALES)('the dashboard as seen in $locale', (locale) => {
  let bot: DashboardBot | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    bot = await startDashboardBot(configFor(locale));
    await seedResolved(bot, 'INC-1', 14, 7);
    await seedResolved(bot, 'INC-2', 7, 18);
    // INC-3 was declared 20 minutes ago; its escalations (5 and 10 minutes) and its 15-minute deadline fire on time
    bot.setOffset(-20 * MIN);
    await bot.say('alice', '/incident declare Checkout is failing sev=P1 service=checkout');
    for (const ago of [15, 10, 5, 0]) {
      bot.setOffset(-ago * MIN);
      await bot.runDueTimers();
    }
    // INC-4 is live: declared now, the commander acked, four roles still missing
    await bot.say('alice', '/incident declare Payments are failing sev=P1 service=checkout anyway=yes');
    await bot.say('cara', '/incident ack INC-4');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    // after the first refresh app.js rebuilds a card only when its data changes, so screenshots see a settled page
    const firstRefresh = page.waitForResponse((r) => r.url().endsWith('/dashboard/data.json'), { timeout: WAIT });
    await login(page, bot.base, TOKEN);
    await firstRefresh;
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await bot?.close();
  }, 30_000);

  it('a live incident: the deadline counts down, the missing roles are named, nothing is red or cut', async () => {
    const card = page.locator('article.board[data-incident="INC-4"]');
    await card.waitFor({ timeout: WAIT });
    const countdown = card.locator('.deadline .countdown');
    const first = await countdown.textContent();
    expect(first).toMatch(locale.remaining);
    // the page ticks it by itself (app.js, from the server's milliseconds-to-deadline)
    await page.waitForFunction(([selector, before]) => {
      const text = document.querySelector(selector!)?.textContent;
      return Boolean(text) && text !== before;
    }, ['article.board[data-incident="INC-4"] .deadline .countdown', first], { timeout: WAIT });
    expect(await countdown.textContent()).toMatch(locale.remaining);
    const missing = ['tech', 'ops', 'product', 'comms'].map((role) => locale.roles[role]);
    expect(await card.locator('.missing').textContent()).toBe(locale.locale === 'en' ? `Still missing: ${missing.join(', ')}` : `尚未就位：${missing.join('、')}`);
    expect(await card.locator('.status').textContent()).toBe(locale.status.assembling);
    expect(await card.locator('.breach').count()).toBe(0);
    expect(isRed(await card.locator('.deadline').evaluate((el) => getComputedStyle(el).color))).toBe(false);
    await expectOnPage(page, card);
    expect(await clipped(card)).toEqual([]);
    expect(redPixels(await shoot(card, `live-${locale.locale}`))).toBe(0);
  });

  it('a breached incident: red badge and overdue deadline, "Paged at" is when the person shown was paged', async () => {
    const card = page.locator('article.board[data-incident="INC-3"]');
    await card.waitFor({ timeout: WAIT });
    expect(await card.locator('.status').textContent()).toBe(locale.status.assembling);
    const badge = card.locator('.breach');
    expect(await badge.textContent()).toBe(locale.breached);
    expect(isRed(await badge.evaluate((el) => getComputedStyle(el).backgroundColor))).toBe(true);
    expect(isRed(await card.locator('.deadline').evaluate((el) => getComputedStyle(el).color))).toBe(true);
    expect(await card.locator('.deadline .countdown').textContent()).toMatch(locale.overdue);

    // the commander's chain moved on to the backup: the row shows the backup and when the backup was paged
    const incident = await bot!.runtime.store.get('INC-3');
    const slot = incident!.slots.find((s) => s.role === 'commander')!;
    const last = slot.pages[slot.pages.length - 1]!;
    expect(slot.pages.length).toBeGreaterThan(1);
    const row = card.locator('tr[data-role="commander"]');
    expect(await row.locator('td.person').textContent()).toBe(bot!.runtime.muster.present.personName(last.person));
    expect(await row.locator('td.paged').textContent()).toBe(bot!.runtime.muster.present.clockTime(last.at));
    expect(await row.locator('td.paged').textContent()).not.toBe(bot!.runtime.muster.present.clockTime(slot.pages[0]!.at));

    await expectOnPage(page, card);
    expect(await clipped(card)).toEqual([]);
    expect(redPixels(await shoot(card, `breached-${locale.locale}`))).toBeGreaterThan(200);
  });

  it('the charts: visible titles, whole-number count ticks, role labels whole and apart', async () => {
    const charts = page.locator('section[aria-labelledby="charts-heading"]');
    await charts.waitFor({ timeout: WAIT });
    const titles = charts.locator('figcaption.chart-title');
    expect(await titles.allTextContents()).toEqual(locale.titles);
    for (const title of await titles.all()) expect(await title.isVisible()).toBe(true);

    const ticks = await page.locator('svg#chart-breaches-month text.tick').allTextContents();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.every((tick) => /^\d+$/.test(tick))).toBe(true);
    expect(new Set(ticks).size).toBe(ticks.length);

    const labels = await page.locator('svg#chart-ack-role').evaluate((svg) => {
      const width = (svg as SVGSVGElement).viewBox.baseVal.width;
      return {
        width,
        labels: Array.from(svg.querySelectorAll('text.category')).map((text) => {
          const box = (text as SVGTextElement).getBBox();
          return { text: Array.from(text.querySelectorAll('tspan')).map((span) => span.textContent).join(' '), left: box.x, right: box.x + box.width };
        }),
      };
    });
    const expected = Object.values(locale.roles);
    expect(labels.labels.map((label) => (locale.locale === 'en' ? label.text : label.text.replace(/ /g, '')))).toEqual(expected);
    labels.labels.forEach((label, i) => {
      expect(label.left).toBeGreaterThanOrEqual(0);
      expect(label.right).toBeLessThanOrEqual(labels.width);
      const next = labels.labels[i + 1];
      if (next) expect(label.right).toBeLessThan(next.left);
    });
    await expectOnPage(page, charts);
    expect(await clipped(charts)).toEqual([]);
    await shoot(charts, `charts-${locale.locale}`);
  });

  it('the server-rendered cards (no script) read the same as the ones app.js builds', async () => {
    const plain = await browser!.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    try {
      const server = await plain.newPage();
      await login(server, bot!.base, TOKEN);
      // the countdown's seconds move between the two reads; everything else must match
      const text = (target: Page, id: string) => target.locator(`article.board[data-incident="${id}"]`).innerText().then((t) => t.replace(/(?<![\d:])\d+:\d\d(?![\d:])/g, 'm:ss'));
      for (const id of ['INC-3', 'INC-4']) {
        const rendered = await text(server, id);
        expect(rendered).toContain(locale.locale === 'en' ? 'Assembly deadline' : '集结截止');
        expect(rendered).toBe(await text(page, id));
      }
    } finally {
      await plain.close();
    }
  });

  it.runIf(locale.locale === 'zh-CN')('draws Chinese with real glyphs (a CJK font is installed)', async () => {
    const heading = page.locator('#active-heading');
    const drawn = await heading.evaluate((el) => {
      const font = getComputedStyle(el).font;
      const text = el.textContent ?? '';
      const glyph = (ch: string) => {
        const canvas = document.createElement('canvas');
        canvas.width = 48;
        canvas.height = 48;
        const ctx = canvas.getContext('2d')!;
        ctx.font = font;
        ctx.fillStyle = '#000';
        ctx.fillText(ch, 4, 36);
        return { width: ctx.measureText(ch).width, pixels: Array.from(ctx.getImageData(0, 0, 48, 48).data.filter((_, i) => i % 4 === 3)).join(',') };
      };
      const [a, b] = [glyph(text[0]!), glyph(text[1]!)];
      return { text, widths: [a.width, b.width], differ: a.pixels !== b.pixels, inked: a.pixels.split(',').some((v) => v !== '0') };
    });
    expect(drawn.text).toBe('进行中的事件');
    expect(drawn.widths.every((w) => w > 8)).toBe(true);
    expect(drawn.inked).toBe(true);
    expect(drawn.differ).toBe(true);
  });
});
