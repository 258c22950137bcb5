/**
 * The `muster` command line. Every failure a person can fix ends in a message
 * and an exit status, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, formatProblems, loadConfigFile, resolveConfigPath } from './config/load.js';
import { loadEnv, type MusterEnv } from './config/env.js';
import { musterJsonSchema } from './config/json-schema.js';
import { libraryFor } from './playbooks/library.js';
// The composition root's modules one by one, not the src/main.ts barrel: each
// command loads what it runs (start loads one chat platform's SDK, not both).
import { startBot } from './main/bot.js';
import { runConsole } from './main/console.js';
import { StartupError } from './main/runtime.js';
import { runAudit, runExport } from './main/store-commands.js';
import { runArchive } from './main/archive-command.js';
import { runCalendar, shiftChangeWarnings } from './main/schedule-commands.js';
import { validatePagingLines } from './main/paging-warnings.js';
import { actionExecutors, actionWarnings } from './main/action-executors.js';

function fail(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`muster: the configuration has ${error.problems.length} problem(s):\n${formatProblems(error.problems)}\n`);
  } else if (error instanceof StartupError) {
    process.stderr.write(`muster: ${error.message}\n`);
  } else {
    process.stderr.write(`muster: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
}

function loadAll(configOption?: string): { env: MusterEnv; file: string; config: ReturnType<typeof loadConfigFile> } {
  const env = loadEnv();
  const file = resolveConfigPath(configOption ?? env.configPath);
  return { env, file, config: loadConfigFile(file) };
}

const program = new Command()
  .name('muster')
  .description('Musters the P1 emergency team into a war room and escalates until every role is staffed.')
  .showHelpAfterError();

program
  .command('start')
  .description('Run the bot: on Slack when SLACK_BOT_TOKEN is set, on Discord when DISCORD_TOKEN is set, else the interactive console.')
  .option('-c, --config <file>', 'muster.yaml to use (default: $MUSTER_CONFIG, ./muster.yaml, then the shipped example)')
  .action(async (options: { config?: string }) => {
    const { env, file, config } = loadAll(options.config);
    process.exitCode = await startBot({ env, config, configFile: file });
  });

program
  .command('console')
  .description('Talk to the bot in the terminal as configured people, interactively or from a script.')
  .option('-c, --config <file>', 'muster.yaml to use')
  .option('-s, --script <file>', 'play a script: lines "PERSON: /COMMAND ARGS" and "sleep 5s"')
  .option('--json', 'print timeline events as JSON lines on stdout (chat output goes to stderr)')
  .action(async (options: { config?: string; script?: string; json?: boolean }) => {
    const { env, file, config } = loadAll(options.config);
    const script = options.script ? readFileSync(options.script, 'utf8') : undefined;
    process.exitCode = await runConsole({ env, config, configFile: file, json: Boolean(options.json), ...(script !== undefined ? { script } : {}) });
  });

program
  .command('validate')
  .description('Check a muster.yaml (and the playbooks it names) and list every problem with file, line, path and a hint (exit 1 on any).')
  .argument('[file]', 'the file to check (default: $MUSTER_CONFIG, ./muster.yaml, then the shipped example)')
  .action(async (fileArgument?: string) => {
    const env = loadEnv();
    const file = resolveConfigPath(fileArgument ?? env.configPath);
    const config = loadConfigFile(file);
    const playbooks = libraryFor(config, file).ids();
    const people = Object.keys(config.people).length;
    const teams = Object.keys(config.teams).length;
    const books = playbooks.length > 0 ? `, ${playbooks.length} playbooks` : '';
    process.stdout.write(`${file}: OK (${people} people, ${teams} teams, ${Object.keys(config.services).length} services${books})\n`);
    for (const line of validatePagingLines(config, file)) process.stderr.write(`muster: warning: ${line}\n`);
    // The file is valid; an action this machine cannot run (secret unset, program absent) is a warning.
    for (const warning of actionWarnings(config, actionExecutors(config, env))) process.stderr.write(`muster: warning: ${warning.text}\n`);
    // Stored shift changes that no longer fit the config are warnings, not errors: the file itself is valid.
    try {
      for (const warning of await shiftChangeWarnings(env, config)) process.stderr.write(`muster: warning: ${warning}\n`);
    } catch (error) {
      process.stderr.write(`muster: warning: stored shift changes were not checked (${error instanceof Error ? error.message : String(error)})\n`);
    }
  });

const calendar = program.command('calendar').description('Secret iCalendar feed URLs of on-call shifts (MUSTER_CALENDAR_KEY; REDIS_URL keeps revocations).');
for (const action of ['url', 'revoke'] as const) {
  calendar
    .command(action)
    .description(action === 'url' ? 'Print the feed URL of a team or a person.' : 'Revoke every URL of the feed handed out so far and print the new one.')
    .argument('<kind>', 'team or person')
    .argument('<id>', 'the team or person id in muster.yaml')
    .option('-c, --config <file>', 'muster.yaml to use')
    .action(async (kind: string, id: string, options: { config?: string }) => {
      const { env, config } = loadAll(options.config);
      process.exitCode = await runCalendar({ env, config, action, kind, id });
    });
}

const audit = program.command('audit').description('The hash-chained audit trail of every incident (REDIS_URL selects the store).');
audit
  .command('verify')
  .description('Recompute the keyed chain (MUSTER_AUDIT_KEY) and the incident ledger; name the first break (exit 1).')
  .option('--incident <id>', 'only this incident, e.g. INC-42')
  .option('--against <file>', 'also check that every entry of this audit sink (MUSTER_AUDIT_SINK) is in the store, unchanged')
  .action(async (options: { incident?: string; against?: string }) => {
    process.exitCode = await runAudit({
      env: loadEnv(),
      action: 'verify',
      ...(options.incident ? { incident: options.incident.toUpperCase() } : {}),
      ...(options.against ? { against: options.against } : {}),
    });
  });
audit
  .command('export')
  .description('Write every audit entry as JSON lines on stdout.')
  .option('--incident <id>', 'only this incident, e.g. INC-42')
  .action(async (options: { incident?: string }) => {
    process.exitCode = await runAudit({ env: loadEnv(), action: 'export', ...(options.incident ? { incident: options.incident.toUpperCase() } : {}) });
  });

program
  .command('export')
  .description('Print the timeline and a postmortem skeleton of one incident (REDIS_URL selects the store).')
  .argument('<incident>', 'the incident, e.g. INC-42')
  .option('-f, --format <format>', 'md or json', 'md')
  .option('-c, --config <file>', 'muster.yaml to use (names, locale)')
  .action(async (incident: string, options: { format: string; config?: string }) => {
    const format = options.format.toLowerCase();
    if (format !== 'md' && format !== 'json') throw new StartupError(`unknown --format "${options.format}": use md or json.`);
    const id = /^inc-(\d+)$/i.exec(incident);
    if (!id) throw new StartupError(`"${incident}" is not an incident id: write it like INC-42.`);
    const { env, config } = loadAll(options.config);
    process.exitCode = await runExport({ env, config, incident: `INC-${Number(id[1])}`, format });
  });

program
  .command('archive')
  .description('Write resolved incidents (record and timeline) as JSON lines to a new file, then remove them from the store (REDIS_URL or REDIS_SENTINELS selects it).')
  .requiredOption('-o, --out <file>', 'the archive to write; must not exist yet')
  .option('--before <date>', 'incidents resolved before this date, e.g. 2026-01-31 (default: retention.resolvedDays ago)')
  .option('-c, --config <file>', 'muster.yaml to use (retention, locale)')
  .action(async (options: { out: string; before?: string; config?: string }) => {
    const { env, config } = loadAll(options.config);
    process.exitCode = await runArchive({ env, config, out: options.out, ...(options.before !== undefined ? { before: options.before } : {}) });
  });

program
  .command('schema')
  .description('Print the JSON Schema of muster.yaml.')
  .action(() => {
    process.stdout.write(`${JSON.stringify(musterJsonSchema(), null, 2)}\n`);
  });

const discord = program.command('discord').description('Discord set-up.');
discord
  .command('register')
  .description('Register the /incident, /oncall and /drill slash commands on the guild (DISCORD_TOKEN, DISCORD_APPLICATION_ID, DISCORD_GUILD_ID).')
  .option('-c, --config <file>', 'muster.yaml to use (severities for the choices)')
  .action(async (options: { config?: string }) => {
    const { env, config } = loadAll(options.config);
    const { registerDiscordCommands } = await import('./main/discord.js');
    const { names, guildId } = await registerDiscordCommands(env, config);
    process.stdout.write(`Registered ${names.map((name) => `/${name}`).join(', ')} on guild ${guildId}.\n`);
  });

program.parseAsync(process.argv).catch(fail);
