/**
 * Paging warnings with file and line (src/paging/validate.ts decides them):
 * `muster validate` checks the file alone, so every provider the file
 * configures counts as on; at start only the providers whose secrets are
 * present do. Numbers that are not E.164 are schema errors already.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { formatPath, formatProblems, type ConfigProblem } from '../config/problems.js';
import type { MusterConfig } from '../config/schema.js';
import { Locator } from '../config/yaml-source.js';
import { PROVIDERS, type ProviderName } from '../paging/port.js';
import { pagingWarnings } from '../paging/validate.js';

/** The warnings as problems, located in `file` when it can be read. */
export function pagingProblems(config: MusterConfig, enabled: ReadonlySet<ProviderName>, file?: string): ConfigProblem[] {
  const warnings = pagingWarnings(config, enabled);
  if (warnings.length === 0) return [];
  let locate: Locator | undefined;
  try {
    if (file) {
      const lines = new LineCounter();
      locate = new Locator(parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines }), lines);
    }
  } catch {
    locate = undefined;
  }
  return warnings.map((warning) => ({ file: file ?? 'muster.yaml', ...(locate?.key(warning.path) ?? {}), path: formatPath(warning.path), message: warning.message, hint: warning.hint }));
}

/** For `muster validate`: one line each, like the errors. */
export function validatePagingLines(config: MusterConfig, file: string): string[] {
  const problems = pagingProblems(config, new Set(PROVIDERS), file);
  return problems.length === 0 ? [] : formatProblems(problems).split('\n');
}
