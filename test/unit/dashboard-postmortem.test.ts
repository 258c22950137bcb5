import { describe, expect, it } from 'vitest';
import { postmortemPath, safeNext } from '../../adapters/http/dashboard.js';
import { postmortemExport } from '../../src/main/postmortem-links.js';
import { DASHBOARD_TOKEN as TOKEN, dashboardApp } from '../support/dashboard-app.js';
import { harness } from '../support/fixture.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The postmortem link of similar incidents and /kb results, served behind the dashboard's login. */
async function served() {
  const h = await harness();
  await h.say('alice', '/incident declare Payment gateway returning HTTP 500 sev=P3 service=checkout');
  await h.say('alice', '/incident resolve INC-1 restarted the gateway');
  await h.say('alice', '/incident learn INC-1 rootCause="Gateway deadlocked after a hot reload" resolution="Restart the payment gateway" module=checkout faultType=deadlock');
  const app = await dashboardApp(h, { postmortem: postmortemExport(h.store, h.muster.present) });
  return { h, app };
}

describe('the dashboard postmortem route', () => {
  it('sends a visitor without a session to the login, and back to the postmortem after it', async () => {
    const { app } = await served();
    const path = postmortemPath('INC-1');
    expect(path).toBe('/dashboard/incidents/INC-1/postmortem');
    const anonymous = await app.inject({ method: 'GET', url: path });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/dashboard/login?next=${encodeURIComponent(path)}`);
    const form = await app.inject({ method: 'GET', url: String(anonymous.headers.location) });
    expect(form.body).toContain(`<input type="hidden" name="next" value="${path}">`);

    const wrong = await app.inject({ method: 'POST', url: '/dashboard/login', payload: `token=nope&next=${encodeURIComponent(path)}`, headers: FORM });
    expect(wrong.statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/dashboard/login', payload: `token=${TOKEN}&next=${encodeURIComponent(path)}`, headers: FORM });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe(path);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;

    const markdown = await app.inject({ method: 'GET', url: path, headers: { cookie } });
    expect(markdown.statusCode).toBe(200);
    expect(markdown.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(markdown.body).toContain('Payment gateway returning HTTP 500');
    expect(markdown.body).toContain('What was learned');
    expect(markdown.body).toContain('Gateway deadlocked after a hot reload');
    const json = await app.inject({ method: 'GET', url: `${path}?format=json`, headers: { cookie } });
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.stringify(JSON.parse(json.body))).toContain('INC-1');

    expect((await app.inject({ method: 'GET', url: postmortemPath('INC-99'), headers: { cookie } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/dashboard/incidents/<b>/postmortem', headers: { cookie } })).statusCode).toBe(404);
    await app.close();
  });

  it('returns after login only to a postmortem on this server (no open redirect)', async () => {
    const { app } = await served();
    for (const next of ['https://evil.example.com/', '//evil.example.com', '/dashboard/incidents/INC-1/postmortem/../../../x', '/dashboard/../metrics']) {
      expect(safeNext(next)).toBeUndefined();
      const login = await app.inject({ method: 'POST', url: '/dashboard/login', payload: `token=${TOKEN}&next=${encodeURIComponent(next)}`, headers: FORM });
      expect(login.headers.location).toBe('/dashboard');
    }
    expect(safeNext('/dashboard/incidents/INC-7/postmortem?format=json')).toBe('/dashboard/incidents/INC-7/postmortem?format=json');
    await app.close();
  });
});
