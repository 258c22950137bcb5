import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/chain.js';
import { musterConfigSchema } from '../../src/config/schema.js';
import { checkReferences } from '../../src/config/references.js';
import { parseParams, expandArgs } from '../../src/actions/params.js';
import { actionHarness, actionsConfig, ACTIONS } from './actions-support.js';
import { testConfig } from '../support/fixture.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const MIN = 60_000;
const P1 = '/incident declare Database down sev=P1 service=checkout';

describe('actions config', () => {
  it('parses actions with defaults, and refuses an exec program that is relative or not allow-listed', () => {
    const config = actionsConfig();
    const rollback = config.actions.catalog.rollback!;
    expect(rollback.executor).toMatchObject({ kind: 'exec', timeout: 30_000, maxOutput: 65_536 });
    expect(config.actions.catalog.failover!.executor).toMatchObject({ kind: 'http', idempotent: false, timeout: 30_000 });
    expect(config.actions.catalog.failover!.policy.delegate?.ttl).toBe(3_600_000);
    expect(rollback.policy).toMatchObject({ breakGlass: false, approval: { approvers: 1, expires: 15 * MIN } });
    const bad = (program: string) => musterConfigSchema.safeParse({
      ...testConfig(),
      actions: { allowedPrograms: ['/bin/echo'], catalog: { x: { title: 'x', executor: { kind: 'exec', program, args: ['{nope}'] } } } },
    });
    const relative = bad('echo');
    expect(relative.success).toBe(false);
    const unlisted = bad('/usr/bin/env');
    expect(JSON.stringify(unlisted.error?.issues)).toContain('not in actions.allowedPrograms');
    expect(JSON.stringify(unlisted.error?.issues)).toContain('unknown parameter {nope}');
  });

  it('checks references: delegated roles, approver teams and people exist', () => {
    const raw = { ...structuredClone(ACTIONS) };
    raw.catalog.failover.policy.delegate.roles = ['opz'];
    (raw.catalog.rollback.policy.approval as Record<string, unknown>).people = ['nobody'];
    const problems = checkReferences({ ...testConfig(), actions: raw });
    expect(problems.map((p) => p.path.join('.'))).toEqual([
      'actions.catalog.failover.policy.delegate.roles.0',
      'actions.catalog.rollback.policy.approval.people.0',
    ]);
    expect(problems[0]?.hint).toContain('did you mean "ops"');
  });

  it('compiles the parameter schema to zod and keeps each value one argument', () => {
    const config = actionsConfig();
    expect(parseParams(config.actions.catalog.failover!, { cluster: 'orders' })).toEqual({ ok: true, params: { cluster: 'orders' } });
    expect(parseParams(config.actions.catalog.failover!, { cluster: 'mars' }).ok).toBe(false);
    expect(parseParams(config.actions.catalog.failover!, { cluster: 'orders', extra: '1' }).ok).toBe(false);
    expect(parseParams(config.actions.catalog.rollback!, { service: 'check out' }).ok).toBe(false);
    expect(expandArgs(['--x={a}', '{b}', '{missing}'], { a: '; rm -rf /', b: '$(id)' })).toEqual(['--x=; rm -rf /', '$(id)']);
  });
});

describe('policy: grants, approvals, refusals', () => {
  it('refuses with the reason when there is no grant and no approval policy, and audits the refusal', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    const reply = await h.act('alice', 'run', 'INC-1 nuke');
    expect(reply.message.text).toBe('Refused: you hold no delegation grant for nuke, and it has no approval policy. The refusal is on the record.');
    expect(h.executor.calls).toHaveLength(0);
    const refused = await h.ofType('action.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ actor: 'alice', data: { action: 'nuke', reason: 'no_authority' } });
    // an unknown person is refused (and audited) too
    await h.act('stranger', 'run', 'INC-1 failover cluster=orders');
    expect((await h.ofType('action.refused'))[1]?.data).toMatchObject({ reason: 'unknown_person' });
    expect(h.executor.calls).toHaveLength(0);
  });

  it('a staffed ops responder in a P1 holds a grant and runs at once; the grant is announced first', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.say('sam', '/incident ack');
    const reply = await h.act('sam', 'run', 'failover cluster=orders', 'test:#inc-1-database-down');
    expect(reply.message.text).toBe('RUN-1: failover on INC-1 completed (200, 0:00).');
    expect(h.executor.calls).toHaveLength(1);
    expect(h.executor.calls[0]).toMatchObject({ action: 'failover', params: { cluster: 'orders' }, context: { incident: 'INC-1', run: 'RUN-1', requestedBy: 'sam' } });
    const types = (await h.store.timeline('INC-1')).map((e) => e.type).filter((t) => t.startsWith('action') || t.startsWith('grant'));
    expect(types).toEqual(['grant.issued', 'action.started', 'action.completed']);
    const grants = await h.act('cara', 'grants', 'INC-1');
    expect(grants.message.fields?.map((f) => f.label)).toEqual(['Sam SRE']);
  });

  it('the requester never approves their own request; an approver from the set runs it', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    const requested = await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    expect(requested.message.text).toMatch(/^Approval requested as REQ-1 from Dora Duty, Sam SRE, Sid SRE, Mona Manager: 1 approval needed before /);
    expect(h.executor.calls).toHaveLength(0);
    const own = await h.act('pete', 'approve', 'INC-1 REQ-1');
    expect(own.message.text).toBe('Refused: you cannot approve your own request. The refusal is on the record.');
    expect((await h.ofType('action.refused'))[0]?.data).toMatchObject({ reason: 'self_approval', request: 'REQ-1' });
    expect(h.executor.calls).toHaveLength(0);
    const ok = await h.act('sid', 'approve', 'INC-1 req-1');
    expect(ok.message.text).toBe('RUN-1: rollback on INC-1 completed (200, 0:00).');
    expect(h.executor.calls[0]?.context.requestedBy).toBe('pete');
    const started = (await h.ofType('action.started'))[0];
    expect(started?.data).toMatchObject({ via: 'approval', request: 'REQ-1', approvers: ['sid'] });
    expect((await h.store.get('INC-1'))?.actions?.requests[0]?.status).toBe('approved');
    // decided: nobody approves it twice
    expect((await h.act('sam', 'approve', 'INC-1 REQ-1')).message.text).toContain('already decided');
  });

  it('an approver outside the allowed set is refused, and audited', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    const reply = await h.act('cody', 'approve', 'INC-1 REQ-1');
    expect(reply.message.text).toBe('Refused: you are not one of the approvers of rollback (Dora Duty, sre). The refusal is on the record.');
    expect((await h.ofType('action.refused'))[0]).toMatchObject({ actor: 'cody', data: { reason: 'not_approver' } });
    expect(h.executor.calls).toHaveLength(0);
  });

  it('approvals expire (default 15 minutes)', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    await h.advance(15 * MIN);
    const reply = await h.act('sid', 'approve', 'INC-1 REQ-1');
    expect(reply.message.text).toBe('Refused: the request has expired. The refusal is on the record.');
    expect((await h.store.get('INC-1'))?.actions?.requests[0]?.status).toBe('expired');
    expect(h.executor.calls).toHaveLength(0);
  });

  it('two approvals when two are needed; the same person counts once', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.act('pete', 'run', 'INC-1 purge');
    expect((await h.act('sam', 'approve', 'INC-1 REQ-1')).message.text).toBe('REQ-1 approved (1/2).');
    expect((await h.act('sam', 'approve', 'INC-1 REQ-1')).message.text).toContain('you have already approved it');
    expect(h.executor.calls).toHaveLength(0);
    expect((await h.act('cara', 'approve', 'INC-1 REQ-1')).message.text).toContain('RUN-1: purge on INC-1 completed');
    expect(h.executor.calls).toHaveLength(1);
  });

  it('a denied request cannot be approved afterwards', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    expect((await h.act('sid', 'deny', 'INC-1 REQ-1 wrong release')).message.text).toBe('REQ-1 denied.');
    expect((await h.ofType('action.denied'))[0]?.data).toMatchObject({ reason: 'wrong release' });
    expect((await h.act('sam', 'approve', 'INC-1 REQ-1')).message.text).toContain('already decided');
    expect(h.executor.calls).toHaveLength(0);
  });

  it('a grant ends on resolve: an action one second later is refused', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.say('sam', '/incident ack');
    await h.act('sam', 'run', 'INC-1 failover cluster=orders');
    await h.say('alice', '/incident resolve INC-1 fixed');
    await h.advance(1_000);
    const reply = await h.act('sam', 'run', 'INC-1 failover cluster=orders');
    expect(reply.message.text).toContain('Refused: the incident is no longer active');
    expect(h.executor.calls).toHaveLength(1);
    // announced at the ack, ended by the resolve itself (not only when next observed)
    expect((await h.ofType('grant.issued'))[0]).toMatchObject({ actor: 'sam', person: 'sam', role: 'ops' });
    const timeline = await h.store.timeline('INC-1');
    const resolved = timeline.find((e) => e.type === 'incident.resolved')!;
    expect(timeline.find((e) => e.type === 'grant.ended')).toMatchObject({ actor: 'alice', at: resolved.at, person: 'sam', role: 'ops', data: { reason: 'resolved', action: 'failover' } });
  });

  it('a grant ends on a downgrade below its severity: an action one second later is refused', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.say('cara', '/incident ack');
    expect((await h.act('cara', 'run', 'INC-1 failover cluster=orders')).message.text).toContain('completed');
    await h.say('cara', '/incident sev INC-1 P2 contained');
    await h.advance(1_000);
    const reply = await h.act('cara', 'run', 'INC-1 failover cluster=orders');
    expect(reply.message.text).toContain('Refused: you hold no delegation grant for failover');
    expect(h.executor.calls).toHaveLength(1);
    expect((await h.ofType('grant.ended'))[0]).toMatchObject({ actor: 'cara', person: 'cara', role: 'commander', data: { reason: 'severity' } });
    expect((await h.ofType('grant.ended'))[0]?.at).toBe((await h.ofType('incident.severity_changed'))[0]?.at);
  });

  it('a grant ends at its TTL (from the ack): a second before it runs, a second after it is refused', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.say('cara', '/incident ack');
    await h.advance(60 * MIN - 1_000);
    expect((await h.act('cara', 'run', 'INC-1 failover cluster=orders')).message.text).toContain('completed');
    await h.advance(2_000);
    const reply = await h.act('cara', 'run', 'INC-1 failover cluster=payments');
    expect(reply.message.text).toContain('Refused: you hold no delegation grant for failover');
    expect(h.executor.calls).toHaveLength(1);
    expect((await h.ofType('grant.ended'))[0]?.data).toMatchObject({ reason: 'ttl' });
  });

  it('break-glass runs without approval, needs a reason, and alerts security at once', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    expect((await h.act('alice', 'breakGlass', 'INC-1 failover cluster=orders')).message.text).toContain('break-glass needs a reason');
    expect((await h.act('alice', 'breakGlass', 'INC-1 rollback service=x reason="now"')).message.text).toContain('break-glass is not allowed for rollback');
    expect(h.executor.calls).toHaveLength(0);
    const reply = await h.act('alice', 'breakGlass', 'INC-1 failover cluster=orders reason="primary is corrupting writes"');
    expect(reply.message.text).toContain('RUN-1: failover on INC-1 completed');
    const used = await h.ofType('breakglass.used');
    expect(used[0]?.data).toMatchObject({ action: 'failover', reason: 'primary is corrupting writes', alerted: 'audience:security' });
    const security = h.chat.delivered.filter((d) => d.to.kind === 'room' && d.to.conversation === 'console:#security' && d.message.text.includes('Break-glass'));
    expect(security.map((d) => d.message.text)).toEqual([
      'Break-glass on INC-1 [P1]: Alice Declarer ran failover with cluster=orders. Reason: primary is corrupting writes.',
    ]);
    expect((await h.ofType('action.started'))[0]?.data).toMatchObject({ via: 'break-glass' });
  });

  it('bad parameters are a usage error: nothing runs', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.say('sam', '/incident ack');
    await expect(h.act('sam', 'run', 'INC-1 failover cluster=mars')).rejects.toThrow(/Parameters of failover refused: cluster/);
    await expect(h.act('sam', 'run', 'INC-1 teleport')).rejects.toThrow(/Unknown action "teleport"/);
    expect(h.executor.calls).toHaveLength(0);
  });
});

describe('audit before act', () => {
  it('the start entry is committed before the executor runs', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.say('sam', '/incident ack');
    await h.act('sam', 'run', 'INC-1 failover cluster=orders');
    // Page receipts land on their own as deliveries finish; among the rest, the run's start is the newest entry.
    expect(h.executor.calls[0]?.timelineTypes.filter((type) => !type.startsWith('page.')).at(-1)).toBe('action.started');
    expect(h.executor.calls[0]?.timelineTypes).not.toContain('action.completed');
    expect(verifyChain(await h.store.timeline('INC-1'), TEST_AUDIT_KEY)).toBeUndefined();
  });

  it('if the store refuses the write, the executor is not called', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.say('sam', '/incident ack');
    h.store.commit = async () => {
      throw new Error('disk full');
    };
    await expect(h.act('sam', 'run', 'INC-1 failover cluster=orders')).rejects.toThrow('disk full');
    expect(h.executor.calls).toHaveLength(0);
  });

  it('a refused approval-triggered start never reaches the executor either', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    h.store.commit = async () => false;
    await expect(h.act('sid', 'approve', 'INC-1 REQ-1')).rejects.toThrow(/changed 8 times/);
    expect(h.executor.calls).toHaveLength(0);
  });
});

describe('dry runs', () => {
  it('records the plan and never calls the executor', async () => {
    const h = await actionHarness({ runtime: { dryRun: () => true } });
    await h.say('alice', P1);
    await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    const reply = await h.act('sid', 'approve', 'INC-1 REQ-1');
    expect(reply.message.text).toContain('dry run of rollback on INC-1; nothing was executed');
    expect(h.executor.calls).toHaveLength(0);
    expect((await h.ofType('action.started'))[0]?.data).toMatchObject({ dryRun: true });
    expect((await h.ofType('action.completed'))[0]?.data).toMatchObject({
      dryRun: true, status: 'dry-run', plan: { executor: 'exec', program: '/bin/echo', args: ['--service', 'checkout'] },
    });
  });
});

describe('drills', () => {
  it('every action of a drill incident is a dry run unless the drill lets it run live (approved at start)', async () => {
    const h = await actionHarness();
    await h.say('alice', P1);
    await h.say('sam', '/incident ack');
    const stored = (h.store as unknown as { incidents: Map<string, import('../../src/incidents/types.js').Incident> }).incidents.get('INC-1')!;
    stored.drill = { scenario: 'db-failure', live: ['rollback'], startedBy: 'mona', liveApprovedBy: 'dora' };
    const reply = await h.act('sam', 'run', 'INC-1 failover cluster=orders');
    expect(reply.message.text).toContain('RUN-1: dry run of failover on INC-1; nothing was executed. Plan: {"executor":"http","method":"POST","url":"http://127.0.0.1:9/failover"');
    expect(h.executor.calls).toHaveLength(0);
    await h.act('pete', 'run', 'INC-1 rollback service=checkout');
    await h.act('sid', 'approve', 'INC-1 REQ-1');
    expect(h.executor.calls.map((c) => c.action)).toEqual(['rollback']);
  });
});
