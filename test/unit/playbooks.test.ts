import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile } from '../../src/config/load.js';
import { libraryFor, loadPlaybooks, PlaybookLibrary } from '../../src/playbooks/library.js';
import { playbookSchema } from '../../src/playbooks/schema.js';
import { harness, testConfig } from '../support/fixture.js';

const MIN = 60_000;

const RUNBOOK = playbookSchema.parse({
  id: 'checkout-down',
  title: 'Checkout down',
  match: { services: ['checkout'], severities: ['P1', 'P2'] },
  steps: [
    { id: 'confirm', kind: 'check', title: 'Confirm impact', role: 'tech', due: '5m' },
    { id: 'deploy', kind: 'decision', title: 'Recent deploy?', role: 'tech', due: '5m', yes: 'undo', no: 'vendor' },
    { id: 'undo', kind: 'check', title: 'Undo the deploy', role: 'tech', due: '10m', next: 'watch' },
    { id: 'vendor', kind: 'check', title: 'Call the vendor', role: 'tech', due: '10m' },
    { id: 'watch', kind: 'wait', title: 'Watch for 10 minutes', for: '10m' },
    { id: 'close', kind: 'parallel', title: 'Close out', steps: [
      { id: 'tell', kind: 'notify', title: 'Tell the room', text: 'All clear on checkout.', due: '5m' },
      { id: 'review', kind: 'check', title: 'Open the review', role: 'commander', due: '30m' },
    ] },
  ],
});

async function withPlaybook() {
  return harness(testConfig(), { playbooks: new PlaybookLibrary([RUNBOOK]) });
}

const room = (h: Awaited<ReturnType<typeof harness>>) => h.chat.delivered.filter((d) => d.to.kind === 'room').map((d) => d.message.text);

describe('playbooks', () => {
  it('attach by service and severity at declare, run step by step with branches, waits and parallel groups', async () => {
    const h = await withPlaybook();
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await h.say('pete', '/incident ack');
    expect(room(h)).toContain('Next step (tech): Confirm impact [confirm]');
    const open = h.chat.delivered.find((d) => d.message.text === 'Next step (tech): Confirm impact [confirm]');
    expect(open?.message.buttons?.[0]?.command).toBe('/incident done INC-1 confirm');
    await h.say('pete', '/incident done INC-1 confirm');
    await h.say('pete', '/incident decide INC-1 deploy yes');
    expect(room(h)).toContain('Next step (tech): Undo the deploy [undo]');
    await h.say('pete', '/incident done INC-1 undo');
    await h.advance(10 * MIN); // the wait ends by itself
    const steps = await h.say('pete', '/incident steps');
    const status = Object.fromEntries((steps.message.fields ?? []).map((f) => [f.label.split(':')[0], f.value]));
    expect(status).toMatchObject({ confirm: 'done · tech', deploy: 'done (yes) · tech', undo: 'done · tech', vendor: 'not started · tech', watch: 'done', tell: 'open', review: 'open · commander' });
    await h.say('pete', '/incident done INC-1 tell');
    expect(room(h)).toContain('All clear on checkout.');
    await h.say('pete', '/incident skip INC-1 review no review for a five-minute blip');
    expect(room(h)).toContain('Playbook complete: Checkout down.');
    const types = (await h.store.timeline('INC-1')).map((e) => e.type);
    expect(types).toContain('playbook.completed');
    expect(types.filter((t) => t === 'step.skipped')).toHaveLength(1);
  });

  it('an overdue step nudges its owner, then the commander', async () => {
    const h = await withPlaybook();
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await h.say('pete', '/incident ack');
    await h.say('cara', '/incident ack');
    await h.advance(5 * MIN);
    expect(h.chat.pagesTo('pete').at(-1)?.message.text).toBe('INC-1: step "Confirm impact" [confirm] is overdue.');
    await h.advance(3 * MIN);
    expect(h.chat.pagesTo('cara').at(-1)?.message.text).toContain('still overdue after a nudge');
    expect((await h.store.timeline('INC-1')).filter((e) => e.type === 'step.overdue').map((e) => e.person)).toEqual(['pete', 'cara']);
  });

  it('refuses what does not fit: unknown playbook, closed step, skip without a reason', async () => {
    const h = await withPlaybook();
    await h.say('alice', '/incident declare Slow sev=P3 service=checkout');
    expect((await h.say('alice', '/incident steps INC-1')).message.text).toContain('has no playbook');
    expect((await h.say('alice', '/incident playbook INC-1 nope')).message.text).toContain('Unknown playbook "nope". Playbooks: checkout-down');
    expect((await h.say('alice', '/incident playbook INC-1 checkout-down')).message.text).toBe('INC-1 now follows the playbook Checkout down.');
    expect((await h.say('alice', '/incident done INC-1 vendor')).message.text).toBe('Step "vendor" is not open (it is pending).');
    expect((await h.say('alice', '/incident skip INC-1 confirm')).message.text).toContain('Skipping needs a reason');
    expect((await h.say('alice', '/incident playbook INC-1 checkout-down')).message.text).toContain('already runs the playbook');
  });
});

describe('playbook files', () => {
  it('the shipped playbooks load with the example config', () => {
    const file = join(import.meta.dirname, '..', '..', 'examples', 'muster.yaml');
    const library = libraryFor(loadConfigFile(file), file);
    expect(library.ids().sort()).toEqual(['account-takeover', 'checkout-outage', 'database-failover', 'drill-checkout', 'drill-database', 'region-cdn-outage']);
    expect(library.match('checkout', 'P1')?.id).toBe('checkout-outage');
  });

  it('reports unknown roles, actions and audiences, missing targets and cycles, with file, line and hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'playbooks-'));
    writeFileSync(join(dir, 'bad.yaml'), [
      'id: bad',
      'title: Bad',
      'steps:',
      '  - { id: a, kind: check, title: A, role: chef }',
      '  - { id: b, kind: decision, title: B, yes: a, no: zzz }',
      '  - { id: c, kind: action, title: C, action: nuke }',
      '  - { id: d, kind: notify, title: D, audience: martians, text: hi }',
      '',
    ].join('\n'));
    let problems: ConfigError['problems'] = [];
    try {
      loadPlaybooks(dir, testConfig());
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    const lines = problems.map((p) => `${p.line}:${p.path}: ${p.message}`);
    expect(lines).toEqual([
      '4:steps[0].role: unknown role "chef"',
      '5:steps[1].yes: step "b" jumps back to "a", which makes a cycle',
      '5:steps[1].no: step "b" points at a missing step "zzz"',
      '6:steps[2].action: unknown action "nuke"',
      '7:steps[3].audience: unknown audience "martians"',
    ]);
    expect(problems.every((p) => p.file.endsWith('bad.yaml') && p.hint)).toBe(true);
  });
});

describe('playbook action parameters', () => {
  it('are checked against the action: unknown names and failing values are reported', () => {
    const config = testConfig((raw) => {
      raw.actions = {
        allowedPrograms: ['/bin/echo'],
        catalog: { say: { title: 'Say', executor: { kind: 'exec', program: '/bin/echo', args: ['{word}'] }, params: { word: { type: 'enum', values: ['hello', 'bye'] } }, policy: { breakGlass: true } } },
      };
    });
    const dir = mkdtempSync(join(tmpdir(), 'playbooks-'));
    writeFileSync(join(dir, 'p.yaml'), [
      'id: p',
      'title: P',
      'steps:',
      '  - { id: a, kind: action, title: A, action: say, params: { word: hi, volume: 11 } }',
      '  - { id: b, kind: action, title: B, action: say, params: { word: hello } }',
      '',
    ].join('\n'));
    let messages: string[] = [];
    try {
      loadPlaybooks(dir, config);
    } catch (error) {
      messages = (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^steps\[0\]\.params\.word: parameter "word" fails the action's check/);
    expect(messages[1]).toBe('steps[0].params.volume: action "say" has no parameter "volume"');
  });
});
