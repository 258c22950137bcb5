/**
 * `muster audit verify` and `muster audit export` in production mode, against
 * the real Redis at REDIS_URL: a console script writes an incident under a
 * prefix of its own, the chain verifies, then one timeline entry is edited in
 * Redis directly and verify names the incident and the entry. Every key under
 * the prefix (BullMQ's included) is deleted afterwards.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';
import { redisSandbox } from './redis-sandbox.js';

const sandbox = redisSandbox('audit');
const ENV = { ...sandbox.env };
const PREFIX = sandbox.prefix;

interface Entry {
  type: string;
  incident: string;
  seq: number;
  hash: string;
  prevHash: string;
  person?: string;
  data: Record<string, unknown>;
}

describe('muster audit (production mode, real Redis)', () => {
  it('verifies a clean chain, exports it as JSON lines, and names the entry edited in Redis', async () => {
    const script = join(sandbox.dir, 'declare-ack.script');
    writeFileSync(script, 'alice: /incident declare Checkout is failing sev=P3 service=checkout\ncarol: /incident ack\n');
    const played = await muster(['console', '--config', join(FIXTURES, 'fast.yaml'), '--script', script, '--json'], ENV);
    expect(played.code, played.stderr).toBe(0);
    expect(played.stderr).toContain('Production mode');
    expect(played.stderr).not.toContain('EMBEDDED MODE');
    const written = played.stdout.trim().split('\n').map((line) => JSON.parse(line) as Entry);
    expect(written.map((e) => e.type)).toEqual(expect.arrayContaining(['incident.declared', 'slot.acked']));

    // the chain as written verifies, over all incidents and for INC-1 alone
    const ok = await muster(['audit', 'verify'], ENV);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`audit OK: ${written.length} entries in 1 incidents verify`);
    const okOne = await muster(['audit', 'verify', '--incident', 'inc-1'], ENV);
    expect(okOne.code, okOne.stderr).toBe(0);
    expect(okOne.stdout).toContain('audit OK');

    // export: one JSON object per entry, in seq order, the same entries the console printed
    const exported = await muster(['audit', 'export'], ENV);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain(`exported ${written.length} audit entries`);
    const lines = exported.stdout.split('\n').filter((line) => line.trim() !== '');
    const entries = lines.map((line) => JSON.parse(line) as Entry);
    expect(entries.map((e) => e.seq)).toEqual(written.map((e) => e.seq));
    expect(entries.map((e) => e.hash)).toEqual(written.map((e) => e.hash));
    expect(entries.every((e) => e.incident === 'INC-1' && typeof e.prevHash === 'string')).toBe(true);

    // tamper: find the timeline list under the prefix and rewrite the ack entry
    const timelines = (await sandbox.keys()).filter((key) => key.startsWith(`${PREFIX}timeline:`));
    expect(timelines).toEqual([`${PREFIX}timeline:INC-1`]);
    const key = timelines[0]!;
    const raw = await sandbox.redis.lrange(key, 0, -1);
    expect(raw).toHaveLength(written.length);
    const index = raw.findIndex((text) => (JSON.parse(text) as Entry).type === 'slot.acked');
    expect(index).toBeGreaterThan(0);
    const original = JSON.parse(raw[index]!) as Entry;
    await sandbox.redis.lset(key, index, JSON.stringify({ ...original, person: 'mallory' }));

    const broken = await muster(['audit', 'verify'], ENV);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`audit FAILED: INC-1 entry ${original.seq} (slot.acked)`);
    expect(broken.stdout).toContain('content was changed');
    const brokenOne = await muster(['audit', 'verify', '--incident', 'INC-1'], ENV);
    expect(brokenOne.code).toBe(1);
    expect(brokenOne.stdout).toContain(`INC-1 entry ${original.seq}`);

    // putting the original back makes it verify again: the failure was the edit, nothing else
    await sandbox.redis.lset(key, index, raw[index]!);
    const restored = await muster(['audit', 'verify'], ENV);
    expect(restored.code, restored.stdout).toBe(0);
  }, 120_000);
});
