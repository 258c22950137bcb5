import type { NamedAction } from './schema.js';
import type { ActionParams } from './types.js';

/** What an executor knows about the run it performs; it goes into a signed body or the child's environment. */
export interface ActionContext {
  incident: string;
  run: string;
  requestedBy: string;
  /** Epoch milliseconds of the start entry. */
  at: number;
}

/**
 * The outcome of one run. `status` is the exit code or HTTP status, or a word
 * ("timeout", "error", "refused") when there is none; `output` is already cut
 * to a sane size and never carries a secret the executor holds.
 */
export interface ActionOutcome {
  ok: boolean;
  status: number | string;
  output: string;
  durationMs: number;
}

/**
 * Why an action cannot run on this machine as configured: found before anyone
 * is asked to approve it, so nobody approves a run that is bound to fail.
 */
export type ExecutorProblem =
  | { problem: 'no_executor'; kind: string }
  | { problem: 'secret_missing'; variable: string }
  | { problem: 'program_not_allowed'; program: string }
  | { problem: 'program_missing'; program: string }
  | { problem: 'program_not_executable'; program: string };

/** Runs a privileged action (adapters/executors); it is called only after the start entry is committed. */
export interface ActionExecutor {
  run(action: NamedAction, params: ActionParams, context: ActionContext): Promise<ActionOutcome>;
  /** What stops `action` from running here now (a secret unset, a program absent), checked before approval and before each start. */
  readiness?(action: NamedAction): ExecutorProblem | undefined;
}

export type ExecutorKind = NamedAction['executor']['kind'];
export type ActionExecutors = Partial<Record<ExecutorKind, ActionExecutor>>;
