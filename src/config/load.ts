import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { allowedKeys, describeAt, isDurationAt, unionForms } from './json-schema.js';
import { checkReferences, closest, listNames } from './references.js';
import { musterConfigSchema, type MusterConfig } from './schema.js';
import { ConfigError, formatPath, type ConfigProblem, type Path } from './problems.js';
import { Locator, SYNTAX_DEFAULT_HINT, syntaxProblem, type Position } from './yaml-source.js';

export { ConfigError, formatPath, formatProblems, type ConfigProblem } from './problems.js';

/**
 * Loading muster.yaml: read, parse YAML, validate with the zod schema, check
 * cross references — and when anything is wrong, report every problem at once
 * with the file, line, column, the YAML path and what to write instead
 * The operator fixing a config at 3 a.m. should need one pass.
 */

// ------------------------------------------------------------ zod issues

type Issue = z.core.$ZodIssue;
type IssueOf<C extends Issue['code']> = Extract<Issue, { code: C }>;

interface IssueContext {
  file: string;
  data: unknown;
  locate: Locator;
  /** The schema of this file, for the hints (allowed keys, forms, descriptions). */
  root: z.ZodType;
}

function make(ctx: IssueContext, path: Path, at: Position, message: string, hint?: string): ConfigProblem {
  return { file: ctx.file, ...at, path: formatPath(path), message, hint };
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, { noun: string; hint: string }> = {
  object: { noun: 'a map', hint: 'write "key: value" lines indented under this key' },
  array: { noun: 'a list', hint: 'write "- item" lines under this key, or [a, b] on one line' },
  string: { noun: 'text', hint: 'write text; quote it if it contains ": " or starts with a symbol' },
  number: { noun: 'a number', hint: 'write a number without quotes' },
  boolean: { noun: 'true or false', hint: 'write true or false without quotes' },
};

/** A key the schema requires is absent: point at the map that should hold it. */
function missingKey(issue: IssueOf<'invalid_type'>, ctx: IssueContext): ConfigProblem[] {
  const key = String(issue.path.at(-1));
  const parent = formatPath(issue.path.slice(0, -1));
  const description = describeAt(issue.path, ctx.root);
  const hint = `add "${key}:" ${parent ? `under ${parent}` : 'at the top level'}${description ? ` (${description})` : ''}`;
  return [make(ctx, issue.path, ctx.locate.value(issue.path), `missing required key "${key}"`, hint)];
}

/** The hint for a value of the wrong type, specific where a common slip is likely. */
function typeHint(issue: IssueOf<'invalid_type'>, value: unknown, ctx: IssueContext): string {
  if (typeof value === 'number' && isDurationAt(issue.path, ctx.root)) {
    return `give the unit, e.g. ${value}m for ${value} minutes or ${value}s for seconds`;
  }
  if (issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    // Unquoted ids such as Discord snowflakes become (rounded) numbers in YAML.
    return `put it in quotes: "${ctx.locate.source(issue.path) ?? String(value)}"`;
  }
  if (issue.expected === 'array' && typeof value === 'string') return `write a list, even of one: [${value}]`;
  return EXPECTED[issue.expected]?.hint ?? issue.message;
}

/** The whole file is not a map (empty, or a list): say what the top level holds. */
function notAMap(issue: IssueOf<'invalid_type'>, value: unknown, ctx: IssueContext): ConfigProblem[] {
  const keys = listNames(allowedKeys([], ctx.root) ?? []);
  const message = value == null ? 'the file is empty' : `the file must be a map of settings, found ${describeValue(value)}`;
  const hint = `write top-level keys ${keys}; examples/muster.yaml is a commented starting point`;
  return [make(ctx, issue.path, ctx.locate.value(issue.path), message, hint)];
}

function invalidType(issue: IssueOf<'invalid_type'>, ctx: IssueContext): ConfigProblem[] {
  const value = valueAt(ctx.data, issue.path);
  if (issue.path.length === 0) return notAMap(issue, value, ctx);
  if (value === undefined) return missingKey(issue, ctx);
  const noun = isDurationAt(issue.path, ctx.root) ? 'a duration' : (EXPECTED[issue.expected]?.noun ?? issue.expected);
  const message = `expected ${noun}, found ${describeValue(value)}`;
  return [make(ctx, issue.path, ctx.locate.value(issue.path), message, typeHint(issue, value, ctx))];
}

function unrecognizedKeys(issue: IssueOf<'unrecognized_keys'>, ctx: IssueContext): ConfigProblem[] {
  const allowed = allowedKeys(issue.path, ctx.root) ?? [];
  const list = allowed.length > 0 ? `keys allowed here: ${listNames(allowed, 20)}` : 'no keys are allowed here';
  return issue.keys.map((key) => {
    const path = [...issue.path, key];
    const guess = closest(key, allowed);
    const hint = guess ? `did you mean "${guess}"? ${list}` : `remove it or fix its spelling; ${list}`;
    return make(ctx, path, ctx.locate.key(path), `unknown key "${key}"`, hint);
  });
}

function invalidKey(issue: IssueOf<'invalid_key'>, ctx: IssueContext): ConfigProblem[] {
  const key = String(issue.path.at(-1));
  const hint = issue.issues.map((inner) => inner.message).join('; ');
  return [make(ctx, issue.path, ctx.locate.key(issue.path), `invalid key "${key}"`, hint)];
}

function invalidValue(issue: IssueOf<'invalid_value'>, ctx: IssueContext): ConfigProblem[] {
  const value = valueAt(ctx.data, issue.path);
  const options = issue.values.map(String);
  const guess = typeof value === 'string' ? closest(value, options) : undefined;
  const list = `use one of: ${listNames(options, 20)}`;
  const hint = guess ? `did you mean "${guess}"? ${list}` : list;
  const message = `${describeValue(value)} is not an allowed value`;
  return [make(ctx, issue.path, ctx.locate.value(issue.path), message, hint)];
}

function invalidUnion(issue: IssueOf<'invalid_union'>, ctx: IssueContext): ConfigProblem[] {
  const value = valueAt(ctx.data, issue.path);
  const forms = unionForms(issue.path, ctx.root);
  const description = describeAt(issue.path, ctx.root);
  const hint = `write ${forms.join(' or ')}${description ? ` (${description})` : ''}`;
  const message = `found ${describeValue(value)}, which matches none of the accepted forms`;
  return [make(ctx, issue.path, ctx.locate.value(issue.path), message, hint)];
}

function sizeHint(issue: IssueOf<'too_small'> | IssueOf<'too_big'>): string {
  const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const least = issue.code === 'too_small' ? 'at least' : 'at most';
  if (issue.origin === 'array') return `list ${least} ${bound} ${bound === 1 ? 'entry' : 'entries'}`;
  if (issue.origin === 'string') return `write ${least} ${bound} character${bound === 1 ? '' : 's'}`;
  return `use a number ${least} ${bound}`;
}

/** Our own refinement and format messages are instructions already ("write … as YYYY-MM-DD"). */
function otherIssue(issue: Issue, ctx: IssueContext): ConfigProblem[] {
  const value = valueAt(ctx.data, issue.path);
  const at = ctx.locate.value(issue.path);
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return [make(ctx, issue.path, at, issue.message, sizeHint(issue))];
  }
  if (issue.code === 'custom' || issue.code === 'invalid_format') {
    return [make(ctx, issue.path, at, `invalid value ${describeValue(value)}`, issue.message)];
  }
  return [make(ctx, issue.path, at, issue.message, describeAt(issue.path, ctx.root))];
}

const ISSUE_HANDLERS: { [C in Issue['code']]?: (issue: IssueOf<C>, ctx: IssueContext) => ConfigProblem[] } = {
  invalid_type: invalidType,
  unrecognized_keys: unrecognizedKeys,
  invalid_key: invalidKey,
  invalid_value: invalidValue,
  invalid_union: invalidUnion,
};

function issueProblems(issue: Issue, ctx: IssueContext): ConfigProblem[] {
  const handler = ISSUE_HANDLERS[issue.code] as ((i: Issue, c: IssueContext) => ConfigProblem[]) | undefined;
  return (handler ?? otherIssue)(issue, ctx);
}

// ------------------------------------------------------------ loading

/** True when one rendered path is the other or lies under it (same place, one report). */
function overlaps(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  const under = (x: string, y: string) => y.startsWith(`${x}.`) || y.startsWith(`${x}[`);
  return a === b || under(a, b) || under(b, a);
}

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);
}

/** Plain data from the document; alias bombs and the like become a problem, not a crash. */
function toData(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ file, path: '', message: `YAML could not be read: ${message}`, hint: SYNTAX_DEFAULT_HINT }]);
  }
}

/**
 * Parses and validates config text. Reference checks run on the raw data even
 * when the schema fails, so one run reports every problem; a reference problem
 * at a place the schema already complained about is dropped as a duplicate.
 */
export function parseConfigText(text: string, file: string): MusterConfig {
  return parseYamlFile(text, file, musterConfigSchema, checkReferences);
}

/**
 * Any YAML file Muster reads (muster.yaml, playbooks): syntax, then the zod
 * schema, then cross references, every problem with its line, path and hint.
 */
export function parseYamlFile<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  references: (data: unknown) => Array<{ path: Path; message: string; hint: string }>,
): z.output<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, merge: true });
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => syntaxProblem(e, file)));
  const data = toData(doc, file);
  const ctx: IssueContext = { file, data, locate: new Locator(doc, lines), root: schema };
  const parsed = schema.safeParse(data);
  const schemaProblems = parsed.success ? [] : parsed.error.issues.flatMap((i) => issueProblems(i as Issue, ctx));
  const referenceProblems = references(parsed.success ? parsed.data : data)
    .map((p) => make(ctx, p.path, ctx.locate.value(p.path), p.message, p.hint))
    .filter((p) => !schemaProblems.some((s) => overlaps(s.path, p.path)));
  const problems = [...schemaProblems, ...referenceProblems].sort(byPosition);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

const READ_ERRORS: Record<string, (file: string) => Pick<ConfigProblem, 'message' | 'hint'>> = {
  ENOENT: (file) => ({
    message: `config file not found (looked for ${resolve(file)})`,
    hint: 'create it (examples/muster.yaml is a commented starting point), or pick another file with --config <path> or MUSTER_CONFIG=<path>',
  }),
  EISDIR: () => ({
    message: 'this is a directory, not a config file',
    hint: 'point --config or MUSTER_CONFIG at the YAML file itself, e.g. --config ./muster.yaml',
  }),
  EACCES: () => ({
    message: 'config file cannot be read (permission denied)',
    hint: 'make the file readable by the user running muster',
  }),
};

/** Reads, parses and validates a config file; throws ConfigError listing every problem. */
export function loadConfigFile(file: string): MusterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const known = READ_ERRORS[code]?.(file) ?? {
      message: `config file cannot be read: ${(error as Error).message}`,
    };
    throw new ConfigError([{ file, path: '', ...known }]);
  }
  return parseConfigText(text, file);
}

/**
 * The shipped example config. This module sits two levels under the package
 * root when run from source (src/config) and three when built (dist/src/config).
 */
export function shippedConfigPath(name = 'muster.yaml'): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../..'), resolve(here, '../../..')].map((root) =>
    join(root, 'examples', name),
  );
  return candidates.find((candidate) => existsSync(candidate)) ?? (candidates[0] as string);
}

/**
 * Which config file to load: the explicit --config, else MUSTER_CONFIG, else
 * ./muster.yaml when present, else the shipped example (so a fresh checkout runs).
 */
export function resolveConfigPath(
  explicit?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (explicit) return explicit;
  if (env.MUSTER_CONFIG) return env.MUSTER_CONFIG;
  if (existsSync('muster.yaml')) return 'muster.yaml';
  return shippedConfigPath();
}
