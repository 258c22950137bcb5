import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { P1_PAGES, SLACK_ID, slackBots } from '../../support/slack/bot.js';

const DECLARE = '/incident declare Checkout failing sev=P1 service=checkout';
const ROOM = 'inc-1-checkout-failing';
const ASSEMBLE_MS = 15 * 60_000;

/** Payments (pete, the tech page) works from Shanghai; command (cara) from Berlin; the rooms' default stays Berlin. */
const start = slackBots();
const configure = (raw: Record<string, unknown>) => {
  const teams = raw.teams as Record<string, Record<string, unknown>>;
  teams.payments!.timeZone = 'Asia/Shanghai';
  teams.command!.timeZone = 'Europe/Berlin';
};

/** Every wall clock ("HH:mm:ss") the deadline could show in `zone`, given when the declare was sent and answered. */
function clocks(zone: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let at = Math.floor(from / 1000) * 1000; at <= to; at += 1000) out.push(DateTime.fromMillis(at, { zone }).toFormat('HH:mm:ss'));
  return out;
}

/** The "Assembly deadline: <clock> <zone>, in 15 min." sentence of a page, or a failure naming the text. */
function deadlineOf(text: string): { clock: string; zone: string } {
  const match = /Assembly deadline: (?:\w{3} \d{1,2} \w{3} )?(\d\d:\d\d:\d\d) (\S+), in 15 min\./.exec(text);
  if (!match) throw new Error(`no assembly deadline in the page: ${text}`);
  return { clock: match[1]!, zone: match[2]! };
}

describe('Slack over HTTP: times in the reader\'s zone', () => {
  it('pages a Shanghai responder in Shanghai time and a Berlin one in Berlin time; the shared board names its zone', async () => {
    const s = await start({ configure });
    const sent = Date.now();
    await s.slash(DECLARE);
    const pages = await s.waitForPages([P1_PAGES.tech!, P1_PAGES.commander!]);
    const answered = Date.now();
    const window = [sent + ASSEMBLE_MS, answered + ASSEMBLE_MS] as const;

    const shanghai = deadlineOf(String(pages.pete!.args.text));
    expect(shanghai.zone).toBe('GMT+8');
    expect(clocks('Asia/Shanghai', ...window)).toContain(shanghai.clock);

    const berlin = deadlineOf(String(pages.cara!.args.text));
    expect(['CET', 'CEST']).toContain(berlin.zone);
    expect(clocks('Europe/Berlin', ...window)).toContain(berlin.clock);
    // The same instant, on two walls: Shanghai is 6 or 7 hours ahead of Berlin.
    const ahead = DateTime.fromFormat(shanghai.clock, 'HH:mm:ss').diff(DateTime.fromFormat(berlin.clock, 'HH:mm:ss'), 'hours').hours;
    expect([6, 7, -17, -18]).toContain(ahead);

    // The war room's board is read from both cities: its deadline says the zone by name, with the countdown.
    const room = s.warRoom(ROOM)!;
    const board = await s.fake.waitFor(() => s.pinnedBoard(room), 10_000, 'the pinned board');
    expect(String(board.args.text)).toMatch(/Assembly deadline (?:\w{3} \d{1,2} \w{3} )?\d\d:\d\d:\d\d \(Europe\/Berlin\), in 15 min\./);

    // An ephemeral reply to the Shanghai responder is in Shanghai time too.
    const { responseName } = await s.slash('/incident status INC-1', { user: SLACK_ID.pete! });
    const status = (await s.fake.waitForResponse(responseName, 10_000)).body as { text: string; response_type: string };
    expect(status.response_type).toBe('ephemeral');
    expect(status.text).toMatch(/Declared by Alice Declarer at (?:\w{3} \d{1,2} \w{3} )?\d\d:\d\d:\d\d GMT\+8\./);
    expect(s.errors()).toEqual([]);
  });
});
