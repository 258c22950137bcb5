import { describe, expect, it } from 'vitest';
import { DASHBOARD_TOKEN as TOKEN, dashboardApp } from '../support/dashboard-app.js';
import { oncallConfig, oncallHarness } from './oncall-support.js';

/** The dashboard routes on their own fastify, logged in, as a browser would see /dashboard. */
async function dashboardHtml(h: Awaited<ReturnType<typeof oncallHarness>>): Promise<string> {
  const app = await dashboardApp(h, { oncall: () => h.muster.shifts!.week(h.clock.now()) });
  const login = await app.inject({ method: 'POST', url: '/dashboard/login', payload: `token=${TOKEN}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const page = await app.inject({ method: 'GET', url: '/dashboard', headers: { cookie } });
  await app.close();
  return page.body;
}

describe('dashboard: on call, next seven days', () => {
  it('shows every team\'s holdings for the week in the team zone, overrides marked, names escaped', async () => {
    const h = await oncallHarness(oncallConfig((raw) => {
      raw.people.ann.name = 'Ann <script>alert(1)</script>';
    }));
    await h.say('ben', '/oncall cover payments ann tonight');
    const html = await dashboardHtml(h);
    expect(html).toContain('<h2 id="oncall-heading">On call, next seven days</h2>');
    expect(html).toContain('<caption>Payments (times in Europe/Berlin)</caption>');
    expect(html).toContain('<tr><td>primary</td><td>Ben</td><td>Mon, Nov 2, 2026, 10:00 GMT+1</td><td>Mon, Nov 2, 2026, 18:00 GMT+1</td><td>rotation</td></tr>');
    expect(html).toContain('<tr class="override"><td>primary</td><td>Ann &lt;script&gt;alert(1)&lt;/script&gt;</td><td>Mon, Nov 2, 2026, 18:00 GMT+1</td><td>Tue, Nov 3, 2026, 09:00 GMT+1</td><td>cover CHG-1</td></tr>');
    expect(html).toContain('<td>primary</td><td>Cat</td><td>Mon, Nov 9, 2026, 09:00 GMT+1</td>');
    expect(html).toContain('<caption>sre (times in America/New_York)</caption>');
    expect(html).not.toContain('<script>alert(1)');
  });
});
