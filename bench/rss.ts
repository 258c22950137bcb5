/**
 * RSS with N active incidents in embedded mode (MemoryStore, real-time
 * InProcessScheduler, InProcessOutbox, a no-op chat).
 *
 * Measured in-process with process.memoryUsage().rss: the figure includes the
 * Node/tsx runtime and the loaded modules, and whatever the bench allocated
 * before (so run.ts measures this first). global.gc is only there when Node
 * runs with --expose-gc; without it the settle pause is all we can do.
 */
import { InProcessOutbox } from '../adapters/memory/outbox.js';
import { InProcessScheduler } from '../adapters/memory/scheduler.js';
import { MemoryStore } from '../adapters/memory/store.js';
import { Muster } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { NoopChat } from './chat.js';
import { benchConfig, declareRequest } from './config.js';
import { forEachLimit, sleep } from './stats.js';
import { randomAuditKey } from '../src/audit/key.js';

const MB = 1024 * 1024;

export interface RssResult {
  baselineMb: number;
  baselineHeapMb: number;
  rssMb: number;
  heapUsedMb: number;
  active: number;
  pendingTimers: number;
  gc: boolean;
}

async function settle(): Promise<void> {
  await sleep(300);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    await sleep(50);
    gc();
  }
}

export async function embeddedRss(incidents: number): Promise<RssResult> {
  const store = new MemoryStore(() => systemClock.now());
  const scheduler = new InProcessScheduler(systemClock);
  const outbox = new InProcessOutbox();
  const muster = new Muster({ auditKey: randomAuditKey(), config: benchConfig(), store, scheduler, outbox, chat: new NoopChat(), clock: systemClock, logger: silentLogger });
  await muster.start({ watchdog: false });
  try {
    await settle();
    const baseline = process.memoryUsage();
    let failed = 0;
    // One at a time: the figure is what 1,000 incidents keep, not the peak of a burst of garbage.
    await forEachLimit(Array.from({ length: incidents }, (_, i) => i), 1, async (i) => {
      const reply = await muster.dispatch(declareRequest(`rss${i}`));
      if (reply.message.tone === 'warning') failed += 1;
    });
    if (failed > 0) throw new Error(`${failed} of ${incidents} embedded declarations failed`);
    await outbox.idle();
    await settle();
    const usage = process.memoryUsage();
    return {
      baselineMb: baseline.rss / MB,
      baselineHeapMb: baseline.heapUsed / MB,
      rssMb: usage.rss / MB,
      heapUsedMb: usage.heapUsed / MB,
      active: (await store.listActive()).length,
      pendingTimers: (await scheduler.pendingIds()).length,
      gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
    };
  } finally {
    await muster.stop();
  }
}
