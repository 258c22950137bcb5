/**
 * What the dashboard's browser suites share: a whole bot (buildRuntime,
 * embedded mode, HTTP on a free port) whose clock a test can move back to
 * seed history, Debian's Chromium driven by playwright-core, and the login.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import type { MusterConfig } from '../../src/config/schema.js';
import { loadEnv } from '../../src/config/env.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { buildRuntime, type Runtime } from '../../src/main.js';
import { FakeChat } from '../support/fixture.js';

export const CHROMIUM = '/usr/bin/chromium';
export const TOKEN = 'dashboard-token-for-the-e2e-test';
export const MIN = 60_000;
export const DAY = 24 * 60 * MIN;
export const WAIT = 20_000;

export interface DashboardBot {
  runtime: Runtime;
  base: string;
  /** Runs the bot's clock this far from real time (negative: into the past). */
  setOffset(ms: number): void;
  /** Stops the bot's clock at `at` until the next setOffset: seeded durations stay exact however slow the machine. */
  pin(at: number): void;
  say(person: string, text: string): Promise<unknown>;
  /** Fires every timer the (moved) clock says is due: escalations, deadlines. */
  runDueTimers(): Promise<void>;
  close(): Promise<void>;
}

export async function startDashboardBot(config: MusterConfig, logger: Logger = silentLogger): Promise<DashboardBot> {
  let offset = 0;
  let pinned: number | undefined;
  let request = 0;
  const env = loadEnv({ MUSTER_HTTP_PORT: '0', MUSTER_DASHBOARD_TOKEN: TOKEN });
  const runtime = await buildRuntime({ config, env, chat: new FakeChat(), logger, clock: { now: () => pinned ?? Date.now() + offset } });
  await runtime.muster.start({ watchdog: false });
  const say = async (person: string, text: string) => {
    const [, name = '', args = ''] = /^\/(\w+)\s*(.*)$/s.exec(text) ?? [];
    request += 1;
    const reply = await runtime.muster.dispatch({ name, args, actor: `console:${person}`, conversation: 'console:#general', requestId: `dash-${request}` });
    await runtime.settle(5_000);
    return reply;
  };
  return {
    runtime,
    base: `http://127.0.0.1:${runtime.httpPort}`,
    setOffset: (ms) => {
      offset = ms;
      pinned = undefined;
    },
    pin: (at) => void (pinned = at),
    say,
    runDueTimers: async () => {
      // embedded mode runs the in-process scheduler; its runDue fires what the moved clock made due
      await (runtime.scheduler as InProcessScheduler).runDue();
      await runtime.settle(5_000);
    },
    close: () => runtime.close(),
  };
}

/** A resolved P1 that took `assembleMin` minutes to assemble, `daysAgo` days back. */
export async function seedResolved(bot: DashboardBot, id: string, daysAgo: number, assembleMin: number) {
  const declaredAt = Date.now() - daysAgo * DAY;
  bot.pin(declaredAt);
  await bot.say('alice', `/incident declare Seeded outage ${id} sev=P1 service=checkout anyway=yes`);
  bot.pin(declaredAt + Math.round(assembleMin * MIN));
  for (const person of ['cara', 'pete', 'sam', 'pia', 'cody']) await bot.say(person, `/incident ack ${id}`);
  bot.pin(declaredAt + Math.round(assembleMin * MIN) + 20 * MIN);
  await bot.say('cara', `/incident mitigate ${id} rolled back`);
  bot.pin(declaredAt + Math.round(assembleMin * MIN) + 50 * MIN);
  await bot.say('cara', `/incident resolve ${id} fixed`);
  bot.setOffset(0);
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk (npm test runs scripts/test-deps.sh, which does it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function login(page: Page, base: string, token: string) {
  await page.goto(`${base}/dashboard/login`);
  await page.fill('#token', token);
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/dashboard/login') && r.request().method() === 'POST'), page.click('button[type=submit]')]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}
