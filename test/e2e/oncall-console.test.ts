/**
 * /oncall at the console in production mode (real Redis): a cover that the
 * backup step then pages, a swap declined and accepted, a take, and a second
 * run on the same store that still has every change.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';
import { redisSandbox } from './redis-sandbox.js';

const sandbox = redisSandbox('oncall');
const CONFIG = join(FIXTURES, 'oncall.yaml');

interface EventLine {
  type: string;
  incident: string;
  person?: string;
  data: Record<string, unknown>;
}

async function play(name: string, lines: string[]) {
  const script = join(sandbox.dir, `${name}.script`);
  writeFileSync(script, `${lines.join('\n')}\nquit\n`);
  const result = await muster(['console', '--config', CONFIG, '--script', script, '--json'], sandbox.env);
  const events = result.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as EventLine);
  return { ...result, events, human: result.stderr };
}

describe('console: /oncall on Redis', () => {
  it('cover, an escalation step paging the cover, swap declined and accepted, take; a restart keeps every change', async () => {
    const first = await play('first', [
      'heidi: /oncall cover payments backup judy 1h dentist',
      'alice: /incident declare Checkout is failing sev=P3 service=checkout',
      'wait page.sent INC-1 judy',
      'carol: /oncall swap payments olive',
      'olive: /oncall decline CHG-2',
      'carol: /oncall swap payments olive',
      'olive: /oncall accept CHG-3',
      'olive: /oncall take payments backup 30m',
      'alice: /oncall changes payments',
    ]);
    expect(first.code, first.human).toBe(0);
    expect(first.human).not.toContain('EMBEDDED MODE');
    expect(first.human).toMatch(/\[reply to heidi\] ✓ CHG-1: Judy holds the payments backup pager .+ \(Europe\/Berlin\) in place of Heidi\. Told: Judy\./);
    expect(first.human).toContain('[DM @judy] · Shift change CHG-1 (payments)');
    // The backup step paged the cover, and the timeline says why.
    const page = first.events.find((event) => event.type === 'page.sent' && event.person === 'judy');
    expect(page?.data).toMatchObject({ step: 1, reason: 'Judy holds the payments backup pager by CHG-1 (cover asked by Heidi: dentist).' });
    expect(first.events.some((event) => event.type === 'page.sent' && event.person === 'heidi')).toBe(false);
    // The swap request with its buttons, declined, asked again and accepted.
    expect(first.human).toContain('[ Accept ]  ->  /oncall accept CHG-2');
    expect(first.human).toContain('[ Decline ]  ->  /oncall decline CHG-2');
    expect(first.human).toContain('[reply to olive] ✓ CHG-2 declined: the shifts stay as they were. Told: Carol.');
    expect(first.human).toMatch(/\[reply to olive\] ✓ CHG-3 accepted: .+ Told: Carol\./);
    expect(first.human).toMatch(/\[reply to olive\] ✓ CHG-4: Olive holds the payments backup pager .+ in place of Judy\. Told: Judy\. It overrides CHG-1/);
    expect(first.human).toContain('CHG-3 · swap · accepted');

    const second = await play('second', [
      'alice: /oncall changes payments',
      'judy: /oncall cancel CHG-4',
      'alice: /oncall payments',
    ]);
    expect(second.code, second.human).toBe(0);
    for (const line of ['CHG-1 · cover · accepted', 'CHG-3 · swap · accepted', 'CHG-4 · take · accepted']) expect(second.human).toContain(line);
    expect(second.human).not.toContain('CHG-2 · swap');
    expect(second.human).toContain('[reply to judy] ✓ CHG-4 cancelled');
    expect(second.human).toMatch(/backup: Judy \[cover CHG-1\] until/);
  }, 120_000);
});
