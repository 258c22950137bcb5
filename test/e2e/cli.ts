import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, '..', '..');
export const FIXTURES = join(import.meta.dirname, 'fixtures');
/**
 * The CLI from its sources through tsx, so a test always runs the code in the
 * tree (bin/muster.js would refuse a stale dist/; compiled.test.ts covers it).
 */
export const CLI_ARGV = ['--import', 'tsx', join(ROOT, 'src', 'cli.ts')];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `muster` CLI as a user would. Embedded mode unless the test
 * passes REDIS_URL itself; MUSTER_CONFIG never leaks in from the caller.
 */
export async function muster(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  if (!('REDIS_URL' in extraEnv)) delete env.REDIS_URL;
  if (!('MUSTER_CONFIG' in extraEnv)) delete env.MUSTER_CONFIG;
  try {
    const { stdout, stderr } = await run(process.execPath, [...CLI_ARGV, ...args], { cwd: ROOT, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
