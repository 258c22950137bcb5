/**
 * The console's logging: pino JSON never lands in the terminal. Every record
 * (at MUSTER_LOG_LEVEL, default info) goes to a file the console names at
 * start; warnings and errors are also shown to the person as one plain line,
 * printed above the prompt like any other output.
 */
import { mkdirSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import type { MusterEnv } from '../config/env.js';
import type { Logger } from '../logger.js';
import { StartupError } from './runtime.js';

const REDACT = ['*.password', '*.token', '*.secret'];
const LEVEL_MARK: Record<number, string> = { 40: '⚠', 50: '!', 60: '!' };

/** MUSTER_LOG_FILE, else muster-console.log in the temp folder. */
export function consoleLogFile(env: MusterEnv): string {
  return env.logFile ?? join(tmpdir(), 'muster-console.log');
}

/** One pino JSON record as the line a person reads ("⚠ <message>"); undefined for a line that is not a record. */
export function personLine(record: string): string | undefined {
  try {
    const parsed = JSON.parse(record) as { level?: number; msg?: string };
    if (typeof parsed.msg !== 'string') return undefined;
    return `${LEVEL_MARK[parsed.level ?? 40] ?? '⚠'} ${parsed.msg}`;
  } catch {
    return undefined;
  }
}

export function createConsoleLogger(env: MusterEnv, file: string, show: (line: string) => void): Logger {
  const shownLevel = env.logLevel === 'error' ? 'error' : 'warn';
  const toPerson = {
    write(record: string) {
      const line = personLine(record);
      if (line) show(line);
    },
  };
  const streams = pino.multistream([
    { level: env.logLevel, stream: openLogFile(file) },
    { level: shownLevel, stream: toPerson },
  ]);
  return pino({ level: env.logLevel, redact: REDACT }, streams);
}

function openLogFile(file: string) {
  try {
    // Opened here, synchronously, so an unwritable path is a clear start-up error, not a hang.
    mkdirSync(dirname(file), { recursive: true });
    return pino.destination({ fd: openSync(file, 'a'), sync: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(`Cannot write the console log ${file} (${reason}).\nHint: set MUSTER_LOG_FILE to a file you can write.`);
  }
}
