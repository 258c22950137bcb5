import type { AudiencesConfig } from './audiences.js';
import { ConfigError, type ConfigProblem } from './problems.js';

/**
 * Reads the secrets that muster.yaml names by environment variable (webhook
 * audiences' `secretEnv`), once, at start. A missing one stops start-up with
 * the variable's name; the values never leave this map.
 */
export function webhookSecrets(audiences: AudiencesConfig, env: Readonly<Record<string, string | undefined>> = process.env): Map<string, string> {
  const secrets = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const [name, audience] of Object.entries(audiences)) {
    if (audience.kind !== 'webhook') continue;
    const value = env[audience.secretEnv]?.trim();
    if (value) secrets.set(name, value);
    else problems.push({ file: 'environment', path: audience.secretEnv, message: `audience "${name}" needs its webhook secret`, hint: `set ${audience.secretEnv}` });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return secrets;
}
