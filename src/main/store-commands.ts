/** CLI commands that read the store of this environment: audit and export. */
import { describeAudit, exportAudit, verifyAudit } from '../actions/audit-cli.js';
import { Presenter } from '../notify/present.js';
import { postmortem, type PostmortemFormat } from '../reports/postmortem.js';
import { systemClock } from '../clock.js';
import type { MusterConfig } from '../config/schema.js';
import type { MusterEnv } from '../config/env.js';
import { redisTarget } from '../config/redis-target.js';
import type { IncidentStore } from '../ports.js';
import { createLogger, embeddedParts, productionParts } from './runtime.js';

/** Opens the store of this environment (Redis in production) for one CLI command, and closes it after. */
async function withStore<T>(env: MusterEnv, work: (store: IncidentStore) => Promise<T>): Promise<T> {
  const logger = createLogger(env, true);
  const target = redisTarget(env);
  const parts = target ? await productionParts(target, env.redisPrefix, logger) : embeddedParts(systemClock);
  try {
    return await work(parts.store);
  } finally {
    await parts.scheduler.close();
    await parts.outbox.close();
    await parts.close();
  }
}

/** `muster audit verify|export`. */
export async function runAudit(options: { env: MusterEnv; action: 'verify' | 'export'; incident?: string }): Promise<number> {
  return withStore(options.env, async (store) => {
    if (options.action === 'export') {
      const count = await exportAudit(store, (line) => void process.stdout.write(line.endsWith('\n') ? line : `${line}\n`), options.incident);
      process.stderr.write(`muster: exported ${count} audit entries\n`);
      return 0;
    }
    const report = await verifyAudit(store, options.incident);
    process.stdout.write(`${describeAudit(report)}\n`);
    return report.ok ? 0 : 1;
  });
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
