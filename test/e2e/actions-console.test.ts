/**
 * Privileged actions and playbooks through the real CLI: `muster console
 * --script --json` in embedded mode, with fixtures/actions (fast.yaml's people
 * plus an exec action `echo` and a checkout P1 playbook). The exec program
 * must be an absolute path, so the fixture folder is copied to a temp dir and
 * the config pointed at the copy there.
 */
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, muster } from './cli.js';

interface EventLine {
  type: string;
  incident: string;
  at: string;
  seq: number;
  actor?: string;
  role?: string;
  person?: string;
  data: Record<string, unknown>;
  hash: string;
}

const PLACEHOLDER = '/muster-fixture-dir';
let dir = '';
let config = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'muster-e2e-actions-'));
  cpSync(join(FIXTURES, 'actions'), dir, { recursive: true });
  const program = join(dir, 'echo-args.mjs');
  // The child gets only PATH and LANG; pin the interpreter to this node so the
  // test does not depend on `node` being on that PATH.
  writeFileSync(program, readFileSync(program, 'utf8').replace(/^#!.*\n/, `#!${process.execPath}\n`));
  chmodSync(program, 0o755);
  config = join(dir, 'actions.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replaceAll(PLACEHOLDER, dir));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let scripts = 0;
/** Plays the script lines; returns the JSON events of INC-1 and the human side (stderr). */
async function play(lines: string[]): Promise<{ events: EventLine[]; human: string }> {
  scripts += 1;
  const script = join(dir, `play-${scripts}.script`);
  writeFileSync(script, `${lines.join('\n')}\n`);
  const result = await muster(['console', '--config', config, '--script', script, '--json']);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toContain('EMBEDDED MODE');
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as EventLine);
  const seqs = events.filter((e) => e.incident === 'INC-1').map((e) => e.seq);
  // the timeline is printed in commit order, one event per seq
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);
  return { events: events.filter((e) => e.incident === 'INC-1'), human: result.stderr };
}

const DECLARE = 'alice: /incident declare Checkout is failing sev=P1 service=checkout';
const one = (events: EventLine[], predicate: (e: EventLine) => boolean): EventLine => {
  const found = events.filter(predicate);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('privileged actions in the console (embedded, --json)', () => {
  it('the staffed tech lead runs echo by grant: started before completed, and shell text arrives as one literal argument', async () => {
    const { events, human } = await play([DECLARE, 'bob: /incident ack', 'carol: /incident ack', 'carol: /incident run INC-1 echo msg="; rm -rf / $(id)"']);

    const grant = one(events, (e) => e.type === 'grant.issued');
    expect(grant).toMatchObject({ role: 'tech', person: 'carol', data: { action: 'echo', severity: 'P1' } });
    const started = one(events, (e) => e.type === 'action.started');
    const completed = one(events, (e) => e.type === 'action.completed');
    expect(grant.seq).toBeLessThan(started.seq);
    expect(started.seq).toBeLessThan(completed.seq);
    expect(started).toMatchObject({
      person: 'carol',
      role: 'tech',
      data: { run: 'RUN-1', action: 'echo', executor: 'exec', via: 'grant', role: 'tech', dryRun: false, params: { msg: '; rm -rf / $(id)' } },
    });
    expect(completed).toMatchObject({ person: 'carol', data: { run: 'RUN-1', action: 'echo', ok: true, status: 0, dryRun: false } });
    // no shell: the program got exactly two argv entries, the second the literal text
    expect(JSON.parse(completed.data.output as string)).toEqual(['--msg', '; rm -rf / $(id)']);
    expect(events.some((e) => e.type === 'action.refused' || e.type === 'action.requested' || e.type === 'action.failed')).toBe(false);
    expect(human).toContain('RUN-1: Carol is running echo with msg=; rm -rf / $(id) (delegation grant as Tech lead).');
    expect(human).toContain('RUN-1: echo completed (0,');
  }, 60_000);

  it('without a grant a run becomes REQ-1; the requester cannot approve it, judy can, and then it runs', async () => {
    const { events, human } = await play([
      DECLARE,
      'carol: /incident ack',
      'alice: /incident run INC-1 echo msg=hello',
      'alice: /incident approve INC-1 REQ-1',
      'judy: /incident approve INC-1 REQ-1',
    ]);

    const requested = one(events, (e) => e.type === 'action.requested');
    expect(requested).toMatchObject({ person: 'alice', data: { request: 'REQ-1', action: 'echo', params: { msg: 'hello' }, needs: 1 } });
    expect(human).toContain('Approval requested as REQ-1 from Judy');

    const refused = one(events, (e) => e.type === 'action.refused');
    expect(refused).toMatchObject({ actor: 'alice', data: { action: 'echo', reason: 'self_approval', request: 'REQ-1' } });
    expect(human).toContain('you cannot approve your own request');

    const approved = one(events, (e) => e.type === 'action.approved');
    expect(approved).toMatchObject({ person: 'judy', data: { request: 'REQ-1', action: 'echo', have: 1, needs: 1 } });
    const started = one(events, (e) => e.type === 'action.started');
    const completed = one(events, (e) => e.type === 'action.completed');
    expect(started).toMatchObject({ person: 'alice', data: { run: 'RUN-1', via: 'approval', request: 'REQ-1', approvers: ['judy'], params: { msg: 'hello' } } });
    expect(completed).toMatchObject({ person: 'alice', data: { run: 'RUN-1', ok: true } });
    expect(JSON.parse(completed.data.output as string)).toEqual(['--msg', 'hello']);
    // requested, refused self-approval, approved, started, completed: in that order, nothing ran early
    const order = [requested, refused, approved, started, completed].map((e) => e.seq);
    order.slice(1).forEach((seq, index) => expect(seq).toBeGreaterThan(order[index]!));
    expect(human).toContain('RUN-1: Alice is running echo with msg=hello (approved by Judy).');
  }, 60_000);

  it('`/incident run <step>` runs the playbook action step with its parameters and closes the step', async () => {
    const { events, human } = await play([
      DECLARE,
      'carol: /incident ack',
      'carol: /incident done INC-1 check-echo',
      'carol: /incident run INC-1 run-echo',
      'carol: /incident steps INC-1',
    ]);

    expect(one(events, (e) => e.type === 'playbook.attached').data).toMatchObject({ playbook: 'checkout-echo' });
    const opened = one(events, (e) => e.type === 'step.opened' && e.data.step === 'run-echo');
    const started = one(events, (e) => e.type === 'action.started');
    const completed = one(events, (e) => e.type === 'action.completed');
    const done = one(events, (e) => e.type === 'step.done' && e.data.step === 'run-echo');
    expect(opened.data).toMatchObject({ kind: 'action' });
    expect(started).toMatchObject({ person: 'carol', data: { action: 'echo', via: 'grant', params: { msg: 'from-playbook' } } });
    expect(JSON.parse(completed.data.output as string)).toEqual(['--msg', 'from-playbook']);
    expect(done.role).toBe('tech');
    expect(opened.seq).toBeLessThan(started.seq);
    expect(started.seq).toBeLessThan(completed.seq);
    expect(completed.seq).toBeLessThan(done.seq);
    const finished = one(events, (e) => e.type === 'playbook.completed');
    expect(finished.seq).toBeGreaterThan(done.seq);

    const steps = human.slice(human.indexOf('carol> /incident steps INC-1'));
    expect(steps).toMatch(/check-echo: .*: done/);
    expect(steps).toMatch(/run-echo: .*: done/);
  }, 60_000);

  it('break-glass runs without approval, with the reason on the record before the run', async () => {
    const { events, human } = await play([DECLARE, 'carol: /incident ack', 'alice: /incident break-glass INC-1 echo reason="db on fire" msg=x']);

    const glass = one(events, (e) => e.type === 'breakglass.used');
    expect(glass).toMatchObject({ person: 'alice', data: { action: 'echo', params: { msg: 'x' }, reason: 'db on fire' } });
    const started = one(events, (e) => e.type === 'action.started');
    const completed = one(events, (e) => e.type === 'action.completed');
    expect(started).toMatchObject({ person: 'alice', data: { via: 'break-glass', reason: 'db on fire', params: { msg: 'x' } } });
    expect(JSON.parse(completed.data.output as string)).toEqual(['--msg', 'x']);
    expect(glass.seq).toBeLessThan(started.seq);
    expect(started.seq).toBeLessThan(completed.seq);
    expect(events.some((e) => e.type === 'action.requested' || e.type === 'action.refused')).toBe(false);
    expect(human).toContain('BREAK-GLASS on INC-1: Alice runs echo without approval. Reason: db on fire.');
  }, 60_000);
});

describe('a drill through the console', () => {
  it('starts, pages, says DRILL, dry-runs the action, and posts a scorecard', async () => {
    const { events, human } = await play([
      'judy: /drill start drill-echo',
      'bob: /incident ack INC-1',
      'carol: /incident ack INC-1',
      'dan: /incident ack INC-1',
      'erin: /incident ack INC-1',
      'frank: /incident ack INC-1',
      'carol: /incident run INC-1 plan-echo',
    ]);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('drill.started');
    expect(types.filter((t) => t === 'page.sent').length).toBeGreaterThanOrEqual(5);
    const started = events.find((e) => e.type === 'action.started');
    expect(started?.data).toMatchObject({ action: 'echo', dryRun: true });
    const completed = events.find((e) => e.type === 'action.completed');
    expect(completed?.data).toMatchObject({ dryRun: true, ok: true });
    // the output is the plan, not what the program would print (its argv as a JSON array)
    expect(String(completed?.data.output ?? '')).toMatch(/^\{"executor":"exec"/);
    expect(types).toContain('drill.scored');
    expect(types).toContain('step.done');
    for (const line of human.split('\n').filter((l) => l.startsWith('[DM @'))) expect(line).toContain('DRILL');
    expect(human).toMatch(/Drill scorecard INC-1/);
  });
});
