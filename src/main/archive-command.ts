/** `muster archive [--before DATE] --out FILE`: exports resolved incidents as JSON lines, then removes them. */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { systemClock } from '../clock.js';
import type { MusterConfig } from '../config/schema.js';
import type { MusterEnv } from '../config/env.js';
import { redisTarget } from '../config/redis-target.js';
import { Presenter } from '../notify/present.js';
import { archiveCutoff, archiveResolved, type ArchiveSink } from '../retention/archive.js';
import { createLogger, embeddedParts, productionParts, StartupError } from './runtime.js';

/** A new file (never appended to or overwritten), fsynced on every flush. */
function fileSink(path: string): ArchiveSink & { close(): void } {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'EEXIST' ? 'it already exists; choose a new file (e.g. one per run, dated)' : (error as Error).message;
    throw new StartupError(`cannot write the archive to ${path}: ${why}.`);
  }
  return {
    write: (lines) => {
      if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
    },
    flush: () => fsyncSync(fd),
    close: () => closeSync(fd),
  };
}

export async function runArchive(options: { env: MusterEnv; config: MusterConfig; out: string; before?: string }): Promise<number> {
  const present = new Presenter(options.config);
  const resolvedDays = options.config.retention?.resolvedDays;
  const cutoff = archiveCutoff({ now: systemClock.now(), ...(options.before !== undefined ? { before: options.before } : {}), ...(resolvedDays !== undefined ? { resolvedDays } : {}) });
  if (cutoff instanceof Error) throw new StartupError(cutoff.message);
  if (cutoff === undefined) throw new StartupError(present.t('archive.noCutoff'));
  const target = redisTarget(options.env);
  const logger = createLogger(options.env, true);
  const parts = target ? await productionParts(target, options.env.redisPrefix, logger) : embeddedParts(systemClock);
  const sink = fileSink(options.out);
  try {
    const report = await archiveResolved({ store: parts.store, resolved: parts.resolved, before: cutoff, sink });
    const before = new Date(cutoff).toISOString();
    process.stdout.write(`${present.t('archive.done', { count: report.archived, before, file: options.out })}\n`);
    if (report.kept > 0) process.stdout.write(`${present.t('archive.kept', { count: report.kept })}\n`);
    return 0;
  } finally {
    sink.close();
    await parts.scheduler.close();
    await parts.outbox.close();
    await parts.close();
  }
}
