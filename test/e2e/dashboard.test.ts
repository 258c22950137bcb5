/**
 * The dashboard (issue 8) in a real headless Chromium (Debian's chromium,
 * driven by playwright-core) against the whole bot (buildRuntime, embedded
 * mode, HTTP on a free port): a wrong token is refused, a login shows the
 * active P1's board, an ack made through the bot shows up by itself, the
 * charts carry the seeded data, and a title with <script> is shown as text.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { silentLogger } from '../../src/logger.js';
import { buildRuntime, type Runtime } from '../../src/main.js';
import { FakeChat, testConfig } from '../support/fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'dashboard-token-for-the-e2e-test';
const XSS_TITLE = '<script>alert(1)</script> checkout down';
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const WAIT = 20_000;

let runtime: Runtime | undefined;
let browser: Browser | undefined;
let base = '';
let offset = 0;
let request = 0;
const dialogs: string[] = [];

async function say(person: string, text: string) {
  const [, name = '', args = ''] = /^\/(\w+)\s*(.*)$/s.exec(text) ?? [];
  request += 1;
  const reply = await runtime!.muster.dispatch({ name, args, actor: `console:${person}`, conversation: 'console:#general', requestId: `dash-${request}` });
  await runtime!.settle(5_000);
  return reply;
}

/** A resolved P1 that took `assembleMin` minutes to assemble, `daysAgo` days back. */
async function seedResolved(id: string, daysAgo: number, assembleMin: number) {
  offset = -daysAgo * DAY;
  await say('alice', `/incident declare Seeded outage ${id} sev=P1 service=checkout`);
  offset += Math.round(assembleMin * MIN);
  for (const person of ['cara', 'pete', 'sam', 'pia', 'cody']) await say(person, `/incident ack ${id}`);
  offset += 20 * MIN;
  await say('cara', `/incident mitigate ${id} rolled back`);
  offset += 30 * MIN;
  await say('cara', `/incident resolve ${id} fixed`);
}

async function login(page: Page, token: string) {
  await page.goto(`${base}/dashboard/login`);
  await page.fill('#token', token);
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/dashboard/login') && r.request().method() === 'POST'), page.click('button[type=submit]')]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

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
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (npm test runs scripts/test-deps.sh, which does it)`);
  const env = loadEnv({ MUSTER_HTTP_PORT: '0', MUSTER_DASHBOARD_TOKEN: TOKEN });
  runtime = await buildRuntime({ config: testConfig(), env, chat: new FakeChat(), logger: silentLogger, clock: { now: () => Date.now() + offset } });
  await runtime.muster.start({ watchdog: false });
  base = `http://127.0.0.1:${runtime.httpPort}`;
  await seedResolved('INC-1', 14, 7);
  await seedResolved('INC-2', 7, 18);
  offset = 0;
  await say('alice', '/incident declare Payments are failing sev=P1 service=checkout');
  await say('alice', `/incident declare ${XSS_TITLE} sev=P2 service=checkout`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.close();
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
});
