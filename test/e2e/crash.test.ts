/**
 * Issue 13: the composition root turns an unhandled rejection into a log line
 * and a non-zero exit, in a real Node process (Node 20 would otherwise print a
 * stack and exit 1 without a JSON log line, or, with other flags, carry on).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli.js';

const run = promisify(execFile);

const SCRIPT = `
const { register } = await import('tsx/esm/api');
register();
const { exitOnUnhandledRejection } = await import(${JSON.stringify(join(ROOT, 'src', 'main', 'crash.ts'))});
const pino = (await import('pino')).default;
exitOnUnhandledRejection(pino({ level: 'info' }, pino.destination(1)));
Promise.reject(new Error('lease store went away'));
setTimeout(() => { console.log('STILL RUNNING'); }, 5000);
`;

describe('an unhandled rejection in the running bot', () => {
  it('is logged at error level and ends the process with status 70', async () => {
    const result = await run(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: ROOT, timeout: 60_000 }).then(
      (ok) => ({ code: 0, stdout: ok.stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result.code).toBe(70);
    expect(result.stdout).not.toContain('STILL RUNNING');
    const line = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { level: number; msg: string; err: { message: string } };
    expect(line).toMatchObject({ level: 50, msg: 'unhandled promise rejection: exiting so the supervisor restarts the bot', err: { message: 'lease store went away' } });
  });
});
