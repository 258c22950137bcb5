/**
 * The postmortem export (issue 8): a seeded incident played through the whole
 * bot; the export's timeline is the stored timeline, entry for entry, the
 * milestones carry the durations between them, and user text is escaped.
 */
import { describe, expect, it } from 'vitest';
import { Presenter } from '../../src/notify/present.js';
import { escapeMarkdown, milestones, postmortem, timelineLines } from '../../src/reports/postmortem.js';
import { harness, testConfig } from '../support/fixture.js';
import { PlaybookLibrary } from '../../src/playbooks/library.js';
import { playbookSchema } from '../../src/playbooks/schema.js';

const TITLE = '<script>alert(1)</script> *Checkout* is_failing';

async function seeded() {
  const h = await harness();
  await h.say('alice', `/incident declare ${TITLE} sev=P1 service=checkout`);
  await h.advance(60_000);
  for (const person of ['cara', 'pete', 'sam', 'pia']) await h.say(person, '/incident ack INC-1');
  await h.advance(120_000);
  await h.say('cody', '/incident ack INC-1');
  await h.advance(10 * 60_000);
  await h.say('cara', '/incident mitigate INC-1 rolled back the deploy');
  await h.advance(30 * 60_000);
  await h.say('cara', '/incident resolve INC-1 fixed for good');
  const incident = (await h.store.get('INC-1'))!;
  const timeline = await h.store.timeline('INC-1');
  return { h, incident, timeline, present: h.muster.present };
}

describe('postmortem export', () => {
  it('lists every timeline entry with who, what and when, in order', async () => {
    const { incident, timeline, present } = await seeded();
    const lines = timelineLines(incident, timeline, present);
    expect(lines.map((line) => line.seq)).toEqual(timeline.map((event) => event.seq));
    expect(lines.map((line) => line.what)).toEqual(timeline.map((event) => event.type));
    expect(lines.map((line) => line.at)).toEqual(timeline.map((event) => event.at));
    expect(lines[0]).toMatchObject({ what: 'incident.declared', who: 'Alice Declarer', sinceDeclared: '0:00' });
    const ack = lines.find((line) => line.what === 'slot.acked' && line.who === 'Cody Comms');
    expect(ack).toMatchObject({ sinceDeclared: '3:00' });
    expect(ack?.detail).toContain('(3:00)');
    const mitigated = lines.find((line) => line.what === 'incident.mitigated');
    expect(mitigated?.who).toBe('Cara Commander');
    expect(mitigated?.detail).toContain('rolled back the deploy');
  });

  it('gives the durations between milestones: declared → assembled → mitigated → resolved', async () => {
    const { incident, timeline, present } = await seeded();
    const marks = milestones(incident, timeline, present);
    expect(marks.map((mark) => mark.name)).toEqual(['declared', 'assembled', 'mitigated', 'resolved']);
    expect(marks.map((mark) => mark.sincePreviousMs)).toEqual([undefined, 3 * 60_000, 10 * 60_000, 30 * 60_000]);
    expect(marks.map((mark) => mark.sincePrevious)).toEqual([undefined, '3:00', '10:00', '30:00']);
    expect(marks[3]?.sinceDeclaredMs).toBe(43 * 60_000);
  });

  it('exports JSON whose timeline is the stored timeline', async () => {
    const { incident, timeline, present } = await seeded();
    const data = JSON.parse(postmortem(incident, timeline, present, 'json')) as {
      incident: { id: string; title: string; severity: string; status: string; drill: unknown };
      timeline: Array<{ seq: number; what: string; at: number }>;
      milestones: Array<{ name: string; sincePreviousMs?: number }>;
      roles: Array<{ role: string; person: string | null; timeToAckMs: number | null }>;
      sections: Record<string, unknown>;
    };
    expect(data.incident).toMatchObject({ id: 'INC-1', title: TITLE, severity: 'P1', status: 'resolved', drill: null });
    expect(data.timeline.map((line) => [line.seq, line.what, line.at])).toEqual(timeline.map((event) => [event.seq, event.type, event.at]));
    expect(data.milestones.find((mark) => mark.name === 'resolved')?.sincePreviousMs).toBe(30 * 60_000);
    expect(data.roles.find((role) => role.role === 'comms')).toMatchObject({ person: 'cody', timeToAckMs: 3 * 60_000 });
    expect(Object.keys(data.sections)).toEqual(['summary', 'impact', 'whatWentWell', 'whatDidNotGoWell', 'actionItems']);
    expect(data).toMatchObject({ knowledge: null });
  });

  it('writes a Markdown skeleton with every section, one table row per entry, user text escaped', async () => {
    const { incident, timeline, present } = await seeded();
    const md = postmortem(incident, timeline, present, 'md');
    for (const heading of ['## Summary', '## Impact', '## Milestones', '## Timeline', '## What went well', "## What didn't go well", '## Action items']) {
      expect(md).toContain(heading);
    }
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('*Checkout*');
    expect(md).toContain('# Postmortem: INC-1 &lt;script&gt;alert(1)&lt;/script&gt; \\*Checkout\\* is\\_failing');
    const rows = md.split('\n').filter((line) => /^\| \d{4}-\d\d-\d\dT/.test(line));
    expect(rows).toHaveLength(timeline.length);
    expect(md).toContain('| assembled | 2026-11-02T09:03:00.000Z | 3:00 |');
  });

  it('has a table per role: person, paged, acked, time to ack, escalations; the room name and elapsed times are not over-escaped', async () => {
    const { incident, timeline, present } = await seeded();
    const md = postmortem(incident, timeline, present, 'md');
    expect(md).toContain('## Roles');
    expect(md).toContain('| Role | Person | Paged (UTC) | Acked (UTC) | Time to ack | Escalations |');
    expect(md).toContain('| comms | Cody Comms | 2026-11-02T09:00:00.000Z | 2026-11-02T09:03:00.000Z | 3:00 | 0 |');
    expect(md).toContain('| commander | Cara Commander | 2026-11-02T09:00:00.000Z | 2026-11-02T09:01:00.000Z | 1:00 | 0 |');
    expect(md).toContain('- **War room:** #inc-1-script-alert-1-script-checkout-is-failin');
    expect(md).toMatch(/\| \(3:00\) \|| · \(3:00\)/);
    expect(md).not.toContain('\\(');
    expect(md).not.toContain('\\#');
  });

  it('counts the escalation steps a role went through', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout slow sev=P3 service=checkout');
    await h.advance(5 * 60_000);
    await h.say('pam', '/incident ack');
    const md = postmortem((await h.store.get('INC-1'))!, await h.store.timeline('INC-1'), h.muster.present, 'md');
    expect(md).toContain('| tech | Pam Payments | 2026-11-02T09:05:00.000Z | 2026-11-02T09:05:00.000Z | 5:00 | 1 |');
  });

  it('the chat timeline keeps the declare entry when it cuts, and names the step a step entry is about', async () => {
    const playbook = playbookSchema.parse({
      id: 'checkout', title: 'Checkout', match: { services: ['checkout'], severities: ['P3'] },
      steps: [{ id: 'confirm', kind: 'check', title: 'Confirm impact', role: 'tech' }],
    });
    const h = await harness(testConfig(), { playbooks: new PlaybookLibrary([playbook]) });
    await h.say('alice', '/incident declare Checkout slow sev=P3 service=checkout');
    await h.say('pete', '/incident ack');
    await h.say('pete', '/incident done INC-1 confirm');
    for (let n = 1; n <= 45; n += 1) await h.say('pete', `/incident update INC-1 still looking ${n}`);
    const reply = await h.say('alice', '/incident timeline INC-1');
    const fields = reply.message.fields ?? [];
    expect(fields[1]?.value).toMatch(/^incident\.declared: Checkout slow/);
    expect(fields).toHaveLength(41);
    expect(reply.message.text).toMatch(/earlier entries are not shown/);
    const md = postmortem((await h.store.get('INC-1'))!, await h.store.timeline('INC-1'), h.muster.present, 'md');
    expect(md).toContain('step.done: Confirm impact \\[confirm\\] · tech');
  });

  it('escapes Markdown and HTML and keeps a table row on one line', () => {
    expect(escapeMarkdown('a|b\nc <b>x</b> [l](u) `c` _i_ # h')).toBe('a\\|b c &lt;b&gt;x&lt;/b&gt; \\[l\\](u) \\`c\\` \\_i\\_ # h');
    // what only formats at the start of a line is left as written: these values never start one
    expect(escapeMarkdown('#inc-1-checkout (0:02) 1. + ! {x}')).toBe('#inc-1-checkout (0:02) 1. + ! {x}');
  });

  it('speaks the configured locale', async () => {
    const { incident, timeline } = await seeded();
    const zh = new Presenter(testConfig((raw) => (raw.locale = 'zh-CN')));
    const md = postmortem(incident, timeline, zh, 'md');
    expect(md).toContain('## 时间线');
    expect(md).toContain('## 改进事项');
  });

  it('answers /incident timeline in chat with the milestones and the entries', async () => {
    const { h } = await seeded();
    const reply = await h.say('alice', '/incident timeline INC-1');
    expect(reply.message.title).toBe(`INC-1 timeline: ${TITLE}`);
    const fields = reply.message.fields ?? [];
    expect(fields[0]?.label).toBe('Milestones');
    expect(fields[0]?.value).toMatch(/declared 10:00:00 CET → assembled 10:03:00 CET \(\+3:00\) → mitigated 10:13:00 CET \(\+10:00\) → resolved 10:43:00 CET \(\+30:00\)/);
    expect(fields.length - 1).toBe(Math.min(40, (await h.store.timeline('INC-1')).length));
    expect(fields.some((field) => field.value.startsWith('incident.resolved'))).toBe(true);
    const usage = await h.say('alice', '/incident timeline INC-7');
    expect(usage.message.text).toContain('INC-7');
  });

  it('exports the knowledge entry filed with /incident learn, escaped, with its history in JSON', async () => {
    const { h } = await seeded();
    await h.say('cara', '/incident learn INC-1 rootCause="Deploy *broke* the <cart>" resolution="Roll back; Add a canary" module=checkout faultType=deploy');
    const incident = (await h.store.get('INC-1'))!;
    const timeline = await h.store.timeline('INC-1');
    const md = postmortem(incident, timeline, h.muster.present, 'md');
    expect(md).toContain('## What was learned');
    expect(md).toContain('- **Root cause:** Deploy \\*broke\\* the &lt;cart&gt;');
    expect(md).toContain('- **Resolution:**\n  1. Roll back\n  2. Add a canary');
    const data = JSON.parse(postmortem(incident, timeline, h.muster.present, 'json')) as { knowledge: { entry: { resolution: string[]; filedBy: string }; history: unknown[] } };
    expect(data.knowledge.entry).toMatchObject({ resolution: ['Roll back', 'Add a canary'], filedBy: 'cara' });
    expect(data.knowledge.history).toHaveLength(1);
  });
});
