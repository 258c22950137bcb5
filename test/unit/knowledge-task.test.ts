import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/errors.js';
import { translator } from '../../src/i18n/catalog.js';
import type { Incident } from '../../src/incidents/types.js';
import { knowledgeConfigSchema } from '../../src/knowledge/config.js';
import { editEntry, fileEntry, knowledgeInputSchema, knowledgePatchSchema, parseKnowledgeInput } from '../../src/knowledge/entry.js';
import { closeTaskFiled, knowledgeTimers, onKnowledgeTimer, onTimeShare, openKnowledgeTask, skipKnowledgeTask } from '../../src/knowledge/task.js';
import { PAST_INCIDENTS, pastIncident } from '../support/kb-incidents.js';
import { TEST_CONFIG_YAML, testConfig } from '../support/fixture.js';
import { parseConfigText } from '../../src/config/load.js';

const t = translator('en');
const HOUR = 3_600_000;
const managers = (team: string) => ({ payments: 'mia' })[team];

function resolvedIncident(overrides: Partial<Incident> = {}): Incident {
  const base = pastIncident(PAST_INCIDENTS[12]!, { resolved: false });
  return {
    ...base,
    status: 'resolved',
    resolvedAt: base.declaredAt + HOUR,
    slots: [
      { role: 'commander', team: 'payments', state: 'acked', ackedBy: 'ivy', ackedAt: base.declaredAt, startedAt: base.declaredAt, epoch: 1, nextStep: 1, chain: [], pages: [] },
      { role: 'tech', team: 'payments', state: 'acked', ackedBy: 'tom', ackedAt: base.declaredAt, startedAt: base.declaredAt, epoch: 1, nextStep: 1, chain: [], pages: [] },
    ],
    ...overrides,
  };
}

function open(incident = resolvedIncident(), config = knowledgeConfigSchema.parse({})): Incident {
  const knowledge = openKnowledgeTask(incident, config, incident.resolvedAt!);
  expect(knowledge).toBeDefined();
  return { ...incident, knowledge };
}

const entryInput = { rootCause: 'Gateway deadlocked after a hot reload', resolution: '1. Restart the payment gateway\n2. Disable hot reload', module: 'payments/gateway', faultType: 'deadlock' };

function expectDomainError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(isDomainError(error) && error.code).toBe(code);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a DomainError');
}

describe('the knowledge task', () => {
  it('opens at resolve for the commander, due 48 hours later, reminded 4 hours before', () => {
    const incident = open();
    const resolvedAt = incident.resolvedAt!;
    expect(incident.knowledge?.task).toMatchObject({ state: 'open', owner: 'ivy', ownerRole: 'commander', team: 'payments', dueAt: resolvedAt + 48 * HOUR, remindAt: resolvedAt + 44 * HOUR, epoch: 0 });
    expect(knowledgeTimers(incident)).toEqual([
      { id: `knowledge-${incident.id}-remind-0`, incident: incident.id, kind: 'knowledge', key: 'remind', dueAt: resolvedAt + 44 * HOUR, epoch: 0 },
      { id: `knowledge-${incident.id}-overdue-0`, incident: incident.id, kind: 'knowledge', key: 'overdue', dueAt: resolvedAt + 48 * HOUR, epoch: 0 },
    ]);
    expect(knowledgeTimers(incident).every((timer) => !timer.id.includes(':'))).toBe(true);
  });

  it('takes the due time per severity and the owner role from config', () => {
    const config = knowledgeConfigSchema.parse({ owner: 'tech', dueBySeverity: { P1: '24h' }, remindBefore: '30h' });
    const incident = open(resolvedIncident(), config);
    // The reminder would fall before resolve: there is none.
    expect(incident.knowledge?.task).toMatchObject({ owner: 'tom', ownerRole: 'tech', dueAt: incident.resolvedAt! + 24 * HOUR });
    expect(incident.knowledge?.task?.remindAt).toBeUndefined();
    expect(knowledgeTimers(incident).map((timer) => timer.key)).toEqual(['overdue']);
  });

  it('falls back to the declarer when nobody holds the role, and escalates to them then', () => {
    const incident = open(resolvedIncident({ slots: [] }));
    expect(incident.knowledge?.task).toMatchObject({ owner: 'bob' });
    expect(incident.knowledge?.task?.team).toBeUndefined();
    const outcome = onKnowledgeTimer(incident, { key: 'overdue', epoch: 0 }, incident.knowledge!.task!.dueAt, managers);
    expect(outcome?.notice).toEqual({ kind: 'overdue', to: 'bob', owner: 'bob', dueAt: incident.knowledge!.task!.dueAt });
  });

  it('opens no task for a drill or when an entry is already filed', () => {
    const config = knowledgeConfigSchema.parse({});
    const drill = resolvedIncident({ drill: { scenario: 'p1', live: [], startedBy: 'carol' } });
    expect(openKnowledgeTask(drill, config, drill.resolvedAt!)).toBeUndefined();
    const filed = pastIncident(PAST_INCIDENTS[0]!);
    expect(openKnowledgeTask(filed, config, filed.resolvedAt!)).toBeUndefined();
  });

  it('reminds the owner once, then goes to the team manager when overdue, then expects nothing', () => {
    let incident = open();
    const task = incident.knowledge!.task!;
    const reminded = onKnowledgeTimer(incident, { key: 'remind', epoch: 0 }, task.remindAt!, managers);
    expect(reminded?.notice).toEqual({ kind: 'reminder', to: 'ivy', dueAt: task.dueAt });
    incident = { ...incident, knowledge: reminded!.knowledge };
    expect(onKnowledgeTimer(incident, { key: 'remind', epoch: 0 }, task.remindAt! + 1, managers)).toBeUndefined();
    expect(knowledgeTimers(incident).map((timer) => timer.key)).toEqual(['overdue']);

    const overdue = onKnowledgeTimer(incident, { key: 'overdue', epoch: 0 }, task.dueAt, managers);
    expect(overdue?.notice).toEqual({ kind: 'overdue', to: 'mia', owner: 'ivy', dueAt: task.dueAt });
    incident = { ...incident, knowledge: overdue!.knowledge };
    expect(incident.knowledge?.task).toMatchObject({ state: 'open', overdueAt: task.dueAt, escalatedTo: 'mia' });
    expect(onKnowledgeTimer(incident, { key: 'overdue', epoch: 0 }, task.dueAt + 1, managers)).toBeUndefined();
    expect(knowledgeTimers(incident)).toEqual([]);
  });

  it('stops its timers when the entry is filed; a late alarm does nothing', () => {
    const incident = open();
    const task = incident.knowledge!.task!;
    const filedAt = task.openedAt + 3 * HOUR;
    const knowledge = closeTaskFiled(fileEntry(incident.knowledge, knowledgeInputSchema.parse(entryInput), 'ivy', filedAt, t), 'ivy', filedAt);
    const filed = { ...incident, knowledge };
    expect(filed.knowledge.task).toMatchObject({ state: 'filed', onTime: true, closedBy: 'ivy', closedAt: filedAt, epoch: 1 });
    expect(knowledgeTimers(filed)).toEqual([]);
    expect(onKnowledgeTimer(filed, { key: 'remind', epoch: 0 }, task.remindAt!, managers)).toBeUndefined();
    expect(onKnowledgeTimer(filed, { key: 'overdue', epoch: 1 }, task.dueAt, managers)).toBeUndefined();
  });

  it('records a late filing as late', () => {
    const incident = open();
    const late = incident.knowledge!.task!.dueAt + 1;
    const knowledge = closeTaskFiled(fileEntry(incident.knowledge, knowledgeInputSchema.parse(entryInput), 'ivy', late, t), 'ivy', late);
    expect(knowledge.task).toMatchObject({ state: 'filed', onTime: false });
  });

  it('needs a reason to skip, keeps it, and stops the timers', () => {
    const incident = open();
    expectDomainError(() => skipKnowledgeTask(incident, '   ', 'ivy', 1, t), 'usage', /needs a reason/);
    const knowledge = skipKnowledgeTask(incident, '  duplicate of INC-12 ', 'ivy', 5, t);
    expect(knowledge.task).toMatchObject({ state: 'skipped', skipReason: 'duplicate of INC-12', closedBy: 'ivy', closedAt: 5, epoch: 1 });
    const skipped = { ...incident, knowledge };
    expect(knowledgeTimers(skipped)).toEqual([]);
    expectDomainError(() => skipKnowledgeTask(skipped, 'again', 'ivy', 6, t), 'conflict', /already skipped/);
    expectDomainError(() => skipKnowledgeTask(resolvedIncident(), 'why', 'ivy', 6, t), 'not_found', /no knowledge task/);
  });

  it('measures the share filed on time over tasks due in a window, drills aside', () => {
    const base = open();
    const task = base.knowledge!.task!;
    const withTask = (n: number, patch: object) => ({ ...base, id: `INC-${n}`, knowledge: { history: [], task: { ...task, ...patch } } });
    const incidents = [
      withTask(1, { state: 'filed', onTime: true }),
      withTask(2, { state: 'filed', onTime: false }),
      withTask(3, { state: 'skipped', skipReason: 'dup' }),
      withTask(4, { state: 'open' }),
      withTask(5, { state: 'filed', onTime: true, dueAt: task.dueAt + 10 * 24 * HOUR }),
      { ...withTask(6, { state: 'filed', onTime: true }), drill: { scenario: 'p1', live: [], startedBy: 'x' } },
    ];
    expect(onTimeShare(incidents, task.dueAt - HOUR, task.dueAt + HOUR)).toEqual({ due: 4, filedOnTime: 1, filedLate: 1, skipped: 1, open: 1, share: 0.25 });
    expect(onTimeShare([], 0, 1).share).toBeUndefined();
  });
});

describe('knowledge entries', () => {
  it('parses the resolution steps from one text, numbered or separated by ; or ；', () => {
    expect(knowledgeInputSchema.parse(entryInput).resolution).toEqual(['Restart the payment gateway', 'Disable hot reload']);
    expect(knowledgeInputSchema.parse({ ...entryInput, resolution: '重启支付网关；关闭热加载' }).resolution).toEqual(['重启支付网关', '关闭热加载']);
  });

  it('says which field to fix', () => {
    expectDomainError(() => parseKnowledgeInput(knowledgeInputSchema, { ...entryInput, rootCause: ' ' }, t), 'usage', /rootCause is required/);
    expectDomainError(() => parseKnowledgeInput(knowledgeInputSchema, { ...entryInput, resolution: ' ; ' }, t), 'usage', /resolution needs 1 to 30 steps/);
    expectDomainError(() => parseKnowledgeInput(knowledgeInputSchema, { ...entryInput, cause: 'x' }, t), 'usage', /Unknown knowledge field "cause"/);
    expectDomainError(() => parseKnowledgeInput(knowledgePatchSchema, {}, t), 'usage', /at least one field/);
    expect(translator('zh-CN')('knowledge.field.module')).toMatch(/产品模块/);
  });

  it('files with the playbook that ran, then keeps a history of edits with the old values', () => {
    const filed = fileEntry(undefined, knowledgeInputSchema.parse(entryInput), 'ivy', 100, t, 'payments-gateway-down');
    expect(filed.entry).toMatchObject({ rootCause: entryInput.rootCause, playbook: 'payments-gateway-down', filedBy: 'ivy', filedAt: 100 });
    expect(filed.history).toEqual([{ at: 100, by: 'ivy', kind: 'filed', fields: ['rootCause', 'resolution', 'module', 'faultType', 'playbook'] }]);

    const edited = editEntry(filed, parseKnowledgeInput(knowledgePatchSchema, { faultType: 'config-change', module: 'payments/gateway' }, t), 'tom', 200, t);
    expect(edited.entry).toMatchObject({ faultType: 'config-change', filedBy: 'ivy', updatedBy: 'tom', updatedAt: 200 });
    expect(edited.history[1]).toEqual({ at: 200, by: 'tom', kind: 'edited', fields: ['faultType'], before: { faultType: 'deadlock' } });
    expect(editEntry(edited, { module: 'payments/gateway' }, 'tom', 300, t)).toBe(edited);
    expectDomainError(() => editEntry({ history: [] }, { module: 'x' }, 'tom', 300, t, 'INC-9'), 'not_found', /INC-9 has no knowledge entry/);
  });

  it('treats filing again as an edit, so no filing is lost from the history', () => {
    const first = fileEntry(undefined, knowledgeInputSchema.parse(entryInput), 'ivy', 100, t);
    const second = fileEntry(first, knowledgeInputSchema.parse({ ...entryInput, rootCause: 'A different cause' }), 'tom', 200, t);
    expect(second.entry?.rootCause).toBe('A different cause');
    expect(second.history.map((edit) => edit.kind)).toEqual(['filed', 'edited']);
    expect(second.history[1]?.before).toEqual({ rootCause: entryInput.rootCause });
  });
});

describe('knowledge: in muster.yaml', () => {
  it('defaults to the commander, 48 hours, a reminder 4 hours before', () => {
    expect(testConfig().knowledge).toEqual({ owner: 'commander', due: 48 * HOUR, dueBySeverity: {}, remindBefore: 4 * HOUR });
    const config = testConfig((raw) => {
      raw.knowledge = { owner: 'tech', dueBySeverity: { P1: '1d', P3: '5d' } };
    });
    expect(config.knowledge).toMatchObject({ owner: 'tech', due: 48 * HOUR, dueBySeverity: { P1: 24 * HOUR, P3: 120 * HOUR } });
  });

  it('names the path and the fix for a bad value', () => {
    expect(() => parseConfigText(`${TEST_CONFIG_YAML}\nknowledge:\n  dueBySeverity:\n    P1: soon\n`, 'muster.yaml')).toThrow(/knowledge\.dueBySeverity\.P1[\s\S]*write a duration like/);
  });
});

