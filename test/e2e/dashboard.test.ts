/**
 * The dashboard (issue 8) in a real headless Chromium (Debian's chromium,
 * driven by playwright-core) against the whole bot (buildRuntime, embedded
 * mode, HTTP on a free port): a wrong token is refused, a login shows the
 * active P1's board, an ack made through the bot shows up by itself, the
 * charts carry the seeded data, a title with <script> is shown as text, the
 * favicon loads under the CSP and the bot logs the dashboard's address at start.
 * The look of the cards and charts in both locales: dashboard-screens.test.ts.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.js';
import { testConfig } from '../support/fixture.js';
import { launchChromium, login as loginAt, seedResolved, startDashboardBot, TOKEN, WAIT, type DashboardBot } from './dashboard-support.js';

const XSS_TITLE = '<script>alert(1)</script> checkout down';

let bot: DashboardBot | undefined;
let browser: Browser | undefined;
let base = '';
const dialogs: string[] = [];
const logged: string[] = [];
const recordingLogger: Logger = { debug: () => {}, info: (_fields, message) => void logged.push(message), warn: () => {}, error: () => {} };

const say = (person: string, text: string) => bot!.say(person, text);
const login = (page: Page, token: string) => loginAt(page, base, token);

async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext();
  const page = await context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { context, page };
}

beforeAll(async () => {
  bot = await startDashboardBot(testConfig(), recordingLogger);
  base = bot.base;
  await seedResolved(bot, 'INC-1', 14, 7);
  await seedResolved(bot, 'INC-2', 7, 18);
  await say('alice', '/incident declare Payments are failing sev=P1 service=checkout');
  await say('alice', `/incident declare ${XSS_TITLE} sev=P2 service=checkout anyway=yes`);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bot?.close();
}, 30_000);

describe('the dashboard in Chromium', () => {
  it('refuses a wrong token: 401, no cookie, no way in', async () => {
    const { context, page } = await newContext();
    try {
      const response = await login(page, 'not-the-right-token-at-all');
      expect(response.status()).toBe(401);
      await page.getByText('Wrong token.').waitFor({ timeout: WAIT });
      expect(await context.cookies()).toEqual([]);
      await page.goto(`${base}/dashboard`);
      expect(new URL(page.url()).pathname).toBe('/dashboard/login');
      const data = await page.request.get(`${base}/dashboard/data.json`);
      expect(data.status()).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('logs in, shows the live P1 board, and updates it by itself when a responder acks', async () => {
    const { context, page } = await newContext();
    try {
      const response = await login(page, TOKEN);
      expect(response.status()).toBe(303);
      expect(new URL(page.url()).pathname).toBe('/dashboard');
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: 'muster_dashboard', httpOnly: true, sameSite: 'Strict', path: '/dashboard' });

      const csp = (await page.request.get(`${base}/dashboard`)).headers()['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");

      const board = page.locator('article.board[data-incident="INC-3"]');
      await board.waitFor({ timeout: WAIT });
      await board.locator('.title', { hasText: 'Payments are failing' }).waitFor({ timeout: WAIT });
      const commander = board.locator('tr[data-role="commander"]');
      await commander.locator('td.state', { hasText: 'paging' }).waitFor({ timeout: WAIT });
      expect(await commander.locator('td.person').textContent()).toBe('Cara Commander');

      // the responder acks through the bot; the page refreshes on its own
      const reply = await say('cara', '/incident ack INC-3');
      expect(reply).toBeDefined();
      await commander.locator('td.state', { hasText: 'acked' }).waitFor({ timeout: WAIT });
      expect(await commander.locator('td.acked').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
      // the other roles are still being paged
      await board.locator('tr[data-role="ops"] td.state', { hasText: 'paging' }).waitFor({ timeout: WAIT });
    } finally {
      await context.close();
    }
  });

  it('draws the charts from the seeded incidents, with the 15-minute line', async () => {
    const { context, page } = await newContext();
    try {
      await login(page, TOKEN);
      const chart = page.locator('svg#chart-assembly-week');
      await chart.waitFor({ timeout: WAIT });
      expect(await chart.getAttribute('role')).toBe('img');
      expect(await chart.locator('title').first().textContent()).toBe('Time to assemble per week');
      // two seeded weeks, a median and a p90 bar each
      expect(await chart.locator('rect.bar').count()).toBe(4);
      expect(await chart.locator('line.target').count()).toBe(1);
      expect(await chart.textContent()).toContain('15-minute line');
      expect(await page.locator('svg#chart-ack-role rect.bar').count()).toBeGreaterThan(0);
      expect(await page.locator('svg#chart-breaches-month').count()).toBe(1);
      const seeded = page.locator('#recent-body tr[data-incident="INC-1"]');
      await seeded.waitFor({ timeout: WAIT });
      expect(await seeded.textContent()).toContain('7:00');
    } finally {
      await context.close();
    }
  });

  it('shows a title with <script> as text, before and after a refresh', async () => {
    const { context, page } = await newContext();
    try {
      await login(page, TOKEN);
      const title = page.locator('article.board[data-incident="INC-4"] .title');
      await title.waitFor({ timeout: WAIT });
      expect(await title.textContent()).toBe(XSS_TITLE);
      expect(await title.isVisible()).toBe(true);
      // wait for at least one refresh by app.js, then check again
      await page.waitForResponse((r) => r.url().endsWith('/dashboard/data.json'), { timeout: WAIT });
      await page.locator('article.board[data-incident="INC-4"] .title', { hasText: '<script>alert(1)</script>' }).waitFor({ timeout: WAIT });
      const injected = await page.evaluate(() => Array.from(document.querySelectorAll('script')).filter((s) => (s.textContent ?? '').includes('alert(1)')).length);
      expect(injected).toBe(0);
      expect(dialogs).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('logs the dashboard address at start and serves a favicon the CSP lets the page load', async () => {
    expect(bot!.runtime.dashboardUrl).toBe(`${base}/dashboard`);
    expect(logged).toContain(`Dashboard: ${base}/dashboard`);
    const { context, page } = await newContext();
    try {
      await login(page, TOKEN);
      const icon = await page.request.get(`${base}/favicon.svg`);
      expect(icon.status()).toBe(200);
      expect(icon.headers()['content-type']).toBe('image/svg+xml');
      expect(await page.locator('link[rel=icon]').getAttribute('href')).toBe('/favicon.svg');
      // loaded as an image by the page itself, so a CSP that refused it would fail this
      const width = await page.evaluate(() => new Promise<number>((resolve) => {
        const image = new Image();
        image.onload = () => resolve(image.naturalWidth);
        image.onerror = () => resolve(0);
        image.src = '/favicon.svg';
      }));
      expect(width).toBe(32);
    } finally {
      await context.close();
    }
  });
});
