import type { MusterConfig } from '../config/schema.js';
import type { Translate } from '../i18n/catalog.js';
import type { ActionExecutors, ExecutorProblem } from './ports.js';
import type { NamedAction } from './schema.js';

/**
 * Whether an action can run on this machine as configured: its executor is
 * there and says it is ready (secret present, program present and
 * executable). Asked before anyone is asked to approve, at every start, by
 * `muster validate` and at start-up, so an action bound to fail says so first.
 */
export function actionProblem(executors: ActionExecutors, action: NamedAction): ExecutorProblem | undefined {
  const executor = executors[action.executor.kind];
  if (!executor) return { problem: 'no_executor', kind: action.executor.kind };
  return executor.readiness?.(action);
}

/** Every configured action that cannot run, by name, in catalogue order. */
export function unreadyActions(config: MusterConfig, executors: ActionExecutors): Array<{ action: string; problem: ExecutorProblem }> {
  return Object.entries(config.actions.catalog).flatMap(([name, spec]) => {
    const problem = actionProblem(executors, { ...spec, name });
    return problem ? [{ action: name, problem }] : [];
  });
}

/** The reason in the reader's words: what is wrong and what to do about it. */
export function describeProblem(t: Translate, problem: ExecutorProblem): string {
  switch (problem.problem) {
    case 'no_executor':
      return t('actionProblem.no_executor', { kind: problem.kind });
    case 'secret_missing':
      return t('actionProblem.secret_missing', { variable: problem.variable });
    default:
      return t(`actionProblem.${problem.problem}`, { program: problem.program });
  }
}
