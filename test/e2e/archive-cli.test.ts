/**
 * `muster archive` in production mode against the real Redis: resolved
 * incidents are written to a new JSON-lines file (record and timeline), and
 * only then leave Redis; active ones stay. Bad input changes nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';
import { redisSandbox } from './redis-sandbox.js';

const sandbox = redisSandbox('archive');
const ENV = { ...sandbox.env };
const PREFIX = sandbox.prefix;
const CONFIG = join(FIXTURES, 'fast.yaml');

describe('muster archive (production mode, real Redis)', () => {
  it('writes resolved incidents out, then removes them; refuses a missing cut-off, a bad date and an existing file', { timeout: 120_000 }, async () => {
    const script = join(sandbox.dir, 'two.script');
    writeFileSync(
      script,
      [
        'alice: /incident declare Checkout is failing sev=P3 service=checkout',
        'alice: /incident resolve INC-1 rolled back',
        'alice: /incident declare Search is slow sev=P3 service=checkout',
        '',
      ].join('\n'),
    );
    const played = await muster(['console', '--config', CONFIG, '--script', script], ENV);
    expect(played.code, played.stderr).toBe(0);
    const keysBefore = await sandbox.keys();
    expect(keysBefore).toContain(`${PREFIX}incident:INC-1`);

    const out = join(sandbox.dir, 'archive.jsonl');
    const noCutoff = await muster(['archive', '--config', CONFIG, '--out', out], ENV);
    expect(noCutoff.code).toBe(1);
    expect(noCutoff.stderr).toContain('--before 2026-01-31, or set retention.resolvedDays');
    expect(existsSync(out)).toBe(false);
    const badDate = await muster(['archive', '--config', CONFIG, '--out', out, '--before', '31/01/2026'], ENV);
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain('write it like 2026-01-31');

    const archived = await muster(['archive', '--config', CONFIG, '--out', out, '--before', '2999-01-01'], ENV);
    expect(archived.code, archived.stderr).toBe(0);
    expect(archived.stdout).toContain(`Archived 1 incident resolved before 2999-01-01T00:00:00.000Z to ${out}`);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { incident: { id: string; status: string }; timeline: Array<{ type: string }> });
    expect(lines.map((line) => [line.incident.id, line.incident.status])).toEqual([['INC-1', 'resolved']]);
    expect(lines[0]!.timeline.map((event) => event.type)).toEqual(expect.arrayContaining(['incident.declared', 'incident.resolved']));

    const keysAfter = await sandbox.keys();
    expect(keysAfter).not.toContain(`${PREFIX}incident:INC-1`);
    expect(keysAfter).not.toContain(`${PREFIX}timeline:INC-1`);
    // What is left of INC-1 in the store is transient (delivery claims, delivered markers) and expires by itself.
    const left = keysAfter.filter((key) => key.includes('INC-1') && !key.startsWith(`${PREFIX}bull:`));
    for (const key of left) expect(await sandbox.redis.pttl(key), key).toBeGreaterThan(0);
    expect(keysAfter).toContain(`${PREFIX}incident:INC-2`);
    const gone = await muster(['export', 'INC-1', '--config', CONFIG], ENV);
    expect(gone.code).toBe(1);
    const kept = await muster(['export', 'INC-2', '--config', CONFIG], ENV);
    expect(kept.code, kept.stderr).toBe(0);

    const again = await muster(['archive', '--config', CONFIG, '--out', out, '--before', '2999-01-01'], ENV);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
