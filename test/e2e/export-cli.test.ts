/**
 * `muster export INC-1 --format json|md` in production mode against the real
 * Redis at REDIS_URL: a console script writes INC-1 under a prefix of its own,
 * the export's timeline matches what the console printed, entry for entry.
 * Every key under the prefix (BullMQ's included) is deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `e2e-export-${randomUUID()}:`;
const ENV = { REDIS_URL, MUSTER_REDIS_PREFIX: PREFIX, MUSTER_CONFIG: join(FIXTURES, 'fast.yaml') };

let redis: Redis;
let dir = '';

async function keysUnderPrefix(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  dir = mkdtempSync(join(tmpdir(), 'muster-e2e-export-'));
});

afterAll(async () => {
  if (redis) {
    const keys = await keysUnderPrefix();
    for (let i = 0; i < keys.length; i += 200) await redis.del(...keys.slice(i, i + 200));
    expect(await keysUnderPrefix()).toEqual([]);
    redis.disconnect();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('muster export (production mode, real Redis)', () => {
  it('exports INC-1 as JSON and Markdown, its timeline the one the console wrote', async () => {
    const script = join(dir, 'declare-ack-resolve.script');
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
