import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { auditKeyFrom } from '../../src/audit/key.js';
import { loadEnv } from '../../src/config/env.js';
import { ConfigError } from '../../src/config/problems.js';
import { silentLogger } from '../../src/logger.js';
import { AuditKeyMissingError, auditKeyFor } from '../../src/main/audit.js';

const SECRET = 'a3f1c9e07b5d2468a3f1c9e07b5d2468a3f1c9e07b5d2468a3f1c9e07b5d2468';

function problemsOf(env: Record<string, string>) {
  try {
    loadEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the audit key in the environment', () => {
  it('reads MUSTER_AUDIT_KEY, and the same key from MUSTER_AUDIT_KEY_FILE', () => {
    const inline = loadEnv({ MUSTER_AUDIT_KEY: SECRET }).auditKey!;
    const dir = mkdtempSync(join(tmpdir(), 'muster-key-'));
    writeFileSync(join(dir, 'audit.key'), `${SECRET}\n`, { mode: 0o600 });
    const fromFile = loadEnv({ MUSTER_AUDIT_KEY_FILE: join(dir, 'audit.key') }).auditKey!;
    expect(inline.kind).toBe('configured');
    expect(fromFile.fingerprint).toBe(inline.fingerprint);
    expect(fromFile.mac('x')).toBe(inline.mac('x'));
    expect(auditKeyFrom(`${SECRET.slice(0, -1)}0`).mac('x')).not.toBe(inline.mac('x'));
  });

  it('never prints the secret: not in JSON, not in inspect, not in the env object', () => {
    const env = loadEnv({ MUSTER_AUDIT_KEY: SECRET });
    const { raw: _raw, ...shown } = env;
    for (const text of [JSON.stringify(shown), inspect(shown, { depth: 5 }), JSON.stringify(env.auditKey), String(env.auditKey)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(Buffer.from(SECRET, 'hex').toString('base64'));
    }
  });

  it('names the problem and says how to make a key', () => {
    expect(problemsOf({ MUSTER_AUDIT_KEY: 'short' })).toEqual([
      expect.objectContaining({ path: 'MUSTER_AUDIT_KEY', message: 'the key is too short (5 characters, at least 32)', hint: expect.stringContaining('openssl rand -hex 32') }),
    ]);
    expect(problemsOf({ MUSTER_AUDIT_KEY: SECRET, MUSTER_AUDIT_KEY_FILE: '/etc/muster/key' })).toEqual([expect.objectContaining({ path: 'MUSTER_AUDIT_KEY', hint: 'set only one of them' })]);
    expect(problemsOf({ MUSTER_AUDIT_KEY_FILE: '/nonexistent/audit.key' })).toEqual([
      expect.objectContaining({ path: 'MUSTER_AUDIT_KEY_FILE', message: 'cannot read "/nonexistent/audit.key" (ENOENT)' }),
    ]);
    // A problem never echoes the key it refused.
    expect(JSON.stringify(problemsOf({ MUSTER_AUDIT_KEY: 'hunter2-short' }))).not.toContain('hunter2');
  });

  it('production mode refuses to start without a key, with the hint; embedded mode makes one up', () => {
    expect(() => auditKeyFor(loadEnv({ REDIS_URL: 'redis://127.0.0.1:6379' }), silentLogger)).toThrow(AuditKeyMissingError);
    expect(() => auditKeyFor(loadEnv({ REDIS_URL: 'redis://127.0.0.1:6379' }), silentLogger)).toThrow(/openssl rand -hex 32[\s\S]*MUSTER_AUDIT_KEY=unkeyed-i-accept-the-risk/);
    expect(auditKeyFor(loadEnv({}), silentLogger).kind).toBe('random');
    expect(auditKeyFor(loadEnv({ REDIS_URL: 'redis://127.0.0.1:6379', MUSTER_AUDIT_KEY: 'unkeyed-i-accept-the-risk' }), silentLogger).kind).toBe('unkeyed');
    expect(auditKeyFor(loadEnv({ REDIS_URL: 'redis://127.0.0.1:6379', MUSTER_AUDIT_KEY: SECRET }), silentLogger).kind).toBe('configured');
  });

  it('plain HTTP for the dashboard cookie only on loopback', () => {
    expect(loadEnv({ MUSTER_DASHBOARD_PLAIN_HTTP: '1' }).dashboardPlainHttp).toBe(true);
    expect(loadEnv({}).dashboardPlainHttp).toBeUndefined();
    expect(problemsOf({ MUSTER_DASHBOARD_PLAIN_HTTP: '1', MUSTER_HTTP_HOST: '0.0.0.0' })).toEqual([
      expect.objectContaining({ path: 'MUSTER_DASHBOARD_PLAIN_HTTP', message: 'is only allowed when MUSTER_HTTP_HOST is loopback (it is "0.0.0.0")' }),
    ]);
  });
});
