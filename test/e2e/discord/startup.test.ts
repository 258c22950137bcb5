import { afterEach, describe, expect, it } from 'vitest';
import { escapeDiscord, renderMessage, renderModal } from '../../../adapters/discord/render.js';
import { positionalArgs } from '../../../adapters/discord/commands.js';
import { StartupError, startBot, startDiscordBot } from '../../../src/main.js';
import { discordConfig, discordEnv, recordingLogger } from '../../support/discord/bot.js';
import { FakeDiscord } from '../../support/discord/fake-discord.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function fake(): Promise<FakeDiscord> {
  const started = await FakeDiscord.start();
  cleanups.push(() => started.close());
  return started;
}

describe('Discord start-up', () => {
  it('needs DISCORD_APPLICATION_ID and DISCORD_GUILD_ID beside DISCORD_TOKEN', async () => {
    const f = await fake();
    const env = { ...discordEnv(f), discordGuildId: undefined } as never;
    await expect(startDiscordBot({ env, config: discordConfig(), logger: recordingLogger() })).rejects.toThrow(/DISCORD_GUILD_ID/);
  });

  it('refuses Slack and Discord in one process', async () => {
    const f = await fake();
    const env = { ...discordEnv(f), slackBotToken: 'xoxb-1', slackSigningSecret: 'shh' };
    await expect(startBot({ env, config: discordConfig(), configFile: 'muster.yaml' })).rejects.toThrow(/one chat platform per process/);
  });

  it('names DISCORD_TOKEN when Discord refuses it, without a stack trace', async () => {
    const f = await fake();
    const error = await startDiscordBot({ env: { ...discordEnv(f), discordToken: 'not-the-token' }, config: discordConfig(), logger: recordingLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/DISCORD_TOKEN/);
    expect(f.invalidRequests).toHaveLength(1);
  });
});

describe('Discord rendering', () => {
  it('escapes markdown, headings, lists, masked links and mention syntax', () => {
    expect(escapeDiscord('# head')).toBe('\\# head');
    expect(escapeDiscord('- item')).toBe('\\- item');
    expect(escapeDiscord('[x](https://evil.example)')).toBe('\\[x](https://evil.example)');
    expect(escapeDiscord('**x** a_b')).toBe('\\*\\*x\\*\\* a\\_b');
    for (const mention of ['@everyone', '@here', '<@123456789012345678>', '<@!123456789012345678>', '<@&123456789012345678>', '<#123456789012345678>']) {
      expect(escapeDiscord(mention)).not.toMatch(/^@(everyone|here)$|^<[@#][!&]?\d+>$/);
      expect(escapeDiscord(mention).replace(/\u200b/g, '')).toBe(mention);
    }
  });

  it('respects embed limits and button custom id length', () => {
    const long = 'x'.repeat(10_000);
    const rendered = renderMessage({
      title: long,
      text: long,
      fields: Array.from({ length: 40 }, (_, i) => ({ label: `${i}${long}`, value: long })),
      buttons: [
        { label: 'Acknowledge', command: '/incident ack INC-1 tech' },
        { label: 'Too long', command: `/incident ack ${long}` },
      ],
    });
    const [embed] = rendered.embeds;
    expect([...embed!.title!].length).toBeLessThanOrEqual(256);
    expect(embed!.fields!.length).toBeLessThanOrEqual(25);
    for (const field of embed!.fields!) {
      expect([...field.name].length).toBeLessThanOrEqual(256);
      expect([...field.value].length).toBeLessThanOrEqual(1024);
    }
    const total = [embed!.title, embed!.description, ...embed!.fields!.flatMap((f) => [f.name, f.value])].join('').length;
    expect(total).toBeLessThanOrEqual(6000);
    expect([...rendered.content!].length).toBeLessThanOrEqual(2000);
    expect(rendered.components.flatMap((row) => row.components).map((b) => ('custom_id' in b ? b.custom_id : b.url))).toEqual(['muster:/incident ack INC-1 tech']);
    expect(rendered.allowed_mentions).toEqual({ parse: [] });
  });

  it('turns form selects into text inputs with the choices as placeholder', () => {
    const modal = renderModal({
      id: 'declare',
      title: 'Declare an incident',
      submitLabel: 'Declare',
      command: '/incident declare',
      inputs: [
        { name: 'title', label: 'Title', kind: 'text' },
        { name: 'sev', label: 'Severity', kind: 'select', options: ['P1', 'P2'].map((p) => ({ label: p, value: p })), initial: 'P1' },
        { name: 'summary', label: 'Summary', kind: 'longtext', optional: true },
      ],
    });
    expect(modal.custom_id).toBe('muster-form:/incident declare');
    expect(modal.components.map((row) => row.components[0])).toEqual([
      expect.objectContaining({ type: 4, custom_id: 'title', style: 1, required: true }),
      expect.objectContaining({ type: 4, custom_id: 'sev', style: 1, value: 'P1', placeholder: 'P1, P2' }),
      expect.objectContaining({ type: 4, custom_id: 'summary', style: 2, required: false }),
    ]);
  });

  it('writes options back in the grammar order, quoting free text', () => {
    expect(positionalArgs('ack', { role: 'tech', incident: 'INC-4' })).toBe('ack INC-4 "tech"');
    expect(positionalArgs('resolve', { note: 'rolled "back" x=1' })).toBe(`resolve 'rolled "back" x=1'`);
    expect(positionalArgs('sev', { severity: 'P1', reason: 'worse' })).toBe('sev "P1" "worse"');
    expect(positionalArgs('snooze', { for: '30m', reason: 'fix deploying', incident: 'inc-2' })).toBe('snooze inc-2 "30m" "fix deploying"');
  });
});
