import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { personWord, oncallArgs, positionalArgs } from '../../adapters/discord/commands.js';
import { SLACK_ESCAPED_COMMANDS } from '../../adapters/slack/app.js';
import { slackCommandText } from '../../adapters/slack/render.js';
import { parseIncidentCommand } from '../../src/commands/parse-incident.js';
import { translator } from '../../src/i18n/catalog.js';
import { personNamed } from '../../src/incidents/directory.js';
import { testConfig } from '../support/fixture.js';

/**
 * A person named by a chat mention: each adapter turns its platform's mention
 * markup into a "<platform>:<user id>" ref, and the core finds the person whose
 * people.<id>.<platform> it is. Typed text never becomes a mention.
 */
describe('Slack command text (should_escape: true)', () => {
  it('turns user mentions into refs and channels, links, @here and user groups into what they said', () => {
    expect(slackCommandText('cover payments <@U0ANN|ann> tonight')).toBe('cover payments slack:U0ANN tonight');
    expect(slackCommandText('take payments for=<@W0BOB>')).toBe('take payments for=slack:W0BOB');
    expect(slackCommandText('see <#C123|ops> and <https://status.example.com/a?b=1&amp;c=2|status.example.com>')).toBe('see #ops and https://status.example.com/a?b=1&c=2');
    expect(slackCommandText('<!here> <!subteam^S1|@sre> <mailto:a@example.com|a@example.com>')).toBe('@here @sre a@example.com');
  });

  it('leaves typed angle brackets (entities) as text', () => {
    expect(slackCommandText('cover payments &lt;@U0ANN&gt; 1h')).toBe('cover payments <@U0ANN> 1h');
  });

  it('is used for exactly the commands the manifest escapes', () => {
    const manifest = parse(readFileSync(join(import.meta.dirname, '..', '..', 'adapters', 'slack', 'manifest.yaml'), 'utf8')) as {
      features: { slash_commands: Array<{ command: string; should_escape: boolean }> };
    };
    const escaped = manifest.features.slash_commands.filter((command) => command.should_escape).map((command) => command.command.slice(1));
    expect(new Set(escaped)).toEqual(SLACK_ESCAPED_COMMANDS);
  });
});

describe('Discord person options', () => {
  it('turn <@id> and <@!id> into refs, in /oncall and /incident person options only', () => {
    expect(personWord('<@140000000000000101>')).toBe('discord:140000000000000101');
    expect(personWord('<@!140000000000000101>')).toBe('discord:140000000000000101');
    expect(personWord('ann')).toBe('ann');
    expect(oncallArgs('take', { team: 'payments', for: '<@!42>' })).toBe('take "payments" for="discord:42"');
    expect(positionalArgs('assign', { incident: 'INC-1', role: 'tech', person: '<@42>' })).toBe('assign INC-1 "tech" "discord:42"');
    expect(positionalArgs('snooze', { incident: 'INC-1', for: '<@42>' })).toBe('snooze INC-1 "<@42>"');
  });
});

describe('the core reading a ref', () => {
  const config = testConfig();
  const ctx = { config, t: translator('en') };

  it('finds the person with that chat id, or nobody', () => {
    expect(personNamed(config, 'slack:UCARA')).toBe('cara');
    expect(personNamed(config, '@Pete')).toBe('pete');
    expect(personNamed(config, 'slack:UNOBODY')).toBeUndefined();
    expect(personNamed(config, 'discord:UCARA')).toBeUndefined();
  });

  it('assigns, hands off and escalates to a mentioned person', () => {
    expect(parseIncidentCommand('assign INC-1 tech slack:UCARA', ctx)).toMatchObject({ action: 'assign', role: 'tech', person: 'cara' });
    expect(parseIncidentCommand('handoff slack:UCARA', ctx)).toMatchObject({ action: 'assign', role: 'commander', person: 'cara' });
    expect(parseIncidentCommand('escalate INC-1 slack:UCARA db is on fire', ctx)).toMatchObject({ action: 'escalate', target: 'cara' });
    expect(() => parseIncidentCommand('assign INC-1 tech slack:UNOBODY', ctx)).toThrow(/slack:UNOBODY/);
  });
});
