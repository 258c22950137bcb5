/**
 * /oncall test [person] (issue 14): a test through each of the person's
 * methods, straight to the providers, answered with what each said; a
 * method without a provider is named with the block to add. People test
 * themselves, managers anyone. Discord's subcommand becomes the same words.
 */
import { describe, expect, it } from 'vitest';
import { oncallArgs } from '../../adapters/discord/commands.js';
import { harness, testConfig } from '../support/fixture.js';
import { RecordingPagingPort } from '../support/paging/recording-port.js';

const SID = `AC${'a1'.repeat(16)}`;

async function bot() {
  const config = testConfig((raw) => {
    const people = raw.people as Record<string, Record<string, unknown>>;
    people.cara = { ...people.cara, phone: '+4915112345678', ntfy: 'cara-pages', email: 'cara@example.com' };
    raw.paging = { twilio: { accountSid: SID, from: '+15005550006' }, ntfy: {} };
  });
  const port = new RecordingPagingPort(['sms', 'voice', 'ntfy'], () => 0);
  const h = await harness(config, { paging: { port } });
  const text = async (person: string, line: string) => JSON.stringify(await h.say(person, line));
  return { ...h, port, text };
}

describe('/oncall test', () => {
  it('tests each of your methods and says what each provider answered', async () => {
    const b = await bot();
    b.port.failNext('voice', { retryable: false, reason: 'HTTP 400 (Twilio 21215): geo permission' });
    const reply = await b.text('cara', '/oncall test');
    expect(b.port.sent.map((s) => s.address.kind)).toEqual(['sms', 'voice', 'ntfy']);
    expect(b.port.sent.every((s) => s.notification.test === true && s.notification.person === 'cara')).toBe(true);
    expect(reply).toContain('Test notifications for Cara Commander');
    expect(reply).toMatch(/✓ SMS: accepted by the provider \(SM0+1\)/);
    expect(reply).toContain('✗ call: refused: HTTP 400 (Twilio 21215): geo permission');
    expect(reply).toContain('– email: not sent, no provider is configured (add paging.email to muster.yaml)');
    // No page, no incident: a test leaves nothing on any record.
    expect(await b.store.listActive()).toEqual([]);
  });

  it('lets managers test anyone and nobody else test others', async () => {
    const b = await bot();
    expect(await b.text('alice', '/oncall test cara')).toMatch(/testing someone else takes a team manager/);
    expect(b.port.sent).toHaveLength(0);
    expect(await b.text('mona', '/oncall test cara')).toContain('Test notifications for Cara Commander');
    expect(b.port.sent).toHaveLength(3);
    expect(await b.text('pete', '/oncall test')).toContain('no contact method besides chat');
    expect(await b.text('cara', '/oncall test "cara"')).toContain('Test notifications for Cara Commander');
  });

  it('is the same words from Discord', () => {
    expect(oncallArgs('test', { person: '<@123>' })).toBe('test "discord:123"');
    expect(oncallArgs('test', {})).toBe('test');
  });
});
