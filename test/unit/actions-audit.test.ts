import { describe, expect, it } from 'vitest';
import { describeAudit, exportAudit, verifyAudit } from '../../src/actions/audit-cli.js';
import type { TimelineEvent } from '../../src/incidents/types.js';
import { actionHarness } from './actions-support.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

/** An incident with grants, a request, a refusal and a run on its timeline. */
async function recorded() {
  const h = await actionHarness();
  await h.say('alice', '/incident declare Database down sev=P1 service=checkout');
  await h.say('sam', '/incident ack');
  await h.act('sam', 'run', 'INC-1 failover cluster=orders');
  await h.act('pete', 'run', 'INC-1 rollback service=checkout');
  await h.act('pete', 'approve', 'INC-1 REQ-1');
  await h.say('alice', '/incident declare Second sev=P3 service=checkout anyway=yes');
  const timelines = (h.store as unknown as { timelines: Map<string, TimelineEvent[]> }).timelines;
  return { h, timeline: timelines.get('INC-1')! };
}

describe('audit verify (memory store)', () => {
  it('passes an untouched store and counts every entry', async () => {
    const { h } = await recorded();
    const report = await verifyAudit(h.store, TEST_AUDIT_KEY);
    const total = (await h.store.timeline('INC-1')).length + (await h.store.timeline('INC-2')).length;
    expect(report).toEqual({ ok: true, checked: total, incidents: 2 });
    expect(describeAudit(report)).toBe(`audit OK: ${total} entries in 2 incidents verify`);
    expect(await verifyAudit(h.store, TEST_AUDIT_KEY, 'INC-2')).toMatchObject({ ok: true, incidents: 1 });
  });

  it('detects an edited entry and names it', async () => {
    const { h, timeline } = await recorded();
    const index = timeline.findIndex((e) => e.type === 'action.started');
    (timeline[index]!.data as Record<string, unknown>).params = { cluster: 'payments' };
    const report = await verifyAudit(h.store, TEST_AUDIT_KEY);
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toEqual({ incident: 'INC-1', seq: index + 1, type: 'action.started', reason: 'content was changed after it was written' });
    expect(describeAudit(report)).toBe(`audit FAILED: INC-1 entry ${index + 1} (action.started): content was changed after it was written`);
  });

  it('detects a deleted entry (in the middle and at the end)', async () => {
    const { h, timeline } = await recorded();
    const index = timeline.findIndex((e) => e.type === 'action.requested');
    timeline.splice(index, 1);
    expect((await verifyAudit(h.store, TEST_AUDIT_KEY, 'INC-1')).firstBreak).toMatchObject({ incident: 'INC-1', seq: index + 2, reason: `expected entry ${index + 1}, found ${index + 2}` });
    const again = await recorded();
    const last = again.timeline.pop()!;
    expect((await verifyAudit(again.h.store, TEST_AUDIT_KEY)).firstBreak).toMatchObject({ incident: 'INC-1', seq: last.seq, reason: `entries ${last.seq}..${last.seq} are missing from the end` });
  });

  it('detects a reordering', async () => {
    const { h, timeline } = await recorded();
    const index = timeline.findIndex((e) => e.type === 'action.started');
    [timeline[index], timeline[index + 1]] = [timeline[index + 1]!, timeline[index]!];
    expect((await verifyAudit(h.store, TEST_AUDIT_KEY)).firstBreak).toMatchObject({ incident: 'INC-1', seq: index + 2, reason: `expected entry ${index + 1}, found ${index + 2}` });
  });

  it('exports JSON lines, oldest incident first', async () => {
    const { h } = await recorded();
    const lines: string[] = [];
    const count = await exportAudit(h.store, (line) => void lines.push(line));
    expect(count).toBe(lines.length);
    const parsed = lines.map((line) => JSON.parse(line) as TimelineEvent);
    expect(parsed[0]).toMatchObject({ incident: 'INC-1', seq: 1, type: 'incident.declared' });
    expect(parsed.at(-1)?.incident).toBe('INC-2');
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
  });
});
