import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';

interface EventLine {
  type: string;
  incident: string;
  at: string;
  role?: string;
  person?: string;
  data: Record<string, unknown>;
}

describe('console --script --json', () => {
  it('plays a P1 to assembled and another to a deadline breach', async () => {
    const result = await muster(['console', '--config', join(FIXTURES, 'fast.yaml'), '--script', join(FIXTURES, 'two-p1s.script'), '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('EMBEDDED MODE');
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as EventLine);
    for (const event of events) {
      expect(event).toHaveProperty('type');
      expect(event).toHaveProperty('incident');
      expect(Number.isNaN(Date.parse(event.at))).toBe(false);
    }
    const one = events.filter((e) => e.incident === 'INC-1');
    expect(one[0]?.type).toBe('incident.declared');
    const firstPages = one.filter((e) => e.type === 'page.sent' && e.data.step === 0);
    expect(firstPages.map((e) => `${e.role}:${e.person}`).sort()).toEqual(
      ['commander:bob', 'comms:frank', 'ops:dan', 'product:erin', 'tech:carol'],
    );
    expect(one.find((e) => e.type === 'escalation.step')).toMatchObject({ role: 'comms', data: { via: 'backup', targets: ['mia'] } });
    expect(one.filter((e) => e.type === 'slot.acked').map((e) => e.person)).toEqual(['bob', 'carol', 'dan', 'erin', 'mia']);
    const assembled = one.find((e) => e.type === 'incident.assembled');
    expect(assembled?.data.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(one.some((e) => e.type === 'assembly.breached')).toBe(false);

    const two = events.filter((e) => e.incident === 'INC-2');
    const breach = two.find((e) => e.type === 'assembly.breached');
    expect(breach?.data).toMatchObject({ missing: ['tech', 'ops', 'product', 'comms'], dutyManager: 'ivan' });
    expect(two.find((e) => e.type === 'page.sent' && e.role === 'duty-manager')?.person).toBe('ivan');
    expect(two.some((e) => e.type === 'incident.assembled')).toBe(false);
    // the human side went to stderr, tagged by destination
    expect(result.stderr).toContain('[DM @ivan]');
    expect(result.stderr).toMatch(/\[#inc-1-checkout-is-failing\] ✓ Team assembled in 0:0\d\./);
  });

  it('fails a script line it cannot understand, with the line number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-e2e-'));
    writeFileSync(join(dir, 'bad.script'), 'alice /incident list\nsleep soon\n');
    const result = await muster(['console', '--config', join(FIXTURES, 'fast.yaml'), '--script', join(dir, 'bad.script')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('(script line 1)');
    expect(result.stdout).toContain('bad duration "soon"');
  });
});

describe('validate and schema', () => {
  it('accepts the shipped configs', async () => {
    for (const file of ['examples/muster.yaml', 'examples/demo.yaml']) {
      const result = await muster(['validate', file]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('OK');
    }
  });

  it('start-up warns about each action the machine cannot run, before anyone needs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-e2e-'));
    const script = join(dir, 'quit.script');
    writeFileSync(script, 'quit\n');
    const result = await muster(['console', '--config', 'examples/muster.yaml', '--script', script], { DBCTL_FAILOVER_SECRET: '' });
    expect(result.code, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('action "rollback" cannot run: /opt/muster/bin/rollback does not exist on the bot\'s machine');
  });

  it('warns about each action the machine cannot run (secret unset, program absent), and still exits 0', async () => {
    const result = await muster(['validate', 'examples/muster.yaml'], { DBCTL_FAILOVER_SECRET: '' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('muster: warning: action "db-failover" cannot run: its secret is not set (set DBCTL_FAILOVER_SECRET');
    expect(result.stderr).toContain('muster: warning: action "rollback" cannot run: /opt/muster/bin/rollback does not exist on the bot\'s machine');
  });

  it('lists every problem with file, line, path and hint, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-e2e-'));
    const file = join(dir, 'broken.yaml');
    const text = readFileSync(join(FIXTURES, 'fast.yaml'), 'utf8')
      .replace('primary: [carol]', 'primary: [zed]')
      .replace('assemble: 3s', 'assemble: soon');
    writeFileSync(file, text);
    const result = await muster(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+\s+teams\.payments\.rotation\.primary\[0\]/);
    expect(result.stderr).toContain('zed');
    expect(result.stderr).toMatch(/severities\.P1\.assemble/);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('prints the JSON Schema', async () => {
    const result = await muster(['schema']);
    const schema = JSON.parse(result.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['people', 'teams', 'severities', 'escalation']));
  });
});
