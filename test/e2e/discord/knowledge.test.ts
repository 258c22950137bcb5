import { describe, expect, it } from 'vitest';
import { DISCORD_ID, buttonsOf, discordBots, textOf } from '../../support/discord/bot.js';

/**
 * The knowledge loop on Discord, through discord.js and the fake Discord:
 * resolve, the task's DM with File it, the modal it opens (the first
 * response, like the declare form), the submitted entry, then /kb search.
 */

const start = discordBots();
const DECLARE = { name: 'incident', subcommand: 'declare', options: { title: 'Checkout times out', severity: 'P2', service: 'checkout' } };

describe('Discord: the knowledge loop', () => {
  it('File it on the task DM opens the learn modal; the submitted entry is found by /kb search', async () => {
    const s = await start();
    await s.slash(DECLARE);
    const pages = await s.waitForPages(['cara', 'pete']);
    await s.answered(await s.click('muster:/incident ack INC-1 commander', 'cara', pages.cara!.id));
    await s.answered(await s.slash({ name: 'incident', subcommand: 'resolve', options: { incident: 'INC-1', note: 'rolled back' } }));

    const task = await s.fake.waitFor(() => s.fake.dmsTo(DISCORD_ID.cara!).find((m) => textOf(m).includes('What did INC-1 teach us?')), 10_000, 'the knowledge task DM');
    expect(buttonsOf(task).map((b) => b.custom_id)).toEqual(['muster:/incident learn INC-1', 'muster:/incident learn INC-1 skip']);

    const click = await s.click('muster:/incident learn INC-1', 'cara', task.id);
    const modal = await s.fake.waitFor(() => s.fake.interaction(click.id)?.modal, 5_000, 'the learn modal');
    expect(s.fake.interaction(click.id)!.callbacks.map((c) => c.type)).toEqual([9]);
    expect(modal).toMatchObject({ custom_id: 'muster-form:/incident learn INC-1' });

    const submit = await s.fake.sendInteraction(
      s.fake.modalSubmit({
        customId: 'muster-form:/incident learn INC-1',
        fields: { rootCause: 'Connection pool exhausted', resolution: 'Restart the payment gateway\nRaise the pool size', module: 'checkout', faultType: 'capacity' },
        user: DISCORD_ID.cara!,
      }),
    );
    expect(textOf(await s.answered(submit))).toContain('Knowledge entry for INC-1 filed');

    const search = await s.slash({ name: 'kb', subcommand: 'search', options: { words: 'restart the payment gateway' }, person: 'sam' });
    const found = textOf(await s.answered(search));
    expect(found).toContain('INC-1 [P2] Checkout times out');
    // One step per line of the modal's long text (Markdown-escaped in the embed).
    expect(found).toContain('1\\\\. Restart the payment gateway\\n2\\\\. Raise the pool size');

    const typed = await s.slash({ name: 'incident', subcommand: 'learn', options: { incident: 'INC-1', prevention: 'Alert at 80% pool use' }, person: 'cara' });
    expect(textOf(await s.answered(typed))).toContain('Knowledge entry for INC-1 updated: prevention');
    expect(s.errors()).toEqual([]);
  });
});
