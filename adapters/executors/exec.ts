import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { expandArgs } from '../../src/actions/params.js';
import type { ActionContext, ActionExecutor, ActionOutcome, ExecutorProblem } from '../../src/actions/ports.js';
import type { NamedAction } from '../../src/actions/schema.js';
import type { ActionParams } from '../../src/actions/types.js';

export interface ExecExecutorOptions {
  /** actions.allowedPrograms: checked again here, whatever the config loader said. */
  allowedPrograms: readonly string[];
  /** Environment of the child; default only PATH and LANG, so the bot's secrets never reach it. */
  env?: Readonly<Record<string, string>>;
  /** After a timeout's SIGTERM, how long before SIGKILL (default 2 s). */
  killGraceMs?: number;
}

/**
 * Runs an allow-listed program with an argument array: no shell, ever. A
 * parameter lands in exactly one argv element, so "; rm -rf /" or "$(id)" is
 * just text to the program. The timeout kills the process; stdout and stderr
 * are kept up to maxOutput bytes.
 */
export class ExecExecutor implements ActionExecutor {
  private readonly allowed: ReadonlySet<string>;

  constructor(private readonly options: ExecExecutorOptions) {
    this.allowed = new Set(options.allowedPrograms);
  }

  /** The program must be allow-listed, exist as a file and be executable by the bot, or nobody is asked to approve it. */
  readiness(action: NamedAction): ExecutorProblem | undefined {
    const executor = action.executor;
    if (executor.kind !== 'exec') return { problem: 'no_executor', kind: executor.kind };
    const program = executor.program;
    if (!program.startsWith('/') || !this.allowed.has(program)) return { problem: 'program_not_allowed', program };
    try {
      if (!statSync(program).isFile()) return { problem: 'program_missing', program };
    } catch {
      return { problem: 'program_missing', program };
    }
    try {
      accessSync(program, constants.X_OK);
    } catch {
      return { problem: 'program_not_executable', program };
    }
    return undefined;
  }

  async run(action: NamedAction, params: ActionParams, context: ActionContext): Promise<ActionOutcome> {
    const executor = action.executor;
    if (executor.kind !== 'exec') return { ok: false, status: 'refused', output: `${action.name} is not an exec action`, durationMs: 0 };
    if (!executor.program.startsWith('/') || !this.allowed.has(executor.program)) {
      return { ok: false, status: 'refused', output: `${executor.program} is not an allowed program`, durationMs: 0 };
    }
    const argv = expandArgs(executor.args, params);
    const env = {
      ...(this.options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8' }),
      MUSTER_INCIDENT: context.incident,
      MUSTER_ACTION: action.name,
      MUSTER_RUN: context.run,
      MUSTER_REQUESTED_BY: context.requestedBy,
    };
    return this.spawn(executor.program, argv, env, executor.timeout, executor.maxOutput);
  }

  private spawn(program: string, argv: string[], env: Record<string, string>, timeoutMs: number, maxOutput: number): Promise<ActionOutcome> {
    const started = performance.now();
    return new Promise((resolve) => {
      const output = new Capped(maxOutput);
      let timedOut = false;
      const child = spawn(program, argv, { shell: false, env, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
      const grace = this.options.killGraceMs ?? 2_000;
      let killer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        killer = setTimeout(() => child.kill('SIGKILL'), grace);
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => output.add(chunk));
      child.stderr.on('data', (chunk: Buffer) => output.add(chunk));
      const finish = (status: number | string, ok: boolean, extra = '') => {
        clearTimeout(timer);
        if (killer) clearTimeout(killer);
        resolve({ ok, status, output: output.text() + extra, durationMs: Math.round(performance.now() - started) });
      };
      child.on('error', (error) => finish('error', false, error.message));
      child.on('close', (code, signal) => {
        if (timedOut) finish('timeout', false, `\n[killed after ${timeoutMs} ms]`);
        else if (code === null) finish(signal ?? 'killed', false);
        else finish(code, code === 0);
      });
    });
  }
}

/** Keeps the first `limit` bytes and counts the rest. */
class Capped {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    const room = this.limit - this.kept;
    if (room > 0) {
      const part = chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(0, room));
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `${text}\n[${this.dropped} more bytes cut]` : text;
  }
}
