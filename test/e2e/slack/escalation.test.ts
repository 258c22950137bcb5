import { describe, expect, it } from 'vitest';
import { P1_PAGES, SLACK_ID, buttons, slackBots } from '../../support/slack/bot.js';

const start = slackBots();

/** Seconds instead of minutes: backup after 1s, manager 1s later, assembly deadline at 3s. */
function fastTimings(raw: Record<string, unknown>): void {
  raw.escalation = {
    standard: {
      steps: [
        { after: '0s', page: 'primary' },
        { after: '1s', page: 'backup' },
        { after: '1s', page: 'manager' },
      ],
    },
  };
  const severities = raw.severities as Record<string, Record<string, unknown>>;
  severities.P1!.assemble = '3s';
}

describe('Slack: escalation on real timers', () => {
  it('a silent role escalates to the backup and the manager by DM, the board follows in place, the deadline pages the duty manager', async () => {
    const s = await start({ configure: fastTimings });
    await s.slash('/incident declare Checkout failing sev=P1 service=checkout');
    const pages = await s.waitForPages(Object.values(P1_PAGES));
    const room = s.warRoom('inc-1-checkout-failing')!;
    const board = await s.fake.waitFor(() => s.pinnedBoard(room), 10_000, 'the pinned board');
    const boardTs = board.response?.ts;

    // Everyone but comms acknowledges at once.
    for (const person of ['cara', 'pete', 'sam', 'pia']) await s.click(pages[person]!, SLACK_ID[person]!);

    // comms escalates: the backup, then the manager, each with their own Acknowledge button.
    const [catPage] = Object.values(await s.waitForPages(['cat'], 15_000));
    expect(buttons(catPage!).map((b) => b.value)).toEqual(['/incident ack INC-1 comms']);
    await s.fake.waitFor(() => s.postsIn(room).find((c) => c.args.text === 'comms: no acknowledgement; paging Cat Comms (backup on-call).'), 15_000, 'the escalation notice');
    const [monaPage] = Object.values(await s.waitForPages(['mona'], 15_000));
    expect(buttons(monaPage!).map((b) => b.value)).toEqual(['/incident ack INC-1 comms']);

    // The deadline passes: the duty manager gets a DM (no button), the room is told.
    const breach = await s.fake.waitFor(() => s.dmsTo(SLACK_ID.dora!)[0], 15_000, 'the duty manager page');
    expect(String(breach.args.text)).toContain('INC-1: the assembly deadline passed with comms unstaffed. You are the duty manager');
    expect(buttons(breach)).toEqual([]);
    await s.fake.waitFor(
      () => s.postsIn(room).find((c) => String(c.args.text).startsWith('Assembly deadline breached after 0:03: comms unstaffed. Paging the duty manager, Dora Duty.')),
      15_000,
      'the breach notice',
    );

    // The backup acknowledges from her DM: the team is assembled, late.
    const click = await s.click(catPage!, SLACK_ID.cat!);
    expect(((await s.fake.waitForResponse(click.responseName, 10_000)).body as { text: string }).text).toBe('Thanks, Cat Comms: you hold comms for INC-1.');
    await s.fake.waitFor(() => s.postsIn(room).find((c) => String(c.args.text).startsWith('Team assembled in ')), 10_000, 'the assembled notice');

    // One board all along, edited in place; its final state shows who holds comms.
    await s.fake.waitFor(() => {
      const text = JSON.stringify(s.fake.messagesIn(room).find((m) => m.ts === boardTs)?.blocks ?? []);
      return text.includes('Status: assembled') && /comms\\nCat Comms · paged \d\d:\d\d:\d\d [A-Z][A-Z0-9+-]* · acked/.test(text);
    }, 10_000, 'the final board');
    // Every edit in the room is the board's (the pages' own edits, linking the room, go to the DMs).
    expect(s.fake.callsTo('chat.update').filter((c) => c.args.channel === room).every((c) => c.args.ts === boardTs)).toBe(true);
    expect(s.postsIn(room).filter((c) => JSON.stringify(c.args.blocks).includes('"fields"'))).toHaveLength(1);
    // Nobody was paged twice.
    for (const person of ['cara', 'pete', 'sam', 'pia', 'cody', 'cat', 'mona']) expect(s.pagesTo(SLACK_ID[person]!), person).toHaveLength(1);
    expect(s.errors()).toEqual([]);
  });
});
