/**
 * Issue 13 through the real CLI on the real Redis: the console writes two
 * incidents with MUSTER_AUDIT_SINK set; `audit verify --against` passes; a
 * different MUSTER_AUDIT_KEY fails; deleting INC-1 (record, timeline, index
 * entries) makes verify name it, and the sink names its first entry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';
import { redisSandbox } from './redis-sandbox.js';

const sandbox = redisSandbox('audit-keyed');
const PREFIX = sandbox.prefix;

describe('muster audit verify with the key, the ledger and the sink (production mode)', () => {
  it('passes against its sink, fails under another key, and names a deleted incident', async () => {
    const script = join(sandbox.dir, 'two.script');
    const sink = join(sandbox.dir, 'audit.jsonl');
    const env = { ...sandbox.env, MUSTER_AUDIT_SINK: sink };
    writeFileSync(script, 'alice: /incident declare Checkout is failing sev=P3 service=checkout\nalice: /incident declare Search is slow sev=P3 service=checkout anyway=yes\n');
    const played = await muster(['console', '--config', join(FIXTURES, 'fast.yaml'), '--script', script], env);
    expect(played.code, played.stderr).toBe(0);
    const lines = readFileSync(sink, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);

    const ok = await muster(['audit', 'verify', '--against', sink], sandbox.env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`audit OK: ${lines.length} entries in 2 incidents verify`);
    expect(ok.stdout).toContain(`sink OK: all ${lines.length} entries of ${sink} are in the store, unchanged`);

    const otherKey = await muster(['audit', 'verify'], { ...sandbox.env, MUSTER_AUDIT_KEY: 'f'.repeat(64) });
    expect(otherKey.code).toBe(1);
    expect(otherKey.stdout).toContain('audit FAILED: INC-1 entry 1');

    const doc = JSON.parse((await sandbox.redis.hget(`${PREFIX}incident:INC-1`, 'doc'))!) as { room: string };
    await sandbox.redis.del(`${PREFIX}incident:INC-1`, `${PREFIX}timeline:INC-1`);
    await sandbox.redis.zrem(`${PREFIX}active`, 'INC-1');
    await sandbox.redis.zrem(`${PREFIX}recent`, 'INC-1');
    await sandbox.redis.hdel(`${PREFIX}rooms`, doc.room);

    const deleted = await muster(['audit', 'verify', '--against', sink], sandbox.env);
    expect(deleted.code).toBe(1);
    expect(deleted.stdout).toMatch(/audit FAILED: INC-1: is missing: the signed ledger says it was declared at .*, but its record is gone \(deleted\)/);
    expect(deleted.stdout).toContain(`audit FAILED against ${sink}: INC-1 entry 1 (incident.declared): is in the sink but missing from the store (deleted or rolled back)`);

    // With the ledger entry gone as well, the counter still names it.
    await sandbox.redis.hdel(`${PREFIX}ledger`, '1');
    const both = await muster(['audit', 'verify'], sandbox.env);
    expect(both.stdout).toContain('audit FAILED: INC-1: is missing: number 1 was allocated');
  }, 180_000);
});
