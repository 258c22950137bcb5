import { describe, expect, it } from 'vitest';
import { formArgs } from '../../src/kernel/form-args.js';
import { PlaybookLibrary } from '../../src/playbooks/library.js';
import { playbookSchema } from '../../src/playbooks/schema.js';
import { armedTimers } from '../support/armed.js';
import { harness, testConfig } from '../support/fixture.js';

const SCENARIO = playbookSchema.parse({
  id: 'drill-checkout',
  title: 'Checkout outage drill',
  drill: true,
  match: { services: ['checkout'] },
  steps: [{ id: 'confirm', kind: 'check', title: 'Read the dashboard', role: 'tech', due: '5m' }],
});

/**
 * The knowledge loop through the real grammar on memory adapters: resolve
 * opens the task (a DM to the commander), the entry is filed with
 * /incident learn, a similar incident declared later is shown it in its war
 * room, /kb search finds it by its fix, /kb show counts the suggestion opened,
 * /kb edit keeps the history; the reminder and overdue timers fire once and
 * stop when the task is filed or skipped.
 */

const HOUR = 3_600_000;
const FIRST = '/incident declare Checkout times out on card payments sev=P2 service=checkout summary="card payments time out after 30 s"';
const FILE = '/incident learn INC-1 rootCause="Database connection pool exhausted by a slow query" resolution="Restart the payment gateway; Raise the pool size to 200" module=checkout/payments faultType=capacity';

async function resolvedFirst() {
  const h = await harness();
  await h.say('alice', FIRST);
  await h.say('cara', '/incident ack INC-1');
  await h.say('alice', '/incident resolve INC-1 rolled back');
  return h;
}

const texts = (h: Awaited<ReturnType<typeof harness>>, person: string) => h.chat.pagesTo(person).map((d) => `${d.message.title ?? ''} ${d.message.text}`);

describe('the knowledge loop', () => {
  it('gives the commander a task at resolve that names what to file, by when, and the command', async () => {
    const h = await resolvedFirst();
    const dm = h.chat.pagesTo('cara').at(-1)!.message;
    expect(dm.title).toBe('What did INC-1 teach us?');
    expect(dm.text).toContain('the root cause, the resolution steps, how to prevent it, the product module and the fault type');
    expect(dm.text).toContain('by 2026-11-04 10:00'); // 48 h after the resolve, Europe/Berlin
    expect(dm.text).toContain('/incident learn INC-1 rootCause=');
    expect(dm.buttons?.map((b) => b.command)).toEqual(['/incident learn INC-1', '/incident learn INC-1 skip']);
    const incident = await h.store.get('INC-1');
    expect(incident?.knowledge?.task).toMatchObject({ state: 'open', owner: 'cara', ownerRole: 'commander', team: 'command' });
    expect((await armedTimers(h.store, h.scheduler, 'INC-1')).filter((id) => id.startsWith('knowledge-'))).toEqual(['knowledge-INC-1-remind-0', 'knowledge-INC-1-overdue-0']);
  });

  it('files through the form or the options, then suggests the incident to a similar war room and finds it by its fix', async () => {
    const h = await resolvedFirst();
    const form = await h.say('cara', '/incident learn INC-1');
    expect(form.form?.command).toBe('/incident learn INC-1');
    expect(form.form?.inputs.map((input) => input.name)).toEqual(['rootCause', 'resolution', 'prevention', 'module', 'faultType']);
    // What the submitted form sends: one resolution step per line.
    const submitted = formArgs({ rootCause: 'Database connection pool exhausted by a slow query', resolution: '1. Restart the payment gateway\n2. Raise the pool size to 200', prevention: ' ', module: 'checkout/payments', faultType: 'capacity' });
    expect((await h.say('cara', `/incident learn INC-1 ${submitted}`)).message.text).toBe('Knowledge entry for INC-1 filed. Thanks: the next war room with this fault will see it.');
    const filed = await h.store.get('INC-1');
    expect(filed?.knowledge?.entry?.resolution).toEqual(['Restart the payment gateway', 'Raise the pool size to 200']);
    expect(filed?.knowledge?.task).toMatchObject({ state: 'filed', onTime: true, closedBy: 'cara' });
    expect((await armedTimers(h.store, h.scheduler, 'INC-1')).filter((id) => id.startsWith('knowledge-'))).toEqual([]);

    await h.say('alice', '/incident declare Card payments timing out at checkout sev=P2 service=checkout');
    await h.muster.knowledge.idle();
    await h.outbox.idle();
    const second = await h.store.get('INC-2');
    const suggestion = h.chat.delivered.find((d) => d.to.kind === 'room' && d.to.conversation === second?.room && d.message.title?.startsWith('Seen before?'));
    expect(suggestion?.message.fields?.[0]?.label).toBe('INC-1 [P2] Checkout times out on card payments');
    expect(suggestion?.message.fields?.[0]?.value).toContain('1. Restart the payment gateway');
    expect(suggestion?.message.fields?.[0]?.value).toContain('Module checkout/payments · fault type capacity');
    expect(suggestion?.message.fields?.[0]?.value).toContain('Postmortem: muster export INC-1');
    expect(suggestion?.message.buttons?.[0]?.command).toBe('/kb show INC-1');
    expect(second?.knowledge?.suggested).toEqual(['INC-1']);

    const found = await h.say('sam', '/kb search restart the payment gateway');
    expect(found.message.fields?.[0]?.label).toBe('INC-1 [P2] Checkout times out on card payments');
    const chinese = await h.say('sam', '/kb 重启支付网关');
    expect(chinese.message.text).toContain('Nothing in the knowledge base matches "重启支付网关"');

    const shown = await h.say('sam', '/kb show INC-1', second!.room);
    expect(shown.message.fields?.find((f) => f.label === 'Root cause')?.value).toBe('Database connection pool exhausted by a slow query');
    expect((await h.store.get('INC-2'))?.knowledge?.opened).toEqual(['INC-1']);
    await h.say('sam', '/kb show INC-1', second!.room);
    expect((await h.store.get('INC-2'))?.knowledge?.opened).toEqual(['INC-1']);
  });

  it('edits an entry with history, and says what to fix when the input is wrong', async () => {
    const h = await resolvedFirst();
    await h.say('cara', FILE);
    const edited = await h.say('sam', '/kb edit INC-1 prevention="Alert at 80% pool use" faulttype=capacity');
    expect(edited.message.text).toBe('Knowledge entry for INC-1 updated: prevention.');
    const shown = await h.say('sam', '/kb show INC-1');
    const history = shown.message.fields?.find((f) => f.label === 'History')?.value ?? '';
    expect(history).toMatch(/Cara Commander filed it/);
    expect(history).toMatch(/Sam SRE changed prevention/);
    expect((await h.store.get('INC-1'))?.knowledge?.history.at(-1)?.before).toEqual({});
    expect((await h.say('sam', '/kb edit INC-1 colour=blue')).message.text).toContain('Unknown knowledge field "colour"');
    expect((await h.say('sam', '/kb edit INC-1')).message.text).toContain('Name at least one field to change');
    expect((await h.say('sam', '/kb edit')).message.text).toContain('Name the incident: /kb edit INC-42');
    expect((await h.say('sam', '/kb search')).message.text).toContain('Say what to look for');
    expect((await h.say('cara', '/incident learn INC-1 rootCause="x" module=m faultType=f')).message.text).toContain('Knowledge entry for INC-1 updated: rootCause');
    const missing = await h.say('cara', '/incident learn INC-9 rootCause=x');
    expect(missing.message.text).toBe('There is no incident INC-9.');
    const loose = await h.say('cara', '/incident learn INC-1 the pool was exhausted');
    expect(loose.message.text).toContain('Write each field as name=value');
  });

  it('reminds the owner before the due time, then tells the team manager, once each', async () => {
    const h = await resolvedFirst();
    await h.advance(44 * HOUR);
    expect(texts(h, 'cara').at(-1)).toContain('Reminder: the knowledge entry for INC-1');
    await h.advance(4 * HOUR);
    expect(texts(h, 'mona').at(-1)).toContain('The knowledge entry Cara Commander was to file for INC-1');
    await h.advance(48 * HOUR);
    expect(h.events.filter((e) => e.type === 'knowledge.reminded' || e.type === 'knowledge.overdue').map((e) => e.type)).toEqual(['knowledge.reminded', 'knowledge.overdue']);
    await h.say('cara', FILE);
    expect((await h.store.get('INC-1'))?.knowledge?.task).toMatchObject({ state: 'filed', onTime: false });
  });

  it('stops the timers when filed or skipped, and a skip needs a reason', async () => {
    const h = await resolvedFirst();
    const ask = await h.say('cara', '/incident learn INC-1 skip');
    expect(ask.message.text).toBe('Skipping the knowledge task for INC-1 needs a reason.');
    expect(ask.form?.command).toBe('/incident learn INC-1 skip');
    expect((await h.say('cara', '/incident learn INC-1 skip reason="duplicate of INC-0"')).message.text).toBe('Knowledge task for INC-1 skipped: duplicate of INC-0.');
    expect((await h.say('cara', '/incident learn INC-1 skip again')).message.text).toBe('The knowledge task for INC-1 was already skipped.');
    await h.advance(96 * HOUR);
    expect(h.events.some((e) => e.type === 'knowledge.reminded' || e.type === 'knowledge.overdue')).toBe(false);
  });

  it('files in the war room or for the only open task without naming the incident', async () => {
    const h = await resolvedFirst();
    const room = (await h.store.get('INC-1'))!.room;
    const reply = await h.say('cara', '/incident learn rootCause=x resolution=y module=m faultType=f', room);
    expect(reply.message.text).toContain('Knowledge entry for INC-1 filed');
    const other = await harness();
    await other.say('alice', FIRST);
    await other.say('cara', '/incident ack INC-1');
    await other.say('alice', '/incident resolve INC-1');
    expect((await other.say('cara', '/incident learn skip not worth it')).message.text).toBe('Knowledge task for INC-1 skipped: not worth it.');
    expect((await other.say('sam', '/incident learn skip x')).message.text).toContain('Name the incident, e.g. /incident learn INC-42');
  });

  it('never suggests a drill, gives a drill no task, and refuses to file one', async () => {
    const config = testConfig();
    const h = await harness(config, { playbooks: new PlaybookLibrary([SCENARIO]) });
    await h.say('mona', '/drill start drill-checkout');
    for (const person of ['cara', 'pete', 'sam', 'pia', 'cody']) await h.say(person, '/incident ack INC-1');
    await h.say('mona', '/drill stop INC-1');
    const drill = await h.store.get('INC-1');
    expect(drill?.status).toBe('resolved');
    expect(drill?.knowledge).toBeUndefined();
    expect((await h.say('cara', FILE)).message.text).toBe('INC-1 is a drill: drills teach through their scorecard, not the knowledge base.');
    await h.say('alice', '/incident declare Checkout outage drill sev=P2 service=checkout');
    await h.muster.knowledge.idle();
    expect((await h.store.get('INC-2'))?.knowledge?.suggested).toBeUndefined();
    expect((await h.say('sam', '/kb search checkout outage drill')).message.fields?.map((f) => f.label)).toEqual(['INC-2 [P2] Checkout outage drill']);
  });
});

describe('knowledge input limits', () => {
  it('refuses a skip reason or a search over its limit, naming it; nothing is recorded', async () => {
    const h = await harness();
    await h.say('alice', FIRST);
    await h.say('cara', '/incident ack INC-1');
    await h.say('alice', '/incident resolve INC-1');
    const long = await h.say('cara', `/incident learn INC-1 skip ${'x'.repeat(501)}`);
    expect(long.message.text).toBe('The reason is too long: 501 characters, at most 500. Shorten it and send it again; nothing was recorded.');
    expect((await h.store.get('INC-1'))?.knowledge?.task?.state).toBe('open');
    expect((await h.say('cara', `/kb search ${'检索'.repeat(251)}`)).message.text).toContain('The search is too long: 502 characters, at most 500.');
  });
});
