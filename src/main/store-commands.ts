/** CLI commands that read the store of this environment: audit and export. */
import { describeAudit, exportAudit, verifyAudit } from '../actions/audit-cli.js';
import { Presenter } from '../notify/present.js';
import { postmortem, type PostmortemFormat } from '../reports/postmortem.js';
import { systemClock } from '../clock.js';
import type { MusterConfig } from '../config/schema.js';
import type { MusterEnv } from '../config/env.js';
import { redisTarget } from '../config/redis-target.js';
import type { IncidentStore } from '../ports.js';
import { createLogger, embeddedParts, productionParts, StartupError, type Parts } from './runtime.js';
import { readFileSync } from 'node:fs';
import { randomAuditKey, type AuditKey } from '../audit/key.js';
import { compareWithSink } from '../audit/sink-compare.js';
import { AUDIT_KEY_HINT } from '../config/audit-env.js';

/** Opens the stores of this environment (Redis in production) for one CLI command, and closes them after. */
export async function withParts<T>(env: MusterEnv, work: (parts: Parts) => Promise<T>): Promise<T> {
  const target = redisTarget(env);
  const parts = target ? await productionParts(target, env.redisPrefix, createLogger(env, true)) : embeddedParts(systemClock);
  try {
    return await work(parts);
  } finally {
    await parts.scheduler.close();
    await parts.outbox.close();
    await parts.close();
  }
}

function withStore<T>(env: MusterEnv, work: (store: IncidentStore) => Promise<T>): Promise<T> {
  return withParts(env, (parts) => work(parts.store));
}

/** `muster audit verify|export`; verify needs the audit key (MUSTER_AUDIT_KEY) and may compare with a sink file. */
export async function runAudit(options: { env: MusterEnv; action: 'verify' | 'export'; incident?: string; against?: string }): Promise<number> {
  const key = options.action === 'verify' ? verifyKey(options.env) : undefined;
  const sinkLines = options.against ? readSink(options.against) : undefined;
  return withStore(options.env, async (store) => {
    if (options.action === 'export') {
      const count = await exportAudit(store, (line) => void process.stdout.write(line.endsWith('\n') ? line : `${line}\n`), options.incident);
      process.stderr.write(`muster: exported ${count} audit entries\n`);
      return 0;
    }
    const report = await verifyAudit(store, key!, options.incident);
    process.stdout.write(`${describeAudit(report)}\n`);
    // Both checks run, so a deletion shows in the store's verdict and in the sink's.
    if (!sinkLines) return report.ok ? 0 : 1;
    const { mismatch, compared } = await compareWithSink(sinkLines, (id) => store.timeline(id), key!);
    process.stdout.write(mismatch
      ? `audit FAILED against ${options.against}: ${mismatch.incident} entry ${mismatch.seq}${mismatch.type ? ` (${mismatch.type})` : ''}: ${mismatch.reason}\n`
      : `sink OK: all ${compared} entries of ${options.against} are in the store, unchanged\n`);
    return mismatch || !report.ok ? 1 : 0;
  });
}

/** Verifying needs the key that signed the trail; without it there is nothing honest to check against. */
function verifyKey(env: MusterEnv): AuditKey {
  if (env.auditKey) return env.auditKey;
  if (env.redisUrl) {
    throw new StartupError(
      '`audit verify` needs the audit key the bot signs with: set MUSTER_AUDIT_KEY or MUSTER_AUDIT_KEY_FILE as the bot has them.\n' +
        `Hint: the key is never stored in Redis; if the bot has none yet, ${AUDIT_KEY_HINT}.`,
    );
  }
  // Embedded mode: this process's store is empty and new, so a fresh key verifies it honestly.
  return randomAuditKey();
}

function readSink(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch (error) {
    throw new StartupError(`cannot read the audit sink ${JSON.stringify(path)} (${(error as { code?: string }).code ?? 'unreadable'}): give the path of the MUSTER_AUDIT_SINK file.`);
  }
}

/** `muster export INC-42 [--format md|json]`: the postmortem skeleton of one incident. */
export async function runExport(options: { env: MusterEnv; config: MusterConfig; incident: string; format: PostmortemFormat }): Promise<number> {
  return withStore(options.env, async (store) => {
    const present = new Presenter(options.config);
    const incident = await store.get(options.incident);
    if (!incident) {
      const hint = redisTarget(options.env) ? '' : ' (embedded mode keeps no incidents between runs: set REDIS_URL)';
      process.stderr.write(`muster: ${present.t('error.exportNotFound', { id: options.incident })}${hint}\n`);
      return 1;
    }
    process.stdout.write(postmortem(incident, await store.timeline(incident.id), present, options.format));
    return 0;
  });
}
