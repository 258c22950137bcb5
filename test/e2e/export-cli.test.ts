/**
 * `muster export INC-1 --format json|md` in production mode against the real
 * Redis at REDIS_URL: a console script writes INC-1 under a prefix of its own,
 * the export's timeline matches what the console printed, entry for entry.
 * Every key under the prefix (BullMQ's included) is deleted afterwards.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';
import { redisSandbox } from './redis-sandbox.js';

const sandbox = redisSandbox('export');
const ENV = { ...sandbox.env, MUSTER_CONFIG: join(FIXTURES, 'fast.yaml') };

describe('muster export (production mode, real Redis)', () => {
  it('exports INC-1 as JSON and Markdown, its timeline the one the console wrote', async () => {
    const script = join(sandbox.dir, 'declare-ack-resolve.script');
    writeFileSync(script, 'alice: /incident declare Checkout <b>is</b> failing sev=P3 service=checkout\ncarol: /incident ack\ncarol: /incident resolve INC-1 rolled back\n');
    const played = await muster(['console', '--script', script, '--json'], ENV);
    expect(played.code, played.stderr).toBe(0);
    expect(played.stderr).toContain('Production mode');
    const written = played.stdout.trim().split('\n').map((line) => JSON.parse(line) as { seq: number; type: string; incident: string });
    expect(written.map((e) => e.type)).toEqual(expect.arrayContaining(['incident.declared', 'slot.acked', 'incident.resolved']));

    const json = await muster(['export', 'INC-1', '--format', 'json'], ENV);
    expect(json.code, json.stderr).toBe(0);
    const data = JSON.parse(json.stdout) as {
      incident: { id: string; title: string; status: string };
      timeline: Array<{ seq: number; what: string; who: string }>;
      milestones: Array<{ name: string; at?: number }>;
    };
    expect(data.incident).toMatchObject({ id: 'INC-1', title: 'Checkout <b>is</b> failing', status: 'resolved' });
    expect(data.timeline.map((line) => [line.seq, line.what])).toEqual(written.map((e) => [e.seq, e.type]));
    expect(data.timeline.find((line) => line.what === 'slot.acked')?.who).toBe('Carol');
    expect(data.milestones.map((mark) => [mark.name, mark.at !== undefined])).toEqual([
      ['declared', true],
      ['assembled', true],
      ['mitigated', false],
      ['resolved', true],
    ]);

    const md = await muster(['export', 'inc-1'], ENV);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('# Postmortem: INC-1 Checkout &lt;b&gt;is&lt;/b&gt; failing');
    expect(md.stdout).toContain('## Action items');
    expect(md.stdout.split('\n').filter((line) => /^\| \d{4}-/.test(line))).toHaveLength(written.length);

    const missing = await muster(['export', 'INC-99', '--format', 'json'], ENV);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No incident INC-99');
    expect(missing.stdout).toBe('');

    const badFormat = await muster(['export', 'INC-1', '--format', 'pdf'], ENV);
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toContain('use md or json');
  }, 120_000);
});
