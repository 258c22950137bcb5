/**
 * A bot loads only the SDKs it uses: discord.js is 50 MB of RSS and the Twilio
 * and SMTP SDKs another 20 MB, so a Slack bot with chat-only paging must never
 * import them at start (a stray static import did once). A child process
 * loads the CLI and the production wiring the way `muster start` does, with
 * a module hook that names every package it resolves.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

const HOOK = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const name = /node_modules\\\\/((?:@[^/]+\\\\/)?[^/]+)/.exec(resolved.url);
  if (name) process.stderr.write('PACKAGE ' + name[1] + '\\\\n');
  return resolved;
}\`));
`;

/** The packages a script resolves while it runs (the CLI, given no command, prints its help and exits: the imports are done by then). */
function packagesLoadedBy(script: string): Set<string> {
  const run = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(HOOK)}`, '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return new Set([...run.stderr.matchAll(/^PACKAGE (\S+)$/gm)].map((match) => match[1]!));
}

describe('start-up loads only the SDKs it uses', () => {
  it('the CLI and the Slack production wiring import neither discord.js nor the Twilio or SMTP SDKs', () => {
    const loaded = packagesLoadedBy(
      ["'./src/main/slack.ts'", "'./src/main/runtime.ts'", "'./src/main/paging.ts'", "'./adapters/http/ops.ts'", "'./src/cli.ts'"].map((file) => `await import(${file});`).join(' '),
    );
    expect(loaded.has('@slack/bolt')).toBe(true);
    for (const sdk of ['discord.js', 'twilio', 'nodemailer']) expect(loaded.has(sdk)).toBe(false);
  });
});
