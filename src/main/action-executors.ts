import { ExecExecutor } from '../../adapters/executors/exec.js';
import { HttpExecutor } from '../../adapters/executors/http.js';
import { actionSecrets } from '../config/action-secrets.js';
import type { MusterConfig } from '../config/schema.js';
import type { MusterEnv } from '../config/env.js';
import { describeProblem, unreadyActions } from '../actions/readiness.js';
import type { ActionExecutors } from '../actions/ports.js';
import { translator } from '../i18n/catalog.js';

/** The executors of privileged actions, with the secrets the environment holds (read once, here). */
export function actionExecutors(config: MusterConfig, env: Pick<MusterEnv, 'raw'>): ActionExecutors {
  const { secrets } = actionSecrets(config.actions, env.raw ?? {});
  return {
    http: new HttpExecutor({ secrets }),
    exec: new ExecExecutor({ allowedPrograms: config.actions.allowedPrograms }),
  };
}

/**
 * One line per configured action that cannot run on this machine (a secret
 * unset, a program absent or not executable): said by `muster validate` and
 * at start-up, before anyone needs the action in an incident.
 */
export function actionWarnings(config: MusterConfig, executors: ActionExecutors): Array<{ action: string; text: string }> {
  const t = translator(config.locale);
  return unreadyActions(config, executors).map(({ action, problem }) => ({ action, text: t('startup.actionCannotRun', { action, problem: describeProblem(t, problem) }) }));
}
