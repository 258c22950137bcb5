/**
 * What the console shows a person on the shipped config: no pino JSON among
 * the chat lines (the log goes to the file it names), the webhook audience
 * said to be off once instead of "undeliverable" per event, and the tags
 * explained before the first tagged line.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MusterProcess, NEVER_MS } from './console-process.js';

const SCRIPT = [
  'sarah: /incident declare Checkout is failing sev=P1 service=checkout',
  'sarah: /incident update INC-1 rolling back the 14:02 deploy',
  'sarah: /incident resolve INC-1 rolled back',
  'quit',
].join('\n');

async function play(extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'muster-console-output-'));
  writeFileSync(join(dir, 'p1.script'), SCRIPT);
  const bot = new MusterProcess(['console', '--script', join(dir, 'p1.script')], extraEnv);
  bot.end();
  const code = await bot.exited;
  return { code, stdout: bot.stdout, stderr: bot.stderr, logFile: bot.logFile };
}

let debugRun: ReturnType<typeof play> | undefined;
/** One run at debug level, read by the tests below. */
const playAtDebug = () => (debugRun ??= play({ MUSTER_LOG_LEVEL: 'debug' }));

describe('console output on the shipped config', () => {
  it('keeps pino JSON out of the terminal, in the log file it names at start', async () => {
    const run = await playAtDebug();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout.split('\n')[1]).toBe(`Log: ${run.logFile} (MUSTER_LOG_FILE moves it, MUSTER_LOG_LEVEL sets how much). Warnings also show here.`);
    for (const stream of [run.stdout, run.stderr]) expect(stream).not.toMatch(/^\s*\{"level"/m);
    // Without a dist/ build the bin says once that it runs the sources (development); nothing else may go to stderr.
    expect(run.stderr.replace(/^muster: no dist\/ build, so running the TypeScript sources through tsx.*\n/, '')).toBe('');
    expect(existsSync(run.logFile)).toBe(true);
    const records = readFileSync(run.logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(records.some((record) => record.msg === 'muster started')).toBe(true);
    // A warning is in the file and shown once as one plain line (the shipped config lacks DBCTL_FAILOVER_SECRET).
    const warnings = records.filter((record) => record.level === 40);
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) expect(run.stdout).toContain(`⚠ ${warning.msg}`);
  }, NEVER_MS);

  it('says once that the status-page webhook is off, and never calls its events undeliverable', async () => {
    const run = await playAtDebug();
    expect(run.code).toBe(0);
    const off = 'Webhook audiences are off in the console: status-page will not be notified';
    expect(run.stdout.split(off)).toHaveLength(2);
    const log = readFileSync(run.logFile, 'utf8');
    for (const text of [run.stdout, log]) {
      expect(text).not.toContain('cannot be delivered');
      expect(text).not.toContain('STATUSPAGE_SECRET');
    }
    // Each skipped event is a debug line in the log: declared, update and resolved reach the audience.
    const skipped = log.split('\n').filter((line) => line.includes('webhook audience skipped')).map((line) => (JSON.parse(line) as { event: string }).event);
    expect(skipped).toEqual(['declared', 'update', 'resolved']);
  }, NEVER_MS);

  it('explains [#general] before the first line that carries it', async () => {
    const run = await play();
    const explained = run.stdout.indexOf('[#general] is the console channel you type in');
    const first = run.stdout.search(/^\[#general\] /m);
    expect(explained).toBeGreaterThan(-1);
    expect(first).toBeGreaterThan(explained);
  }, NEVER_MS);

  it('an unwritable MUSTER_LOG_FILE is a start-up error that says what to set', async () => {
    const run = await play({ MUSTER_LOG_FILE: '/dev/null/muster.log' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('muster: Cannot write the console log /dev/null/muster.log');
    expect(run.stderr).toContain('Hint: set MUSTER_LOG_FILE');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, NEVER_MS);
});
