/**
 * bin/muster.js runs the compiled dist/ and refuses one older than the
 * sources. Everything happens in a temporary copy of the package (node_modules
 * linked), built once with the real `npm run build` script, so the checkout's
 * own dist/ is never touched. Staleness is set with explicit file times, not
 * by waiting for the clock.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type CliResult } from './cli.js';

const run = promisify(execFile);
const COPIED = ['bin', 'scripts', 'src', 'adapters', 'examples', 'playbooks', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
/** What the Docker image's runtime stage holds: no sources, no tsconfig. */
const IMAGE_LAYOUT = ['bin', 'dist', 'examples', 'playbooks', 'package.json'];
const BUILD_MS = 240_000;
const SOURCE_NOTICE = 'running the TypeScript sources through tsx';
/**
 * What validate warns about the shipped example: it pages by chat only (one
 * line, with where to add paging:), and its actions cannot run on a machine
 * without their secret and program.
 */
const exampleWarnings = (file: string) =>
  `muster: warning: ${file}:10:1  paging: no paging provider is configured: the 15 people who can be paged for a P1 are reached by chat only `
  + '(anna, chen, david, diego, fatima, jonas, lena, marcus, mei, olivia, priya, sarah, tom, wei, yuki) — hint: configure paging: (twilio, ntfy, pushover or pagerduty) '
  + 'and give each a phone, ntfy, pushover or pagerduty key\n'
  + EXAMPLE_ACTION_WARNINGS;
const EXAMPLE_ACTION_WARNINGS =
  'muster: warning: action "db-failover" cannot run: its secret is not set (set DBCTL_FAILOVER_SECRET in the bot\'s environment and restart it)\n'
  + 'muster: warning: action "rollback" cannot run: /opt/muster/bin/rollback does not exist on the bot\'s machine\n';

let work: string;
let image: string;

function copyPackage(from: string, names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'muster-compiled-'));
  for (const name of names) cpSync(join(from, name), join(dir, name), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Runs `node <dir>/bin/muster.js …` from an empty folder, without REDIS_URL or MUSTER_CONFIG. */
async function bin(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.REDIS_URL;
  delete env.MUSTER_CONFIG;
  delete env.DBCTL_FAILOVER_SECRET;
  if (!('NODE_ENV' in extraEnv)) delete env.NODE_ENV;
  const cwd = mkdtempSync(join(tmpdir(), 'muster-cwd-'));
  try {
    const { stdout, stderr } = await run(process.execPath, [join(dir, 'bin', 'muster.js'), ...args], { cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function stampedMtimeMs(dir: string): number {
  return (JSON.parse(readFileSync(join(dir, 'dist', 'build-stamp.json'), 'utf8')) as { sourcesMtimeMs: number }).sourcesMtimeMs;
}

/** Sets a path's modification time `deltaMs` away from the build's stamp. */
function setMtimeFromStamp(path: string, dir: string, deltaMs: number): void {
  const at = new Date(stampedMtimeMs(dir) + deltaMs);
  utimesSync(path, at, at);
}

describe('bin/muster.js runs dist/ only when it is as new as the sources', () => {
  beforeAll(async () => {
    work = copyPackage(ROOT, COPIED);
    await run(process.execPath, [join(work, 'scripts', 'build.js')], { cwd: work, timeout: BUILD_MS });
    image = copyPackage(work, IMAGE_LAYOUT);
  }, BUILD_MS + 10_000);

  afterAll(() => {
    for (const dir of [work, image]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a fresh build runs from dist/ and finds the shipped example and its playbooks', async () => {
    const result = await bin(work, ['validate']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${join(work, 'examples', 'muster.yaml')}: OK (15 people, 7 teams, 6 services, 6 playbooks)\n`);
    expect(result.stderr).toBe(exampleWarnings(join(work, 'examples', 'muster.yaml')));
  });

  it('the image layout (dist/, no sources, no TypeScript) runs', async () => {
    const result = await bin(image, ['validate', join(image, 'examples', 'muster.yaml')], { NODE_ENV: 'production' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('OK (15 people, 7 teams, 6 services, 6 playbooks)');
    expect(result.stderr).toBe(exampleWarnings(join(image, 'examples', 'muster.yaml')));
  });

  it('a source newer than the build is refused with one line naming it and the fix, until the build is as new again', async () => {
    const source = join(work, 'src', 'clock.ts');
    setMtimeFromStamp(source, work, 60_000);
    const stale = await bin(work, ['validate']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toBe('');
    expect(stale.stderr).toBe('muster: dist/ is older than src/clock.ts (changed since the last build): run npm run build\n');

    setMtimeFromStamp(source, work, 0);
    const again = await bin(work, ['validate']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('a file deleted from the sources makes the build stale through its folder', async () => {
    const folder = join(work, 'adapters', 'http');
    const before = statSync(folder).mtime;
    unlinkSync(join(folder, 'html.ts'));
    setMtimeFromStamp(folder, work, 60_000);
    const stale = await bin(work, ['validate']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe('muster: dist/ is older than adapters/http (changed since the last build): run npm run build\n');
    cpSync(join(ROOT, 'adapters', 'http', 'html.ts'), join(folder, 'html.ts'));
    setMtimeFromStamp(join(folder, 'html.ts'), work, 0);
    utimesSync(folder, before, before);
  });

  it('a dist/ without its stamp (a failed or hand-made build) is refused', async () => {
    const stamp = join(work, 'dist', 'build-stamp.json');
    const saved = readFileSync(stamp);
    unlinkSync(stamp);
    try {
      const result = await bin(work, ['validate']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^muster: dist\/ has no build stamp .*: run npm run build\n$/);
    } finally {
      writeFileSync(stamp, saved);
    }
  });

  it('no dist/: refused under NODE_ENV=production; in development the sources run through tsx, said on stderr', async () => {
    rmSync(join(work, 'dist'), { recursive: true, force: true });
    const production = await bin(work, ['validate'], { NODE_ENV: 'production' });
    expect(production.code).toBe(1);
    expect(production.stderr).toBe('muster: no dist/ build, and NODE_ENV=production runs compiled code only: run npm run build\n');

    const development = await bin(work, ['validate']);
    expect(development.code, development.stderr).toBe(0);
    expect(development.stderr).toContain(SOURCE_NOTICE);
    expect(development.stdout).toContain('OK (15 people, 7 teams, 6 services, 6 playbooks)');
  });
});
