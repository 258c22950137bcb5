import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, parseYamlFile, type ConfigProblem } from '../config/load.js';
import type { MusterConfig, Severity } from '../config/schema.js';
import { playbookReferences } from './references.js';
import { playbookSchema, type Playbook } from './schema.js';

/**
 * The playbooks Muster knows: every *.yaml in the playbooks folder next to
 * muster.yaml, else the shipped ones. Loaded and checked once at start; one
 * ConfigError lists every problem in every file.
 */
export class PlaybookLibrary {
  constructor(readonly playbooks: readonly Playbook[]) {}

  get(id: string): Playbook | undefined {
    return this.playbooks.find((playbook) => playbook.id === id);
  }

  /** The first non-drill playbook matching the service and severity, if any. */
  match(service: string | undefined, severity: Severity): Playbook | undefined {
    return this.playbooks.find((playbook) => {
      const match = playbook.match;
      if (!match || playbook.drill) return false;
      const serviceOk = match.services.length === 0 || (service !== undefined && match.services.includes(service));
      const severityOk = match.severities.length === 0 || match.severities.includes(severity);
      return serviceOk && severityOk;
    });
  }

  ids(): string[] {
    return this.playbooks.map((playbook) => playbook.id);
  }
}

export const EMPTY_LIBRARY = new PlaybookLibrary([]);

/**
 * The playbooks a config names (`playbooks:` is a folder relative to the
 * config file); none when it names none. Problems stop start-up like config
 * problems do.
 */
export function libraryFor(config: MusterConfig, configFile: string | undefined): PlaybookLibrary {
  const folder = config.playbooks;
  if (!folder) return EMPTY_LIBRARY;
  const dir = resolve(configFile ? dirname(resolve(configFile)) : process.cwd(), folder);
  if (!existsSync(dir)) {
    throw new ConfigError([{ file: configFile ?? 'muster.yaml', path: 'playbooks', message: `playbook folder ${dir} does not exist`, hint: 'point playbooks: at a folder of *.yaml playbooks, relative to this file' }]);
  }
  const library = loadPlaybooks(dir, config);
  checkDrillScenarios(config, library, configFile ?? 'muster.yaml');
  return library;
}

/** Each drill schedule must name a playbook marked `drill: true`. */
function checkDrillScenarios(config: MusterConfig, library: PlaybookLibrary, file: string): void {
  const drills = config.drills;
  const scenarios = library.playbooks.filter((playbook) => playbook.drill).map((playbook) => playbook.id);
  const problems: ConfigProblem[] = Object.entries(drills)
    .filter(([, schedule]) => !scenarios.includes(schedule.scenario))
    .map(([id, schedule]) => ({ file, path: `drills.${id}.scenario`, message: `"${schedule.scenario}" is not a drill playbook`, hint: `use one of: ${scenarios.join(', ') || '(none: mark a playbook drill: true)'}` }));
  if (problems.length > 0) throw new ConfigError(problems);
}

export function loadPlaybooks(dir: string, config: MusterConfig): PlaybookLibrary {
  if (!existsSync(dir)) return EMPTY_LIBRARY;
  const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort();
  const problems: ConfigProblem[] = [];
  const loaded: Array<{ playbook: Playbook; file: string }> = [];
  for (const name of files) {
    const file = join(dir, name);
    try {
      loaded.push({ playbook: parseYamlFile(readFileSync(file, 'utf8'), file, playbookSchema, playbookReferences(config)), file });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  const seen = new Map<string, string>();
  for (const { playbook, file } of loaded) {
    const other = seen.get(playbook.id);
    if (other) problems.push({ file, path: 'id', message: `playbook id "${playbook.id}" is also used by ${other}`, hint: 'give each playbook its own id' });
    seen.set(playbook.id, file);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new PlaybookLibrary(loaded.map((entry) => entry.playbook));
}
