import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';
import { TEST_AUDIT_SECRET } from '../support/audit-key.js';

const FAST = join(FIXTURES, 'fast.yaml');

describe('start-up faults end in a message and exit 1, never a stack trace', () => {
  it('Redis unreachable in production mode: names the URL without its password, with a hint', async () => {
    const result = await muster(['console', '--config', FAST, '--script', '/dev/null'], {
      REDIS_URL: 'redis://ops:hunter2@127.0.0.1:1/0',
      MUSTER_AUDIT_KEY: TEST_AUDIT_SECRET,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot reach Redis at redis://ops:***@127.0.0.1:1/0');
    expect(result.stderr).toContain('Hint:');
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a broken config stops start with every problem listed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-start-'));
    const file = join(dir, 'muster.yaml');
    writeFileSync(file, 'people: {}\nteams: {}\nroles: { tech: { team: nobody } }\nseverities: { P1: { roles: [tech, ghost], escalation: none } }\nescalation: {}\nservices: {}\ndutyManager: { person: nobody }\n');
    const result = await muster(['start', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/problem\(s\)/);
    for (const path of ['roles.tech.team', 'severities.P1.roles[1]', 'severities.P1.escalation', 'dutyManager.person']) {
      expect(result.stderr).toContain(path);
    }
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad environment variable is named', async () => {
    const result = await muster(['validate', FAST], { MUSTER_LOG_LEVEL: 'loud' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MUSTER_LOG_LEVEL');
  });
});

describe('the audit key at start-up', () => {
  it('production mode without MUSTER_AUDIT_KEY stops with the way to make one, before touching Redis', async () => {
    const result = await muster(['console', '--config', FAST, '--script', '/dev/null'], { REDIS_URL: 'redis://127.0.0.1:1/0', MUSTER_AUDIT_KEY: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Production mode (REDIS_URL is set) needs an audit key');
    expect(result.stderr).toContain('openssl rand -hex 32');
    expect(result.stderr).not.toContain('Cannot reach Redis');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('`audit verify` on Redis without the key says it needs it', async () => {
    const result = await muster(['audit', 'verify'], { REDIS_URL: 'redis://127.0.0.1:1/0', MUSTER_AUDIT_KEY: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('`audit verify` needs the audit key');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
