import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { INCIDENT_TIMERS, Muster, expectedTimers } from '../../src/app.js';
import { wakeFor } from '../../src/timers/wake.js';
import { TIMER_KINDS, type Timer } from '../../src/ports.js';
import { TimerTable, type IncidentTimerKind } from '../../src/timers/registry.js';
import { cycles, importGraph } from '../support/import-graph.js';
import { harness } from '../support/fixture.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { silentLogger } from '../../src/logger.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const ROOT = join(import.meta.dirname, '..', '..');
const graph = importGraph(ROOT, ['src', 'adapters']);

/** The chat grammar's own folder, and the two places that may wire it in. */
const mayImportGrammar = (file: string) =>
  file.startsWith('src/commands/') || file === 'src/app.ts' || file === 'src/main.ts' || file.startsWith('src/main/');

/**
 * What the shared kernel (src/kernel/) may import: itself, the ports, the
 * record, message and config types, and the presenter a transition reads.
 */
const kernelMayImport = (target: string) =>
  target.startsWith('src/kernel/') || target.startsWith('src/config/') ||
  ['src/ports.ts', 'src/messages.ts', 'src/incidents/types.ts', 'src/notify/present.ts'].includes(target);

/** Layers above the kernel: nothing it imports may reach them, even through another module. */
const aboveKernel = (file: string) =>
  /^src\/(commands|timers|delivery|muster|alerts|main)\//.test(file) || /^src\/(app|main|cli)\.ts$/.test(file) ||
  file.startsWith('adapters/') || file.endsWith('/service.ts') || file === 'src/incidents/commit.ts';

function reachable(from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    for (const next of graph.get(todo.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

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

  it('lets only the composition root import the bot (src/app.ts), and only the bot import outbox delivery (src/delivery/)', () => {
    const isRoot = (file: string) => file === 'src/main.ts' || file.startsWith('src/main/');
    const offenders = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => (target === 'src/app.ts' && !isRoot(file)) || (target.startsWith('src/delivery/') && file !== 'src/app.ts' && !file.startsWith('src/delivery/')))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the kernel a leaf: it imports only leaf types and reaches no use case, grammar or adapter', () => {
    const kernel = [...graph.keys()].filter((file) => file.startsWith('src/kernel/'));
    expect(kernel.length).toBeGreaterThan(5);
    const direct = kernel.flatMap((file) => graph.get(file)!.filter((target) => !kernelMayImport(target)).map((target) => `${file} -> ${target}`));
    expect(direct).toEqual([]);
    const reached = kernel.flatMap((file) => [...reachable(file)].filter(aboveKernel).map((target) => `${file} ~> ${target}`));
    expect(reached).toEqual([]);
  });

  it('points nowhere users cannot follow: no source file or doc names the team design notes', () => {
    const docs = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
    expect(docs).toContain('docs/architecture.md');
    const pointing = [...graph.keys(), ...docs, 'README.md'].filter((file) => /DESIGN\.md|\.\.\/shared\b/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(pointing).toEqual([]);
  });

  it("names every folder of src/ and adapters/, and every file at their top, in docs/architecture.md's table", () => {
    const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Where things live'), doc.indexOf('## How a command flows'));
    const named = (entry: string) => table.includes(`\`${entry}\``) || (entry.endsWith('.ts') && table.includes(`\`${entry.split('/').pop()}\``));
    const entries = ['src', 'adapters'].flatMap((top) =>
      readdirSync(join(ROOT, top), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
        .map((entry) => (entry.isDirectory() ? `${top}/${entry.name}/` : `${top}/${entry.name}`)),
    );
    expect(entries.length).toBeGreaterThan(20);
    expect(entries.filter((entry) => !named(entry))).toEqual([]);
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

  it('is what the reconciler, the watchdog and every fired timer read', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Table check sev=P1 service=checkout');
    // A restart on the same records, with a fresh queue: its table is spied on to expect one more timer.
    const scheduler = new InProcessScheduler(h.clock, { realTime: false });
    const outbox = new InProcessOutbox({ attempts: 3, baseDelayMs: 1 });
    const muster = new Muster({ auditKey: TEST_AUDIT_KEY, config: h.config, store: h.store, scheduler, outbox, chat: h.chat, clock: h.clock, logger: silentLogger });
    const table = muster.timers;
    const marker: Timer = { id: 'marker-INC-1', dueAt: h.clock.now() + 60_000, incident: 'INC-1', kind: 'step', key: 'marker', epoch: 0 };
    const expected = table.expectedTimers.bind(table);
    vi.spyOn(table, 'expectedTimers').mockImplementation((incident) => [...expected(incident), ...(incident.id === 'INC-1' ? [marker] : [])]);
    const registration = table.get.bind(table);
    const step = registration('step') as IncidentTimerKind;
    const fired: string[] = [];
    vi.spyOn(table, 'get').mockImplementation((kind) =>
      kind === 'step' ? { ...step, fire: (ctx, fx, timer) => (timer.key === 'marker' ? void fired.push(timer.id) : step.fire(ctx, fx, timer)) } : registration(kind),
    );

    const report = await muster.start({ watchdog: false });
    const incident = (await h.store.get('INC-1'))!;
    // The queue holds the incident's one wake, at the earliest timer the table says the record expects.
    const wake = wakeFor('INC-1', table.expectedTimers(incident))!;
    expect(wake.dueAt).toBeLessThanOrEqual(marker.dueAt);
    expect(await scheduler.pendingIds()).toContain(wake.id);
    expect(report.timers).toBe(expectedTimers(incident).length + 1);

    // The alarm is lost; once it is due, the watchdog's pass re-creates it from the table.
    await scheduler.cancel([wake.id]);
    h.clock.advance(61_000);
    await muster.watchdog.beat();
    expect(await scheduler.pendingIds()).toContain(wake.id);

    // Firing goes to the registration the table hands out.
    await scheduler.runDue();
    expect(fired).toEqual(['marker-INC-1']);
    await muster.stop();
  });
});
