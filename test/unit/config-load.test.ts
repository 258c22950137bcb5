import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { musterJsonSchema } from '../../src/config/json-schema.js';
import {
  ConfigError,
  formatPath,
  formatProblems,
  loadConfigFile,
  parseConfigText,
  resolveConfigPath,
  type ConfigProblem,
} from '../../src/config/load.js';
import { checkReferences } from '../../src/config/references.js';
import { openSlots } from '../../src/muster/slots.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const AT = Date.UTC(2026, 10, 2, 9, 0, 0);

/** A small valid config; tests edit one line and look for the problem on it. */
const BASE = `people:
  alice: { name: Alice }
  bob: { name: Bob }
teams:
  payments:
    timeZone: Europe/Berlin
    manager: alice
    rotation:
      primary: [alice, bob]
      start: "2026-01-05"
roles:
  tech: { fromService: true }
severities:
  P1:
    roles: [tech]
    assemble: 15m
    escalation: standard
escalation:
  standard:
    steps:
      - { after: 0s, page: primary }
services:
  checkout: { team: payments }
dutyManager: { person: alice }
`;

function edit(from: string, to: string, text = BASE): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  expect(index, `"${needle}" in text`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

function problemsOf(text: string, file = 'muster.yaml'): ConfigProblem[] {
  try {
    parseConfigText(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

function onlyProblem(text: string): ConfigProblem {
  const problems = problemsOf(text);
  expect(problems, formatProblems(problems)).toHaveLength(1);
  return problems[0] as ConfigProblem;
}

describe('the shipped examples', () => {
  it('muster.yaml loads, with durations in milliseconds', () => {
    const config = loadConfigFile(join(EXAMPLES, 'muster.yaml'));
    expect(Object.keys(config.people).length).toBeGreaterThanOrEqual(12);
    expect(config.severities.P1).toMatchObject({ assemble: 15 * 60_000, respond: 30 * 60_000 });
    expect(config.severities.P1?.roles).toEqual(['commander', 'tech', 'ops', 'product', 'comms']);
    expect(config.escalation['p1-default']?.repeat).toBe(1);
    expect(config.dutyManager).toEqual({ team: 'duty-managers' });
    expect(config.channels.broadcast).toBe('#incidents');
  });

  it('demo.yaml musters five distinct primaries for a P1 on checkout', () => {
    const config = loadConfigFile(join(EXAMPLES, 'demo.yaml'));
    expect(config.severities.P1?.assemble).toBe(20_000);
    const slots = openSlots(config, 'P1', 'checkout', AT);
    const primaries = slots.map((slot) => slot.chain[0]?.targets[0]);
    expect(primaries).toEqual(['bob', 'carol', 'dan', 'erin', 'frank']);
    expect(slots.map((slot) => slot.chain.map((step) => step.atMs))).toEqual(
      slots.map(() => [0, 5_000, 10_000]),
    );
  });

  it('the base config of these tests is valid', () => {
    expect(parseConfigText(BASE, 'muster.yaml').teams.payments?.rotation.backup).toEqual([]);
  });
});

describe('reference problems', () => {
  it('an unknown person in a rotation names the file, line, path and a fix', () => {
    const text = edit('primary: [alice, bob]', 'primary: [alice, dave]');
    const problem = onlyProblem(text);
    expect(problem).toMatchObject({
      file: 'muster.yaml',
      line: lineOf(text, 'primary: [alice, dave]'),
      column: 24,
      path: 'teams.payments.rotation.primary[1]',
      message: 'unknown person "dave"',
    });
    expect(problem.hint).toBe('add "dave" under people:, or use one of: alice, bob');
  });

  it('suggests the closest name for a typo', () => {
    const problem = onlyProblem(edit('manager: alice', 'manager: alcie'));
    expect(problem.path).toBe('teams.payments.manager');
    expect(problem.hint).toMatch(/^did you mean "alice"\?/);
  });

  it.each([
    ['an unknown team of a service', 'checkout: { team: payments }', 'checkout: { team: paymnts }', 'services.checkout.team', 'unknown team "paymnts"'],
    ['an unknown role of a severity', 'roles: [tech]', 'roles: [tech, qa]', 'severities.P1.roles[1]', 'unknown role "qa"'],
    ['an unknown escalation policy', 'escalation: standard', 'escalation: urgent', 'severities.P1.escalation', 'unknown escalation policy "urgent"'],
    ['an unknown person in a page list', 'page: primary }', 'page: [alice, zed] }', 'escalation.standard.steps[0].page[1]', 'unknown person "zed"'],
    ['an unknown duty manager', 'dutyManager: { person: alice }', 'dutyManager: { person: ivan }', 'dutyManager.person', 'unknown person "ivan"'],
    ['an invalid time zone', 'timeZone: Europe/Berlin', 'timeZone: Europe/Berln', 'teams.payments.timeZone', 'unknown time zone "Europe/Berln"'],
    ['an impossible start date', 'start: "2026-01-05"', 'start: "2026-02-30"', 'teams.payments.rotation.start', '"2026-02-30" is not a real date'],
  ])('%s', (_what, from, to, path, message) => {
    const text = edit(from, to);
    const problem = onlyProblem(text);
    expect(problem).toMatchObject({ path, message, line: lineOf(text, to.trim()) });
    expect(problem.hint).toBeTruthy();
  });

  it('a role with neither team nor fromService', () => {
    const text = edit('tech: { fromService: true }', 'tech: { name: Tech lead }');
    const problem = onlyProblem(text);
    expect(problem).toMatchObject({ path: 'roles.tech', line: lineOf(text, 'tech: { name') });
    expect(problem.hint).toContain('fromService: true');
    expect(problem.hint).toContain('team: <team id>');
  });

  it('checkReferences accepts a parsed config and finds nothing wrong in it', () => {
    expect(checkReferences(parseConfigText(BASE, 'muster.yaml'))).toEqual([]);
  });
});

describe('schema problems', () => {
  it('an unknown key lists the allowed keys and points at the key', () => {
    const text = edit('    manager: alice', '    manager: alice\n    managr: bob');
    const problem = onlyProblem(text);
    expect(problem).toMatchObject({
      path: 'teams.payments.managr',
      message: 'unknown key "managr"',
      line: lineOf(text, 'managr:'),
      column: 5,
    });
    expect(problem.hint).toContain('did you mean "manager"?');
    expect(problem.hint).toContain('keys allowed here: name, timeZone, manager, rotation, escalation');
  });

  it('an unknown severity key lists P1-P4', () => {
    const problem = onlyProblem(edit('  P1:\n', '  P5:\n'));
    expect(problem.path).toBe('severities.P5');
    expect(problem.hint).toContain('P1, P2, P3, P4');
  });

  it('a missing key points at the parent map', () => {
    const text = edit('    manager: alice\n', '');
    const problem = onlyProblem(text);
    expect(problem).toMatchObject({
      path: 'teams.payments.manager',
      message: 'missing required key "manager"',
      line: lineOf(text, 'timeZone: Europe/Berlin'),
    });
    expect(problem.hint).toMatch(/^add "manager:" under teams\.payments/);
  });

  it('a bare number where a duration goes asks for a unit', () => {
    const text = edit('assemble: 15m', 'assemble: 15');
    const problem = onlyProblem(text);
    expect(problem).toMatchObject({ path: 'severities.P1.assemble', line: lineOf(text, 'assemble: 15') });
    expect(problem.message).toContain('expected a duration');
    expect(problem.hint).toContain('15m');
  });

  it('a malformed duration repeats how to write one', () => {
    const problem = onlyProblem(edit('assemble: 15m', 'assemble: 15 minutes'));
    expect(problem.hint).toContain('write a duration like');
  });

  it('an enum value suggests the closest option', () => {
    const text = edit('      start: "2026-01-05"', '      start: "2026-01-05"\n      handoff: { day: mon, time: "09:00" }');
    const problem = onlyProblem(text);
    expect(problem.path).toBe('teams.payments.rotation.handoff.day');
    expect(problem.hint).toContain('use one of: monday, tuesday');
  });

  it('an unquoted Discord id is asked to be quoted exactly as written', () => {
    const problem = onlyProblem(edit('bob: { name: Bob }', 'bob: { name: Bob, discord: 512345678901234567 }'));
    expect(problem.path).toBe('people.bob.discord');
    expect(problem.hint).toBe('put it in quotes: "512345678901234567"');
  });

  it('an invalid id is reported on its key', () => {
    const text = edit('  bob: { name: Bob }', '  Bob: { name: Bob }\n  bob: { name: Bob }');
    const problem = onlyProblem(text);
    expect(problem).toMatchObject({ path: 'people.Bob', line: lineOf(text, 'Bob: {'), column: 3 });
    expect(problem.hint).toContain('lowercase');
  });

  it('a value that fits no form of a union says which forms exist', () => {
    const problem = onlyProblem(edit('dutyManager: { person: alice }', 'dutyManager: { who: alice }'));
    expect(problem.path).toBe('dutyManager');
    expect(problem.hint).toContain('"person: …" or "team: …"');
  });

  it('an empty list where one entry is needed', () => {
    const problem = onlyProblem(edit('primary: [alice, bob]', 'primary: []'));
    expect(problem.path).toBe('teams.payments.rotation.primary');
    expect(problem.hint).toBe('list at least 1 entry');
  });

  it('an empty file says what the top level holds', () => {
    const problem = onlyProblem('# nothing yet\n');
    expect(problem.message).toBe('the file is empty');
    expect(problem.hint).toContain('people');
  });
});

describe('reporting', () => {
  it('reports every problem at once, schema and references together, in file order', () => {
    let text = edit('primary: [alice, bob]', 'primary: [alice, dave]');
    text = edit('timeZone: Europe/Berlin', 'timeZone: Mars/Olympus', text);
    text = edit('assemble: 15m', 'assemble: soon', text);
    text = edit('dutyManager: { person: alice }', 'dutyManager: { person: ivan }\nextra: 1', text);
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path)).toEqual([
      'teams.payments.timeZone',
      'teams.payments.rotation.primary[1]',
      'severities.P1.assemble',
      'dutyManager.person',
      'extra',
    ]);
    const lines = problems.map((p) => p.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('does not report a reference problem where the schema already complained', () => {
    const problems = problemsOf(edit('primary: [alice, bob]', 'primary: [alice, Dave]'));
    expect(problems.map((p) => p.path)).toEqual(['teams.payments.rotation.primary[1]']);
    expect(problems[0]?.hint).toContain('lowercase');
  });

  it('a YAML syntax error has its line and stops before validation', () => {
    const text = edit('    manager: alice', '    manager: alice\n   rotation: [oops');
    const problems = problemsOf(text, 'broken.yaml');
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0]).toMatchObject({ file: 'broken.yaml', path: '' });
    expect(problems[0]?.message).toMatch(/^YAML syntax error/);
    expect(problems[0]?.line).toBeGreaterThanOrEqual(lineOf(text, 'manager: alice'));
    expect(problems[0]?.hint).toBeTruthy();
  });

  it('a duplicate key is a syntax problem on its line', () => {
    const text = edit('  bob: { name: Bob }', '  bob: { name: Bob }\n  bob: { name: Robert }');
    const problems = problemsOf(text);
    expect(problems[0]).toMatchObject({ line: lineOf(text, 'Robert') });
    expect(problems[0]?.hint).toContain('a key may appear once');
  });

  it('a missing file says how to pick another', () => {
    const file = join(tmpdir(), 'muster-does-not-exist', 'muster.yaml');
    expect(() => loadConfigFile(file)).toThrow(ConfigError);
    try {
      loadConfigFile(file);
    } catch (error) {
      const [problem] = (error as ConfigError).problems;
      expect(problem).toMatchObject({ file, path: '' });
      expect(problem?.message).toContain('not found');
      expect(problem?.hint).toContain('--config');
      expect(problem?.hint).toContain('MUSTER_CONFIG');
    }
  });

  it('formats one line per problem', () => {
    const text = formatProblems([
      { file: 'muster.yaml', line: 12, column: 7, path: 'teams.payments.rotation.primary[1]', message: 'unknown person "dave"', hint: 'add "dave" under people:' },
      { file: 'muster.yaml', path: '', message: 'config file not found' },
    ]);
    expect(text).toBe(
      'muster.yaml:12:7  teams.payments.rotation.primary[1]: unknown person "dave" — hint: add "dave" under people:\n' +
        'muster.yaml  config file not found',
    );
  });

  it('renders paths with indexes and awkward keys', () => {
    expect(formatPath(['teams', 'payments', 'rotation', 'primary', 1])).toBe('teams.payments.rotation.primary[1]');
    expect(formatPath(['people', 'a.b'])).toBe('people["a.b"]');
    expect(formatPath([])).toBe('');
  });
});

describe('resolveConfigPath', () => {
  it('prefers --config, then MUSTER_CONFIG, then the shipped example', () => {
    expect(resolveConfigPath('mine.yaml', { MUSTER_CONFIG: 'env.yaml' })).toBe('mine.yaml');
    expect(resolveConfigPath(undefined, { MUSTER_CONFIG: 'env.yaml' })).toBe('env.yaml');
    const cwd = process.cwd();
    const empty = mkdtempSync(join(tmpdir(), 'muster-cwd-'));
    try {
      process.chdir(empty);
      expect(resolveConfigPath(undefined, {})).toBe(join(EXAMPLES, 'muster.yaml'));
      writeFileSync(join(empty, 'muster.yaml'), BASE);
      expect(resolveConfigPath(undefined, {})).toBe('muster.yaml');
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('musterJsonSchema', () => {
  it('describes the input form of muster.yaml', () => {
    const schema = musterJsonSchema() as { $id: string; title: string; properties: Record<string, unknown>; required: string[] };
    expect(schema.title).toContain('muster.yaml');
    expect(schema.$id).toBeTruthy();
    expect(schema.required).toContain('people');
    expect(schema.required).not.toContain('locale');
    expect(JSON.stringify(schema.properties.severities)).toContain('"type":"string"');
  });
});
