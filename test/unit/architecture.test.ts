import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INCIDENT_TIMERS, Muster, expectedTimers } from '../../src/app.js';
import { wakeFor } from '../../src/timers/wake.js';
import { TIMER_KINDS, type Timer } from '../../src/ports.js';
import { TimerTable, type IncidentTimerKind } from '../../src/timers/registry.js';
import { reconcile } from '../../src/timers/reconciler.js';
import { cycles, importGraph } from '../support/import-graph.js';
import { harness } from '../support/fixture.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';

const ROOT = join(import.meta.dirname, '..', '..');
const graph = importGraph(ROOT, ['src', 'adapters']);

/** The chat grammar's own folder, and the two places that may wire it in. */
const mayImportGrammar = (file: string) =>
  file.startsWith('src/commands/') || file === 'src/app.ts' || file === 'src/main.ts' || file.startsWith('src/main/');

describe('the shape of the code', () => {
  it('reads the import graph, type-only imports included', () => {
    expect(graph.size).toBeGreaterThan(50);
    // src/kernel/effects.ts imports only types from ports.ts: it must still be an edge.
    expect(graph.get('src/kernel/effects.ts')).toContain('src/ports.ts');
    expect(cycles(new Map([['a', ['b']], ['b', ['a']], ['c', ['c']], ['d', []]]))).toEqual([['a', 'b'], ['c']]);
  });

  it('has no import cycle in src/ or adapters/', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('lets nothing outside src/commands/, src/app.ts and the composition root import the chat grammar', () => {
    const offenders = [...graph].flatMap(([file, targets]) =>
      mayImportGrammar(file) ? [] : targets.filter((target) => target.startsWith('src/commands/')).map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps every file of src/ and adapters/ under 400 lines', () => {
    const long = [...graph.keys()]
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length }))
      .filter((entry) => entry.lines > 400);
    expect(long).toEqual([]);
  });
});

describe('the timer-kind table', () => {
  it('has exactly one registration for every TimerKind', async () => {
    const h = await harness();
    expect([...h.muster.timers.kinds()].sort()).toEqual([...TIMER_KINDS].sort());
    expect(new Set(INCIDENT_TIMERS.map((kind) => kind.kind)).size).toBe(INCIDENT_TIMERS.length);
  });

  it('refuses a doubled or a missing kind', () => {
    // The table registers the wake itself (src/timers/wake.ts): it fires the incident kinds' due timers.
    const owned = TIMER_KINDS.filter((kind) => kind !== 'wake' && !INCIDENT_TIMERS.some((registration) => registration.kind === kind))
      .map((kind) => ({ kind, scope: 'owned' as const, fire: async () => undefined }));
    expect(() => new TimerTable([...INCIDENT_TIMERS, ...owned])).not.toThrow();
    expect(() => new TimerTable([...INCIDENT_TIMERS, ...owned, { kind: 'wake', scope: 'owned', fire: async () => undefined }])).toThrow(/"wake" is registered twice/);
    expect(() => new TimerTable([...INCIDENT_TIMERS, ...owned, INCIDENT_TIMERS[0]!])).toThrow(/registered twice/);
    expect(() => new TimerTable([...INCIDENT_TIMERS, ...owned.slice(1)])).toThrow(/without a registration: drill/);
  });

  it('is where the reconciler gets the timers a record expects', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Table check sev=P1 service=checkout');
    const incident = (await h.store.get('INC-1'))!;
    const marker: Timer = { id: 'marker-INC-1', dueAt: incident.declaredAt + 1, incident: 'INC-1', kind: 'step', key: 'marker', epoch: 0 };
    const extra: IncidentTimerKind = { kind: 'step', scope: 'incident', expected: () => [marker], fire: () => undefined };
    const scheduler = new InProcessScheduler(h.clock, { realTime: false });
    const table = { expectedTimers: (candidate: typeof incident) => [...expectedTimers(candidate), ...extra.expected(candidate)] };
    const report = await reconcile({ store: h.store, scheduler, outbox: h.outbox, clock: h.clock, expectedTimers: table.expectedTimers });
    // The queue holds the incident's one wake, at the earliest timer the table says the record expects: the marker.
    const wake = wakeFor('INC-1', table.expectedTimers(incident))!;
    expect(wake.dueAt).toBe(marker.dueAt);
    expect(await scheduler.pendingIds()).toEqual([wake.id]);
    expect(report.timers).toBe(expectedTimers(incident).length + 1);
    expect(h.muster).toBeInstanceOf(Muster);
  });
});
