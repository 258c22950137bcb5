import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecExecutor } from '../../adapters/executors/exec.js';
import { HttpExecutor } from '../../adapters/executors/http.js';
import { describeProblem, unreadyActions } from '../../src/actions/readiness.js';
import { translator } from '../../src/i18n/catalog.js';
import { actionHarness, actionsConfig, type ActionHarness } from './actions-support.js';

const P1 = '/incident declare Database down sev=P1 service=checkout';
const ROOM = 'test:#inc-1-database-down';

/** A directory with a program that exists but may not be run. */
function notExecutable(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'muster-actions-')), 'rollback');
  writeFileSync(file, '#!/bin/sh\necho rolled back\n');
  chmodSync(file, 0o644);
  return file;
}

function configWithProgram(program: string) {
  return actionsConfig((raw) => {
    const actions = raw.actions as { allowedPrograms: string[]; catalog: Record<string, { executor: { program?: string } }> };
    actions.allowedPrograms = [program];
    actions.catalog.rollback!.executor.program = program;
  });
}

/** The real executors, as the bot builds them: no secret is set for any http action. */
function realExecutors(config: ReturnType<typeof actionsConfig>) {
  return { http: new HttpExecutor({ secrets: new Map() }), exec: new ExecExecutor({ allowedPrograms: config.actions.allowedPrograms }) };
}

const roomTexts = (h: ActionHarness) => h.chat.delivered.filter((d) => d.to.kind === 'room' && d.to.conversation === ROOM).map((d) => d.message.text);

describe('an action that cannot run says so before anyone approves it', () => {
  it('an http action with its secret unset is refused at the request: no approval is asked for, and the room hears why', async () => {
    const config = actionsConfig();
    const h = await actionHarness({ config, runtime: { executors: realExecutors(config) } });
    await h.say('alice', P1);
    const reply = await h.act('pete', 'run', 'INC-1 purge');
    expect(reply.message.text).toBe(
      'Refused: purge cannot run here: its secret is not set (set TEST_PURGE_SECRET in the bot\'s environment and restart it). '
      + 'Nothing ran, and nobody is asked to approve it until that is fixed. The refusal is on the record.',
    );
    expect(await h.ofType('action.requested')).toHaveLength(0);
    expect((await h.ofType('action.refused'))[0]?.data).toMatchObject({ action: 'purge', reason: 'cannot_run', problem: { problem: 'secret_missing', variable: 'TEST_PURGE_SECRET' } });
    expect((await h.store.get('INC-1'))?.actions?.requests ?? []).toHaveLength(0);
    expect(roomTexts(h)).toContain('Pete Payments tried to run purge, but it cannot run here: its secret is not set (set TEST_PURGE_SECRET in the bot\'s environment and restart it). Nothing ran.');
    // a grant holder is stopped the same way: the start entry is never written
    await h.say('sam', '/incident ack');
    const granted = await h.act('sam', 'run', 'failover cluster=orders', ROOM);
    expect(granted.message.text).toContain('failover cannot run here: its secret is not set (set TEST_FAILOVER_SECRET');
    expect(await h.ofType('action.started')).toHaveLength(0);
  });

  it('an exec action whose program is missing, or not executable, is refused before the request', async () => {
    const missing = configWithProgram('/nonexistent/muster/rollback');
    const h = await actionHarness({ config: missing, runtime: { executors: realExecutors(missing) } });
    await h.say('alice', P1);
    const reply = await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    expect(reply.message.text).toContain('rollback cannot run here: /nonexistent/muster/rollback does not exist on the bot\'s machine.');
    expect(await h.ofType('action.requested')).toHaveLength(0);

    const program = notExecutable();
    const locked = configWithProgram(program);
    const h2 = await actionHarness({ config: locked, runtime: { executors: realExecutors(locked) } });
    await h2.say('alice', P1);
    const reply2 = await h2.act('pete', 'run', 'INC-1 rollback service=checkout');
    expect(reply2.message.text).toContain(`rollback cannot run here: ${program} is not executable by the bot (chmod +x it).`);
    expect(await h2.ofType('action.requested')).toHaveLength(0);
  });

  it('a program that went away after the request is refused at the approval, which then does not count', async () => {
    const config = configWithProgram('/bin/echo');
    const exec = new ExecExecutor({ allowedPrograms: ['/bin/echo'] });
    let gone = false;
    const flaky = { run: exec.run.bind(exec), readiness: (action: Parameters<ExecExecutor['readiness']>[0]) => (gone ? { problem: 'program_missing' as const, program: '/bin/echo' } : exec.readiness(action)) };
    const h = await actionHarness({ config, runtime: { executors: { exec: flaky, http: new HttpExecutor({ secrets: new Map() }) } } });
    await h.say('alice', P1);
    expect((await h.act('pete', 'run', 'INC-1 rollback service=checkout')).message.text).toMatch(/^Approval requested as REQ-1/);
    gone = true;
    const approval = await h.act('sid', 'approve', 'INC-1 REQ-1');
    expect(approval.message.text).toContain('/bin/echo does not exist on the bot\'s machine');
    // the room names who asked for the run, not the approver
    expect(roomTexts(h)).toContain('Pete Payments tried to run rollback, but it cannot run here: /bin/echo does not exist on the bot\'s machine. Nothing ran.');
    const request = (await h.store.get('INC-1'))?.actions?.requests[0];
    expect(request).toMatchObject({ status: 'pending', approvals: [] });
    expect(await h.ofType('action.started')).toHaveLength(0);
  });

  it('a failed run tells the war room why, not only the requester', async () => {
    const h = await actionHarness();
    h.executor.outcome = { ok: false, status: 500, output: 'replica is 40 s behind', durationMs: 1200 };
    await h.say('alice', P1);
    await h.say('sam', '/incident ack');
    await h.act('sam', 'run', 'failover cluster=orders', ROOM);
    expect(roomTexts(h)).toContain('RUN-1: failover FAILED (500, 0:01). replica is 40 s behind');
  });

  it('a request only its requester could approve is refused at once, not left waiting', async () => {
    const config = actionsConfig((raw) => {
      const catalog = (raw.actions as { catalog: Record<string, { policy: Record<string, unknown> }> }).catalog;
      catalog.rollback!.policy = { approval: { approvers: 1, people: ['dora'] } };
    });
    const h = await actionHarness({ config });
    await h.say('alice', P1);
    const reply = await h.act('dora', 'run', 'INC-1 rollback service=checkout');
    expect(reply.message.text).toBe('Refused: rollback needs more approvers than there are besides you (Dora Duty): nobody could approve the request. Ask for break-glass if the policy allows it, or fix the approvers in muster.yaml. The refusal is on the record.');
    expect(await h.ofType('action.requested')).toHaveLength(0);
    expect((await h.ofType('action.refused'))[0]?.data).toMatchObject({ reason: 'too_few_approvers', needs: 1, approvers: 0 });
    // someone else asking still gets a request Dora can approve
    expect((await h.act('pete', 'run', 'INC-1 rollback service=checkout')).message.text).toMatch(/^Approval requested as REQ-1 from Dora Duty: /);
  });

  it('lists only people who may approve: never the requester', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    const reply = await h.act('sam', 'run', 'INC-1 rollback service=checkout');
    expect(reply.message.text).toMatch(/^Approval requested as REQ-1 from Dora Duty, Sid SRE, Mona Manager: /);
    expect(roomTexts(h).find((text) => text.includes('REQ-1 needs'))).toContain('from Dora Duty, Sid SRE, Mona Manager before');
  });
});

describe('which actions cannot run, for validate and start-up', () => {
  it('names each action and the reason, in both languages', () => {
    const config = configWithProgram('/nonexistent/muster/rollback');
    const problems = unreadyActions(config, realExecutors(config));
    expect(problems.map((p) => [p.action, describeProblem(translator('en'), p.problem)])).toEqual([
      ['failover', 'its secret is not set (set TEST_FAILOVER_SECRET in the bot\'s environment and restart it)'],
      ['rollback', '/nonexistent/muster/rollback does not exist on the bot\'s machine'],
      ['purge', 'its secret is not set (set TEST_PURGE_SECRET in the bot\'s environment and restart it)'],
      ['nuke', 'its secret is not set (set TEST_NUKE_SECRET in the bot\'s environment and restart it)'],
    ]);
    expect(describeProblem(translator('zh-CN'), problems[1]!.problem)).toBe('机器人所在机器上不存在 /nonexistent/muster/rollback');
    const ready = unreadyActions(configWithProgram('/bin/echo'), { exec: new ExecExecutor({ allowedPrograms: ['/bin/echo'] }), http: new HttpExecutor({ secrets: new Map([['failover', 's'], ['purge', 's'], ['nuke', 's']]) }) });
    expect(ready).toEqual([]);
    expect(unreadyActions(config, {}).map((p) => p.problem)).toContainEqual({ problem: 'no_executor', kind: 'exec' });
  });
});
