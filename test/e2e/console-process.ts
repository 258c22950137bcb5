/**
 * The real `muster` binary as a running process a test talks to: it writes
 * lines to its stdin and waits for what it prints (an event), never for a
 * guessed number of seconds. The bound on each wait is generous and only
 * trips when the awaited output truly never comes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** Long enough for a cold tsx start on a loaded machine; reached only when the process hangs. */
export const NEVER_MS = 90_000;

/** Variables that would switch the bot to a chat platform, Redis, a config or HTTP port the test did not choose. */
const INHERITED = [
  'REDIS_URL', 'MUSTER_CONFIG', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'DISCORD_TOKEN',
  'MUSTER_HTTP_PORT', 'MUSTER_HOOK_TOKEN', 'MUSTER_HOOK_SECRET', 'MUSTER_DASHBOARD_TOKEN', 'MUSTER_LOG_FILE', 'MUSTER_LOG_LEVEL', 'LOG_LEVEL',
];

export class MusterProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;
  /** The log file this process was told to use (a fresh temp folder). */
  readonly logFile: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters = new Set<() => void>();
  private exitCode: number | undefined;

  constructor(args: string[], extraEnv: Record<string, string> = {}) {
    this.logFile = join(mkdtempSync(join(tmpdir(), 'muster-console-')), 'muster.log');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of INHERITED) delete env[name];
    Object.assign(env, { MUSTER_LOG_FILE: this.logFile }, extraEnv);
    this.child = spawn(process.execPath, [join(ROOT, 'bin', 'muster.js'), ...args], { cwd: ROOT, env });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.grew(() => (this.stdout += chunk)));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.grew(() => (this.stderr += chunk)));
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.exitCode = code ?? -1;
        this.grew(() => undefined);
        resolve(this.exitCode);
      }),
    );
  }

  /** Types lines at the console. */
  send(text: string): void {
    this.child.stdin.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Ends the input, as Ctrl-D would. */
  end(): void {
    this.child.stdin.end();
  }

  /** Resolves once `seen` holds for what the process printed; rejects if it exits first or never prints it. */
  async waitFor(what: string, seen: (out: { stdout: string; stderr: string }) => boolean, timeoutMs = NEVER_MS): Promise<void> {
    if (seen(this)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${what}: not printed within ${timeoutMs / 1000} s\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`)), timeoutMs);
      const check = () => {
        if (seen(this)) finish();
        else if (this.exitCode !== undefined) finish(new Error(`${what}: the process exited (${this.exitCode}) first\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`));
      };
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
    });
  }

  kill(): void {
    if (this.exitCode === undefined) this.child.kill('SIGTERM');
  }

  private grew(append: () => void): void {
    append();
    for (const check of [...this.waiters]) check();
  }
}
