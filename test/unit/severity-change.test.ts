import { describe, expect, it } from 'vitest';
import { PlaybookLibrary } from '../../src/playbooks/library.js';
import { playbookSchema } from '../../src/playbooks/schema.js';
import { harness, testConfig } from '../support/fixture.js';

const P1_RUNBOOK = playbookSchema.parse({
  id: 'checkout-p1', title: 'Checkout is down', match: { services: ['checkout'], severities: ['P1'] },
  steps: [{ id: 'confirm', kind: 'check', title: 'Confirm impact', role: 'tech', due: '5m' }],
});
const P3_RUNBOOK = playbookSchema.parse({
  id: 'checkout-p3', title: 'Checkout is degraded', match: { services: ['checkout'], severities: ['P3'] },
  steps: [{ id: 'look', kind: 'check', title: 'Look at the dashboards', role: 'tech', due: '5m' }],
});

const playbookOf = async (h: Awaited<ReturnType<typeof harness>>) =>
  ((await h.store.get('INC-1')) as { playbook?: { definition: { id: string } } } | undefined)?.playbook?.definition.id;

describe('a severity change attaches the playbook of the new severity', () => {
  it('a P3 without a playbook that becomes a P1 gets the P1 playbook', async () => {
    const h = await harness(testConfig(), { playbooks: new PlaybookLibrary([P1_RUNBOOK]) });
    await h.say('alice', '/incident declare Checkout slow sev=P3 service=checkout');
    expect(await playbookOf(h)).toBeUndefined();
    await h.say('alice', '/incident sev INC-1 P1 it is down now');
    expect(await playbookOf(h)).toBe('checkout-p1');
    expect((await h.store.timeline('INC-1')).map((e) => e.type)).toEqual(expect.arrayContaining(['incident.severity_changed', 'playbook.attached']));
  });

  it('a running playbook is never replaced', async () => {
    const h = await harness(testConfig(), { playbooks: new PlaybookLibrary([P1_RUNBOOK, P3_RUNBOOK]) });
    await h.say('alice', '/incident declare Checkout slow sev=P3 service=checkout');
    expect(await playbookOf(h)).toBe('checkout-p3');
    await h.say('alice', '/incident sev INC-1 P1 it is down now');
    expect(await playbookOf(h)).toBe('checkout-p3');
  });
});

describe('an upgrade reaches audiences that hear declares of the new severity', () => {
  const audiences = {
    execs: { kind: 'chat', conversation: 'console:#execs', severities: ['P1'], events: ['declared', 'resolved'], template: 'business' },
    eng: { kind: 'chat', conversation: 'console:#eng', severities: ['P1', 'P3'], events: ['declared', 'upgraded'], template: 'technical' },
    care: { kind: 'chat', conversation: 'console:#care', severities: ['P1', 'P3'], events: ['declared'], template: 'business' },
  };
  const heard = (h: Awaited<ReturnType<typeof harness>>, conversation: string) =>
    h.chat.delivered.filter((d) => d.to.kind === 'room' && d.to.conversation === conversation).map((d) => d.message.text);

  it('one subscribed to declared but not upgraded hears of a P3 that became a P1, once; the others as before', async () => {
    const h = await harness(testConfig((raw) => { raw.audiences = audiences; }));
    await h.say('alice', '/incident declare Checkout slow sev=P3 service=checkout');
    expect(heard(h, 'console:#execs')).toEqual([]);
    await h.say('alice', '/incident sev INC-1 P1 it is down now');
    expect(heard(h, 'console:#execs')).toEqual([
      'We are investigating a problem affecting checkout. Our incident team is on it; we will share an update within 30 minutes.',
    ]);
    // eng hears the upgrade as an upgrade; care heard the P3 declare and does not subscribe to upgrades
    expect(heard(h, 'console:#eng')).toEqual([
      'INC-1 [P3] declared on checkout: Checkout slow. Team mustering in the war room.',
      'INC-1 upgraded to P1 on checkout: Checkout slow.',
    ]);
    expect(heard(h, 'console:#care')).toHaveLength(1);
    // down and up again: the executives already know
    await h.say('alice', '/incident sev INC-1 P2 contained');
    await h.say('alice', '/incident sev INC-1 P1 back again');
    expect(heard(h, 'console:#execs')).toHaveLength(1);
  });
});
