/**
 * Paging warnings (issue 14): `muster validate` names, with file and line,
 * people pageable for a P1 with no method that wakes them and methods whose
 * provider is not configured; a number that is not E.164 is an error. The
 * bot says the same at start.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_CONFIG_YAML } from '../support/fixture.js';
import { muster } from './cli.js';

const SID = `AC${'a1'.repeat(16)}`;

function configFile(people: (yaml: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'muster-paging-'));
  const file = join(dir, 'muster.yaml');
  writeFileSync(file, `${people(TEST_CONFIG_YAML)}\npaging:\n  twilio: { accountSid: ${SID}, from: "+15005550006" }\n`);
  return file;
}

describe('muster validate on paging', () => {
  it('warns with file and line about people a P1 cannot wake and methods without a provider', async () => {
    const file = configFile((yaml) => yaml
      .replace('cara: { name: Cara Commander, slack: UCARA }', 'cara: { name: Cara Commander, slack: UCARA, phone: "+4915112345678" }')
      .replace('pam: { name: Pam Payments }', 'pam: { name: Pam Payments, email: pam@example.com }'));
    const result = await muster(['validate', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('OK');
    const pete = TEST_CONFIG_YAML.split('\n').findIndex((line) => line.includes('pete: {')) + 1;
    expect(result.stderr).toContain(`muster: warning: ${file}:${pete}:3  people.pete: pete can be paged for a P1 but has no method that wakes people`);
    expect(result.stderr).toMatch(/people\.pam\.email: email is set but no email provider is configured — hint: add paging\.email/);
    expect(result.stderr).not.toContain('people.cara:');
  });

  it('refuses a number that is not E.164', async () => {
    const file = configFile((yaml) => yaml.replace('cara: { name: Cara Commander, slack: UCARA }', 'cara: { name: Cara Commander, slack: UCARA, phone: "0151 1234 5678" }'));
    const result = await muster(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/people\.cara\.phone: .*E\.164/);
  });
});
