/**
 * /oncall on Discord: typed subcommand options become the grammar's words,
 * the swap request arrives as a DM with Accept and Decline buttons whose
 * custom ids are the commands, and a click decides the swap.
 */
import { describe, expect, it } from 'vitest';
import { DISCORD_ID, buttonsOf, discordBots, textOf } from '../../support/discord/bot.js';

const start = discordBots();

/** Payments rotates pete and pam weekly, so each has shifts to trade. */
const configure = (raw: Record<string, unknown>) => {
  const teams = raw.teams as Record<string, Record<string, unknown>>;
  teams.payments!.rotation = { primary: ['pete', 'pam'], backup: ['pam', 'pete'], start: '2026-01-05' };
  teams.payments!.timeZone = 'Europe/Berlin';
};

describe('Discord: /oncall', () => {
  it('registers the subcommands with typed options', async () => {
    const s = await start({ configure });
    const oncall = s.fake.guildCommands().find((command) => command.name === 'oncall') as unknown as { options: Array<{ name: string; options?: Array<{ name: string }> }> };
    expect(oncall.options.map((sub) => sub.name)).toEqual(['now', 'at', 'cover', 'swap', 'take', 'changes', 'cancel', 'accept', 'decline', 'test']);
    expect(oncall.options.find((sub) => sub.name === 'cover')?.options?.map((option) => option.name)).toEqual(['team', 'person', 'when', 'position', 'reason']);
  });

  it('cover from typed options, shown by /oncall now; a swap decided by the Accept button', async () => {
    const s = await start({ configure });
    const cover = await s.slash({ name: 'oncall', subcommand: 'cover', options: { team: 'payments', person: 'mona', when: 'until tomorrow 09:00', position: 'backup', reason: 'Pam is at a wedding' }, person: 'mona' });
    const covered = await s.answered(cover);
    expect(textOf(covered)).toMatch(/CHG-1: Mona Manager holds the payments backup pager .*\(Europe\/Berlin\) in place of/);

    const now = await s.answered(await s.slash({ name: 'oncall', subcommand: 'now', options: { team: 'payments' }, person: 'pete' }));
    expect(textOf(now)).toContain('backup: Mona Manager [cover CHG-1]');

    // Whoever holds the primary this week offers it to the other.
    const holder = textOf(now).includes('primary: Pete Payments') ? 'pete' : 'pam';
    const other = holder === 'pete' ? 'pam' : 'pete';
    const swap = await s.answered(await s.slash({ name: 'oncall', subcommand: 'swap', options: { team: 'payments', person: other }, person: holder }));
    expect(textOf(swap)).toContain('CHG-2: asked');
    const request = await s.fake.waitFor(() => s.pagesTo(other).find((message) => textOf(message).includes('CHG-2')), 10_000, 'the swap request by DM');
    expect(buttonsOf(request).map((button) => [button.label, button.custom_id])).toEqual([
      ['Accept', 'muster:/oncall accept CHG-2'],
      ['Decline', 'muster:/oncall decline CHG-2'],
    ]);
    const accepted = await s.answered(await s.click('muster:/oncall accept CHG-2', other, request.id));
    expect(textOf(accepted)).toContain('CHG-2 accepted');
    const changes = await s.answered(await s.slash({ name: 'oncall', subcommand: 'changes', options: { team: 'payments' }, person: 'mona' }));
    expect(textOf(changes)).toContain('CHG-2 · swap · accepted');
    expect(s.errors()).toEqual([]);
  });

  it('a person option holding a mention (<@id>, <@!id>) is the person with that Discord id; an unknown one is named', async () => {
    const s = await start({ configure });
    const cover = await s.answered(await s.slash({ name: 'oncall', subcommand: 'cover', options: { team: 'payments', person: `<@${DISCORD_ID.mona}>`, when: 'until tomorrow 09:00', position: 'backup' }, person: 'mona' }));
    expect(textOf(cover)).toMatch(/CHG-1: Mona Manager holds the payments backup pager/);
    const take = await s.answered(await s.slash({ name: 'oncall', subcommand: 'take', options: { team: 'payments', until: '1h', for: `<@!${DISCORD_ID.pete}>` }, person: 'mona' }));
    expect(textOf(take)).toMatch(/CHG-2: Pete Payments holds the payments primary pager/);
    const stranger = await s.answered(await s.slash({ name: 'oncall', subcommand: 'cover', options: { team: 'payments', person: '<@99999999999999999>', when: '1h' }, person: 'mona' }));
    expect(textOf(stranger)).toContain('discord:99999999999999999');
    expect(textOf(stranger)).not.toContain('CHG-3');
    expect(s.errors()).toEqual([]);
  });
});
