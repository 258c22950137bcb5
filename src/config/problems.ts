/** A problem in a file Muster reads, with where it is and what to write instead. */
export interface ConfigProblem {
  file: string;
  /** 1-based; absent when the problem has no place in the file (it is missing). */
  line?: number;
  column?: number;
  /** Rendered like `teams.payments.rotation.primary[1]`; empty for the whole file. */
  path: string;
  message: string;
  hint?: string;
}

/** Thrown with every problem found; its message is the formatted list. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`configuration has ${count}:\n${formatProblems(problems)}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type Path = readonly PropertyKey[];

/** `["teams","payments","rotation","primary",1]` → `teams.payments.rotation.primary[1]`. */
export function formatPath(path: Path): string {
  return path.reduce<string>((out, segment) => {
    if (typeof segment === 'number') return `${out}[${segment}]`;
    const key = String(segment);
    if (/^[\w-]+$/.test(key)) return out ? `${out}.${key}` : key;
    return `${out}[${JSON.stringify(key)}]`;
  }, '');
}

/** One line per problem: `muster.yaml:12:7  path: message — hint: …`. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems
    .map((p) => {
      const where = [p.file, p.line, p.line === undefined ? undefined : p.column]
        .filter((part) => part !== undefined)
        .join(':');
      const what = p.path ? `${p.path}: ${p.message}` : p.message;
      return `${where}  ${what}${p.hint ? ` — hint: ${p.hint}` : ''}`;
    })
    .join('\n');
}
