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

/** Runs a privileged action (adapters/executors); it is called only after the start entry is committed. */
export interface ActionExecutor {
  run(action: NamedAction, params: ActionParams, context: ActionContext): Promise<ActionOutcome>;
}

export type ExecutorKind = NamedAction['executor']['kind'];
export type ActionExecutors = Partial<Record<ExecutorKind, ActionExecutor>>;
