/**
 * Composition root: src/main.ts and the files in src/main/ are the only part
 * of src/ that knows which adapters exist. They read the config and the
 * environment once, pick embedded or production mode, and hand ports to the
 * core.
 */
export { buildRuntime, createLogger, StartupError, type Mode, type Runtime } from './main/runtime.js';
export { runAudit, runExport } from './main/store-commands.js';
export { runArchive } from './main/archive-command.js';
export { runConsole, type ConsoleRun } from './main/console.js';
export { startSlackBot, type RunningBot } from './main/slack.js';
export { discordSettings, registerDiscordCommands, startDiscordBot, type RunningDiscordBot } from './main/discord.js';
export { startBot } from './main/bot.js';
