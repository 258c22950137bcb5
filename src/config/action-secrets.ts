import type { ActionsConfig } from '../actions/schema.js';
import type { ConfigProblem } from './problems.js';

/**
 * Reads the HMAC secrets of http actions from the environment variables that
 * muster.yaml names (`secretEnv`), once, at start. An action whose secret is
 * missing is reported (not fatal): the executor refuses to run it and says
 * which variable to set. The values never leave this map and reach no log.
 */
export function actionSecrets(
  actions: ActionsConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { secrets: Map<string, string>; missing: ConfigProblem[] } {
  const secrets = new Map<string, string>();
  const missing: ConfigProblem[] = [];
  for (const [name, action] of Object.entries(actions.catalog)) {
    if (action.executor.kind !== 'http') continue;
    const value = env[action.executor.secretEnv]?.trim();
    if (value) secrets.set(name, value);
    else missing.push({ file: 'environment', path: action.executor.secretEnv, message: `action "${name}" needs its HMAC secret`, hint: `set ${action.executor.secretEnv}` });
  }
  return { secrets, missing };
}
