import { describe, expect, it } from 'vitest';
import { renderMessage as consoleMessage } from '../../adapters/console/render.js';
import { renderMessage as discordMessage } from '../../adapters/discord/render.js';
import { LINK_ACTION_PREFIX, renderMessage as slackMessage } from '../../adapters/slack/render.js';
import type { Message } from '../../src/ports.js';

/** A message's links (the postmortem on the dashboard) as each chat shows them: link buttons, or the URL as text. */
const URL = 'https://muster.example.com/dashboard/incidents/INC-1/postmortem';
const message: Message = {
  title: 'Seen before?',
  text: '1 similar incident',
  buttons: [{ label: 'Open INC-1', command: '/kb show INC-1' }],
  links: [{ label: 'INC-1 postmortem', url: URL }, { label: 'not a web page', url: 'javascript:alert(1)' }],
};

describe('links in chat messages', () => {
  it('Slack: URL buttons in their own actions block, acknowledged by their action id; only http(s)', () => {
    const blocks = slackMessage(message).blocks.filter((block) => block.type === 'actions') as Array<{ elements: Array<Record<string, unknown>> }>;
    expect(blocks).toHaveLength(2);
    expect(blocks[1]!.elements).toEqual([{ type: 'button', action_id: `${LINK_ACTION_PREFIX}0`, text: { type: 'plain_text', text: 'INC-1 postmortem', emoji: true }, url: URL }]);
  });

  it('Discord: link buttons (style 5, no custom id) after the command buttons; only http(s)', () => {
    const buttons = discordMessage(message).components.flatMap((row) => row.components);
    expect(buttons).toEqual([
      { type: 2, style: 2, label: 'Open INC-1', custom_id: 'muster:/kb show INC-1' },
      { type: 2, style: 5, label: 'INC-1 postmortem', url: URL },
    ]);
  });

  it('console: the label and the URL', () => {
    expect(consoleMessage(message).join('\n')).toContain(`[ INC-1 postmortem ]  ->  ${URL}`);
  });
});
