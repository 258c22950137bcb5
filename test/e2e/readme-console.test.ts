/**
 * The README's "Talk to it" example, played as a newcomer would: `npm start`
 * (the bot with no chat tokens, so the interactive console) on the shipped
 * config, the README's own block typed in. The README cannot drift from what
 * the console does.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli.js';
import { MusterProcess, NEVER_MS } from './console-process.js';

const MARKER = '<!-- console-example:';

/** Every fenced block that follows a console-example marker in the README. */
function readmeConsoleBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks: string[] = [];
  for (const part of readme.split(MARKER).slice(1)) {
    const fenced = /^[^\n]*\n```[^\n]*\n([\s\S]*?)\n```/.exec(part);
    if (!fenced?.[1]) throw new Error(`a ${MARKER} marker in README.md is not followed by a fenced block`);
    blocks.push(`${fenced[1]}\n`);
  }
  return blocks;
}

const COMMAND = /^([a-z0-9][a-z0-9_-]*)\s*:\s*(\/\S.*)$/i;

/** The console lines of a block that run a command, as the console echoes them ("sarah> /incident ack"). */
function echoes(block: string): string[] {
  return block.split('\n').flatMap((line) => {
    const command = COMMAND.exec(line.trim());
    return command ? [`${command[1]}> ${command[2]}`] : [];
  });
}

interface Played {
  code: number;
  stdout: string;
  stderr: string;
}

const played = new Map<string, Promise<Played>>();

/** `npm start` with the block typed in, played once per block and shared by the tests that read it. */
function npmStart(input: string): Promise<Played> {
  let run = played.get(input);
  if (!run) {
    const bot = new MusterProcess(['start']);
    bot.send(input);
    bot.end();
    run = bot.exited.then((code) => ({ code, stdout: bot.stdout, stderr: bot.stderr }));
    played.set(input, run);
  }
  return run;
}

/** What a user sees when a line failed: every refusal is a warning (⚠) reply to the sender only. */
const REFUSAL = /^\[reply to [^\]]+\] ⚠ .*/m;

const blocks = readmeConsoleBlocks();

describe('the README console example, through npm start on the shipped config', () => {
  it('the README has a console example', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(1);
  });

  it.each(blocks.map((block, index) => [index + 1, block] as const))('block %i runs every line and exits 0', async (_n, block) => {
    const bot = await npmStart(block);
    expect(bot.code, bot.stdout + bot.stderr).toBe(0);
    expect(bot.stdout).toContain('examples/muster.yaml');
    for (const echo of echoes(block)) expect(bot.stdout).toContain(echo);
    expect(bot.stdout.match(REFUSAL)?.[0]).toBeUndefined();
    expect(bot.stdout).not.toContain('not in muster.yaml');
    // A line the grammar could not take answers with the usage (at info tone, so not caught above).
    expect(bot.stdout).not.toContain('Usage:');
    // The console's own complaints about input it cannot read.
    expect(bot.stdout).not.toMatch(/^! write PERSON/m);
    // Without a dist/ build the bin says once that it runs the sources (development); nothing else may go to stderr.
    expect(bot.stderr.replace(/^muster: no dist\/ build, so running the TypeScript sources through tsx.*\n/, '')).toBe('');
  }, NEVER_MS);

  it('the first block musters, pages Marcus, takes his ack and resolves, as the README says', async () => {
    const bot = await npmStart(blocks[0] ?? '');
    expect(bot.code).toBe(0);
    const out = bot.stdout;
    expect(out).toMatch(/^\[#inc-1-checkout-is-failing\] ! INC-1 \[P1\] Checkout is failing declared by Sarah Johnson/m);
    expect(out).toMatch(/^\[#general\] ! INC-1 declared: Checkout is failing/m);
    expect(out).toMatch(/^\[reply to sarah\] · On call now\n\s+Payments \(checkout\) · Europe\/Berlin: primary: (Priya Raman|Tom Fischer) until/m);
    expect(out).toMatch(/^\[DM @marcus\] ! PAGE INC-1 \[P1\] Checkout is failing/m);
    expect(out).toMatch(/^\[reply to marcus\] ✓ .*Marcus Brown.*INC-1/m);
    expect(out).toMatch(/^\[reply to priya\] ! INC-1 \[P1\] Checkout is failing\n\s+Status: assembling/m);
    expect(out).toMatch(/Marcus Brown · paged \d\d:\d\d:\d\d [A-Z][A-Z0-9+-]* · acked/);
    expect(out).toMatch(/^\[reply to sarah\] · Active incidents\n\s+INC-1 \[P1\]: Checkout is failing/m);
    expect(out).toMatch(/^\[#inc-1-checkout-is-failing\] ✓ INC-1 resolved by Sarah Johnson/m);
    // The tags the README explains are explained at start, before the first tagged line.
    const explained = out.indexOf('[#general] is the console channel you type in');
    expect(explained).toBeGreaterThan(-1);
    expect(explained).toBeLessThan(out.indexOf('[#inc-1-checkout-is-failing]'));
  }, NEVER_MS);

  it('quit ends a --script without an error, and nothing after it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-readme-'));
    const script = join(dir, 'readme.script');
    writeFileSync(script, `${blocks[0] ?? ''}sarah: /incident list\n`);
    const bot = new MusterProcess(['console', '--script', script]);
    bot.end();
    expect(await bot.exited, bot.stdout).toBe(0);
    expect(bot.stdout).not.toContain('(script line');
    expect(bot.stdout.split('sarah> /incident list')).toHaveLength(2);
  }, NEVER_MS);
});

describe('the user docs stand on their own', () => {
  it('README and the shipped config do not point at the team design notes', () => {
    for (const file of ['README.md', 'examples/muster.yaml', 'examples/demo.yaml']) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text, file).not.toMatch(/DESIGN\.md|shared\//);
    }
  });
});
