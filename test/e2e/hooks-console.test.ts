import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { FIXTURES } from './cli.js';
import { MusterProcess, NEVER_MS } from './console-process.js';

const TOKEN = 'a-long-enough-hook-token';
/** What the console prints once it serves (HTTP bound, workers started), before it reads input. */
const READY = en['console.ready'].slice(0, en['console.ready'].indexOf('{'));

interface EventLine {
  type: string;
  actor: string;
  role?: string;
  person?: string;
}

const events = (stdout: string): EventLine[] =>
  stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as EventLine);

describe('monitoring hooks through the running bot (console adapter)', () => {
  it('an Alertmanager alert over HTTP declares and musters; the console prints the timeline', async () => {
    // Port 0: the system picks a free port and the console prints it.
    const bot = new MusterProcess(['console', '--config', join(FIXTURES, 'fast.yaml'), '--json'], { MUSTER_HOOK_TOKEN: TOKEN, MUSTER_HTTP_PORT: '0' });
    try {
      await bot.waitFor('the ready line', ({ stderr }) => stderr.includes(READY));
      const url = /^HTTP at (http:\/\/127\.0\.0\.1:\d+):/m.exec(bot.stderr)?.[1];
      expect(url, bot.stderr).toBeDefined();
      const body = JSON.stringify({
        version: '4', status: 'firing',
        alerts: [{ status: 'firing', labels: { alertname: 'CheckoutDown', severity: 'critical', service: 'checkout' }, annotations: { summary: 'Checkout is down' }, fingerprint: 'abc123' }],
      });
      const response = await fetch(`${url}/hooks/alertmanager`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(202);
      await bot.waitFor('the five pages', ({ stdout }) => stdout.split('"type":"page.sent"').length - 1 >= 5);
      bot.send('quit');
      expect(await bot.exited).toBe(0);
    } finally {
      bot.kill();
    }
    const timeline = events(bot.stdout);
    expect(timeline[0]).toMatchObject({ type: 'incident.declared', actor: 'hook:alertmanager' });
    expect(timeline.filter((e) => e.type === 'page.sent').map((e) => e.person)).toEqual(expect.arrayContaining(['bob', 'carol', 'dan', 'erin', 'frank']));
    expect(timeline.some((e) => e.type === 'alert.received')).toBe(true);
  }, NEVER_MS);
});
