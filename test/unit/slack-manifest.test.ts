import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** Slack refuses a manifest (or silently sends nothing) when a subscribed bot event lacks its scope. */
const SCOPE_OF_EVENT: Record<string, string> = {
  app_mention: 'app_mentions:read',
  'message.channels': 'channels:history',
  'message.groups': 'groups:history',
  'message.im': 'im:history',
  member_joined_channel: 'channels:read',
};

describe('adapters/slack/manifest.yaml', () => {
  const manifest = parse(readFileSync(join(import.meta.dirname, '..', '..', 'adapters', 'slack', 'manifest.yaml'), 'utf8')) as {
    oauth_config: { scopes: { bot: string[] } };
    settings: { event_subscriptions: { bot_events: string[] } };
  };

  it('asks for the scope every subscribed bot event requires', () => {
    const scopes = manifest.oauth_config.scopes.bot;
    const events = manifest.settings.event_subscriptions.bot_events;
    expect(events).toContain('app_mention');
    for (const event of events) {
      expect(SCOPE_OF_EVENT[event], `add ${event} to SCOPE_OF_EVENT`).toBeDefined();
      expect(scopes, `${event} needs ${SCOPE_OF_EVENT[event]}`).toContain(SCOPE_OF_EVENT[event]);
    }
  });
});
