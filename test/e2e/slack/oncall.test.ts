/**
 * On-call schedules changed from Slack, in production mode (real Redis,
 * BullMQ): a cover that an escalation step then pages, a swap decided with
 * its Decline and Accept buttons, a take, every change still there after a
 * restart, and the shift notices of a handoff delivered once while two
 * replicas share the store: the DMs, and the incoming holder's push through
 * a local fake ntfy server.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { translator } from '../../../src/i18n/catalog.js';
import { onCall } from '../../../src/muster/rotation.js';
import { formatInterval } from '../../../src/schedules/time.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { fakeNtfy } from '../../support/paging/fake-providers.js';
import { REDIS_URL, cleanupPrefix, newPrefix, until } from '../../support/redis.js';
import { SLACK_ID, buttons, slackBots, textObjects, type SlackBotUnderTest } from '../../support/slack/bot.js';
import type { RecordedCall } from '../../support/slack/fake-slack.js';

const start = slackBots();
const prefixes: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (prefixes.length > 0) await cleanupPrefix(prefixes.pop()!);
  while (closers.length > 0) await closers.pop()!();
});

/** Payments rotates pete/pam (primary) and cole/sid (backup) weekly in Berlin; the backup is paged 2 s after the primary. */
function configure(raw: Record<string, unknown>): void {
  const teams = raw.teams as Record<string, Record<string, unknown>>;
  teams.payments = { ...teams.payments, timeZone: 'Europe/Berlin', rotation: { primary: ['pete', 'pam'], backup: ['cole', 'sid'], start: '2026-01-05' } };
  const escalation = raw.escalation as Record<string, { steps: Array<{ after: string; page: string }> }>;
  escalation.standard = { steps: [{ after: '0s', page: 'primary' }, { after: '2s', page: 'backup' }, { after: '10m', page: 'manager' }] };
}

async function production(prefix = newPrefix(), replicaOf?: SlackBotUnderTest, edit: (raw: Record<string, unknown>) => void = () => {}): Promise<{ s: SlackBotUnderTest; prefix: string }> {
  if (!prefixes.includes(prefix)) prefixes.push(prefix);
  const configured = (raw: Record<string, unknown>) => {
    configure(raw);
    edit(raw);
  };
  const s = await start({ configure: configured, env: { redisUrl: REDIS_URL, redisPrefix: prefix, auditKey: TEST_AUDIT_KEY, raw: {} }, ...(replicaOf ? { replicaOf } : {}) });
  return { s, prefix };
}

/** Who holds the payments pagers by the rotation right now. */
function holders(s: SlackBotUnderTest): { primary: string; other: string; backup: string } {
  const held = onCall(s.config.teams.payments!, Date.now());
  return { primary: held.primary, other: held.primary === 'pete' ? 'pam' : 'pete', backup: held.backup! };
}

/** A slash command as `person`; resolves with the text of the ephemeral answer (fallback text and every block). */
async function say(s: SlackBotUnderTest, person: string, text: string): Promise<string> {
  // Response names unique across replicas and restarts, which share one fake workspace.
  const { responseName } = await s.slash(text, { user: SLACK_ID[person]!, responseName: `say-${randomUUID()}` });
  const body = (await s.fake.waitForResponse(responseName, 15_000)).body as { text?: string; blocks?: unknown };
  return [body.text ?? '', ...textObjects(body.blocks).map((t) => t.text)].join('\n');
}

const textOf = (call: RecordedCall): string => [String(call.args.text ?? ''), ...textObjects(call.args.blocks).map((t) => t.text)].join('\n');

async function dmContaining(s: SlackBotUnderTest, person: string, words: string, timeoutMs = 15_000): Promise<RecordedCall> {
  return s.fake.waitFor(() => s.dmsTo(SLACK_ID[person]!).find((call) => textOf(call).includes(words)), timeoutMs, `a DM to ${person} saying "${words}"`);
}

describe('Slack: on-call schedules in production mode', () => {
  it('a cover is told to both people, and the escalation step for that position pages the cover, saying why', async () => {
    const { s } = await production();
    const { primary, backup } = holders(s);
    const covered = await say(s, backup, '/oncall cover payments backup mona 1h covering while I commute');
    expect(covered).toMatch(/CHG-1: Mona Manager holds the payments backup pager .+ \(Europe\/Berlin\) in place of /);
    await dmContaining(s, 'mona', 'set up a cover');

    await s.slash('/incident declare Checkout failing sev=P3 service=checkout');
    await s.waitForPages([primary]);
    const page = await s.fake.waitFor(() => s.pagesTo(SLACK_ID.mona!).find((call) => JSON.stringify(call.args.blocks).includes('/incident ack')), 20_000, "the backup step's page to the cover");
    expect(buttons(page)[0]?.value).toContain('/incident ack');
    expect(s.pagesTo(SLACK_ID[backup]!).filter((call) => JSON.stringify(call.args.blocks).includes('/incident ack'))).toEqual([]);
    const timeline = await until(async () => {
      const events = await s.bot.runtime.store.timeline('INC-1');
      return events.find((event) => event.type === 'page.sent' && event.person === 'mona');
    }, 'the page to mona on the timeline');
    expect(timeline.data.reason).toMatch(/^Mona Manager holds the payments backup pager by CHG-1 \(cover asked by .+: covering while I commute\)\.$/);
    expect(s.errors()).toEqual([]);
  });

  it('swap declined then accepted with the DM buttons, a take, and after a restart every change is still there', async () => {
    const { s, prefix } = await production();
    const { primary, other } = holders(s);
    expect(await say(s, primary, `/oncall swap payments ${other}`)).toContain('CHG-1: asked');
    const first = await dmContaining(s, other, 'asks you to swap');
    expect(buttons(first).map((button) => button.value)).toEqual(['/oncall accept CHG-1', '/oncall decline CHG-1']);
    const declined = await s.click(first, SLACK_ID[other]!, { command: '/oncall decline CHG-1', responseName: `click-${randomUUID()}` });
    expect(JSON.stringify((await s.fake.waitForResponse(declined.responseName, 15_000)).body)).toContain('CHG-1 declined: the shifts stay as they were.');
    await dmContaining(s, primary, 'declined swap CHG-1');

    await say(s, primary, `/oncall swap payments ${other}`);
    const second = await dmContaining(s, other, 'CHG-2');
    const accepted = await s.click(second, SLACK_ID[other]!, { command: '/oncall accept CHG-2', responseName: `click-${randomUUID()}` });
    expect(JSON.stringify((await s.fake.waitForResponse(accepted.responseName, 15_000)).body)).toContain('CHG-2 accepted');
    expect(await say(s, 'mona', '/oncall payments')).toMatch(new RegExp(`primary: ${s.config.people[other]!.name} \\[swap CHG-2\\]`));

    // The swap gave the pager to the other; the first takes it back for half an hour, and the other is told at once.
    expect(await say(s, primary, '/oncall take payments 30m back from lunch')).toMatch(/CHG-3: .+ holds the payments primary pager .+ in place of /);
    await dmContaining(s, other, 'took a shift');

    await s.stop();
    const { s: restarted } = await production(prefix, s);
    const changes = await say(restarted, 'mona', '/oncall changes payments');
    expect(changes).toContain('CHG-2 · swap · accepted');
    expect(changes).toContain('CHG-3 · take · accepted');
    expect(changes).not.toContain('CHG-1');
    expect(await say(restarted, 'mona', '/oncall payments')).toMatch(new RegExp(`primary: ${s.config.people[primary]!.name} \\[take CHG-3\\]`));
    expect(await say(restarted, primary, '/oncall cancel CHG-3')).toContain('CHG-3 cancelled');
    expect(restarted.errors()).toEqual([]);
  });

  it('two replicas: the shift notices of a handoff arrive once, in chat and by push, naming the incident inherited', async () => {
    const ntfy = await fakeNtfy().start();
    closers.push(() => ntfy.close());
    // Mona has an ntfy topic; both replicas push through the fake server.
    const withPush = (raw: Record<string, unknown>) => {
      const people = raw.people as Record<string, Record<string, unknown>>;
      people.mona = { ...people.mona, ntfy: 'mona-pager' };
      raw.paging = { ntfy: { baseUrl: ntfy.url } };
    };
    const { s: a, prefix } = await production(newPrefix(), undefined, withPush);
    const { primary } = holders(a);
    // An open incident of payments, which the cover inherits (P3: its page stays in chat).
    await a.slash('/incident declare Checkout failing sev=P3 service=checkout');
    await a.waitForPages([primary]);
    // A cover starting at the next full minute (at least 15 s away), planned by both replicas.
    const zone = 'Europe/Berlin';
    let from = DateTime.now().setZone(zone).startOf('minute').plus({ minutes: 1 });
    if (from.toMillis() - Date.now() < 15_000) from = from.plus({ minutes: 1 });
    const to = from.plus({ hours: 1 });
    const format = (at: DateTime) => at.toFormat('yyyy-MM-dd HH:mm');
    expect(await say(a, primary, `/oncall cover payments mona ${format(from)} to ${format(to)} team offsite`)).toContain('CHG-1');
    const { s: b } = await production(prefix, a, withPush);
    const timer = `handoff-payments-primary-${from.toMillis()}`;
    expect(await b.bot.runtime.scheduler.pendingIds()).toContain(timer);

    const incoming = await dmContaining(a, 'mona', 'You are on call: payments primary', 90_000);
    expect(textOf(incoming)).toContain(`(Europe/Berlin) by CHG-1 (cover), taking over from ${a.config.people[primary]!.name}`);
    await dmContaining(a, primary, 'Handoff: Mona Manager holds the payments primary pager');
    await until(async () => !(await a.bot.runtime.scheduler.pendingIds()).includes(timer), 'the handoff timer done');
    await until(async () => ntfy.requests.length > 0, 'the push to mona');
    // The other replica fires the same handoff late (a duplicate alarm): the delivered marks in Redis hold.
    await b.bot.runtime.muster.fireTimer({ id: timer, dueAt: from.toMillis(), incident: 'schedules', kind: 'handoff', key: timer, epoch: from.toMillis() });
    await Promise.all([a.bot.runtime.settle(), b.bot.runtime.settle()]);
    expect(a.dmsTo(SLACK_ID.mona!).filter((call) => textOf(call).includes('You are on call'))).toHaveLength(1);
    expect(a.dmsTo(SLACK_ID[primary]!).filter((call) => textOf(call).includes('Handoff:'))).toHaveLength(1);

    // One push, to mona's topic only: team, position, the interval in the team's zone, who handed over, the incident.
    expect(ntfy.requests).toHaveLength(1);
    const push = JSON.parse(ntfy.requests[0]!.body) as { topic: string; title: string; message: string; priority: number; actions?: unknown };
    expect(push.topic).toBe('mona-pager');
    expect(push.title).toBe('On call: payments primary');
    const interval = formatInterval({ start: from.toMillis(), end: to.toMillis() }, zone, 'en', translator('en'));
    expect(interval).toMatch(/\(Europe\/Berlin\)$/);
    expect(push.message).toBe(
      `You hold the payments primary pager ${interval}, taking over from ${a.config.people[primary]!.name}.\nYou inherit 1 open incident:\nINC-1 [P3] Checkout failing`,
    );
    expect(push.priority).toBe(3);
    expect(push.actions).toBeUndefined();
    expect([...a.errors(), ...b.errors()]).toEqual([]);
  }, 150_000);
});

describe('Slack: people named by @mention in /oncall', () => {
  it('a mention (<@U…|name>, as Slack escapes it for /oncall) is the person with that Slack id; an unknown one is named', async () => {
    const s = await start({ configure });
    const { backup } = holders(s);
    // /oncall's manifest entry has should_escape: true, so a picked @mention arrives as <@U…|name>.
    expect(await say(s, backup, `/oncall cover payments backup <@${SLACK_ID.mona}|mona> 1h`)).toMatch(/CHG-1: Mona Manager holds the payments backup pager/);
    expect(await say(s, 'mona', `/oncall take payments 30m for=<@${SLACK_ID.pete}>`)).toMatch(/CHG-2: Pete Payments holds the payments primary pager/);
    const stranger = await say(s, 'mona', '/oncall cover payments <@UNOBODY9|nobody> 1h');
    expect(stranger).toContain('The Slack user you named (slack:UNOBODY9) is nobody in muster.yaml');
    // Typed angle brackets arrive as entities and stay text: never a mention.
    expect(await say(s, 'mona', `/oncall cover payments &lt;@${SLACK_ID.pete}&gt; 1h`)).toContain(`"<@${SLACK_ID.pete}>" is not a person in muster.yaml`);
    expect(s.errors()).toEqual([]);
  });
});
