/**
 * MUSTER_AUDIT_SINK through the whole runtime (buildRuntime, embedded mode):
 * every committed entry lands in the JSON-lines file, in order, and the file
 * checks out against the store with `verify --against`'s comparison.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/actions/audit-cli.js';
import { compareWithSink } from '../../src/audit/sink-compare.js';
import { loadEnv } from '../../src/config/env.js';
import { silentLogger } from '../../src/logger.js';
import { buildRuntime } from '../../src/main.js';
import { FakeChat, testConfig } from '../support/fixture.js';
import { TEST_AUDIT_KEY, TEST_AUDIT_SECRET } from '../support/audit-key.js';

describe('the audit sink', () => {
  it('copies every committed entry as it is committed, and matches the store', async () => {
    const sink = join(mkdtempSync(join(tmpdir(), 'muster-sink-')), 'audit.jsonl');
    const env = loadEnv({ MUSTER_AUDIT_SINK: sink, MUSTER_AUDIT_KEY: TEST_AUDIT_SECRET });
    const runtime = await buildRuntime({ config: testConfig(), env, chat: new FakeChat(), logger: silentLogger });
    await runtime.muster.start({ watchdog: false });
    let request = 0;
    const say = (person: string, args: string) =>
      runtime.muster.dispatch({ name: 'incident', args, actor: `console:${person}`, conversation: 'console:#general', requestId: `sink-${++request}` });
    await say('alice', 'declare Database down sev=P2 service=checkout');
    await say('alice', 'declare Search slow sev=P3 service=checkout anyway=yes');
    await runtime.settle(5_000);
    const store = runtime.store;
    const stored = [...(await store.timeline('INC-1')), ...(await store.timeline('INC-2'))];
    await runtime.close();
    const lines = readFileSync(sink, 'utf8').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(stored.length);
    expect(lines.map((line) => JSON.parse(line) as unknown).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))))
      .toEqual([...stored].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
    expect(await compareWithSink(lines, (id) => store.timeline(id), TEST_AUDIT_KEY)).toEqual({ compared: stored.length });
    expect((await verifyAudit(store, TEST_AUDIT_KEY)).ok).toBe(true);
  });
});
