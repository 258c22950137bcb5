import { describe, expect, it } from 'vitest';
import { KNOWLEDGE_CLOCK, RESOLVE_CLOCK, RESPOND_CLOCK, UPDATE_CLOCK, pageWanted, pagingEpochs } from '../../src/incidents/page-fence.js';
import type { Incident } from '../../src/incidents/types.js';

const base = {
  id: 'INC-1', number: 1, title: 't', severity: 'P1', status: 'assembling', declaredBy: 'alice', declaredAt: 0,
  room: 'test:#r', roomName: '#r', deadlineEpoch: 0, version: 1, head: { seq: 0, hash: '' },
  slots: [{ role: 'tech', team: 'core', state: 'paging', startedAt: 0, epoch: 2, nextStep: 1, chain: [], pages: [] }],
} as unknown as Incident;

describe('the fences a store keeps beside the record', () => {
  it('pages while their slot pages at that epoch; update reminders while the cadence is at theirs', () => {
    const incident = { ...base, updateDueAt: 10, updateEpoch: 3 } as Incident;
    expect(pagingEpochs(incident)).toEqual({ tech: 2, [UPDATE_CLOCK]: 3 });
    expect(pageWanted(incident, { role: 'tech', epoch: 2 })).toBe(true);
    expect(pageWanted(incident, { role: UPDATE_CLOCK, epoch: 2 })).toBe(false);
    expect(pageWanted({ ...incident, status: 'resolved' } as Incident, { role: UPDATE_CLOCK, epoch: 3 })).toBe(false);
  });

  it('SLA warnings while nobody has responded, resolution warnings while the incident is open', () => {
    const open = { ...base, respondBy: 60, slaEpoch: 1, resolveBy: 90, resolveEpoch: 2 } as Incident;
    expect(pagingEpochs(open)).toEqual({ tech: 2, [RESPOND_CLOCK]: 1, [RESOLVE_CLOCK]: 2 });
    expect(pageWanted({ ...open, respondedAt: 5, slaEpoch: 2 } as Incident, { role: RESPOND_CLOCK, epoch: 1 })).toBe(false);
    expect(pageWanted({ ...open, status: 'resolved' } as Incident, { role: RESOLVE_CLOCK, epoch: 2 })).toBe(false);
  });

  it('knowledge reminders while the task is open, after the resolve too; not once it is filed', () => {
    const open = { ...base, status: 'resolved', knowledge: { task: { state: 'open', epoch: 4 } } } as unknown as Incident;
    expect(pagingEpochs(open)).toEqual({ [KNOWLEDGE_CLOCK]: 4 });
    expect(pageWanted(open, { role: KNOWLEDGE_CLOCK, epoch: 4 })).toBe(true);
    const filed = { ...open, knowledge: { task: { state: 'filed', epoch: 5 } } } as unknown as Incident;
    expect(pageWanted(filed, { role: KNOWLEDGE_CLOCK, epoch: 4 })).toBe(false);
  });
});
