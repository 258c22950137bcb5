import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../support/slack/fake-slack.js';
import { BROADCAST_CHANNEL, P1_PAGES, SLACK_ID, SIGNING_SECRET, openDeclareModal, slackBots, strings, textObjects, viewSubmission, type SlackBotUnderTest } from '../../support/slack/bot.js';
import { postInteraction } from '../../support/slack/signed.js';

const start = slackBots();

const TITLE = '<!channel> <@U123> *bold* @here';
/** Pieces of the title that would ping or format if Slack parsed them. */
const DANGEROUS = ['<!channel>', '<@U123>', '*bold*'];
const ESCAPED_TITLE = '&lt;!channel&gt; &lt;@U123&gt; *bold* @here';

/** Everything the bot sent that Slack would render: posts, edits and response_url bodies. */
function rendered(s: SlackBotUnderTest): Array<{ where: string; text?: unknown; blocks?: unknown }> {
  const calls: RecordedCall[] = [...s.fake.callsTo('chat.postMessage'), ...s.fake.callsTo('chat.update'), ...s.fake.callsTo('chat.postEphemeral')];
  return [
    ...calls.map((call) => ({ where: `${call.method} ${String(call.args.channel)}`, text: call.args.text, blocks: call.args.blocks })),
    ...s.fake.responses.map((response) => {
      const body = response.body as { text?: unknown; blocks?: unknown };
      return { where: `response_url ${response.name}`, text: body.text, blocks: body.blocks };
    }),
  ];
}

/** The title never reaches Slack where it would be parsed: only in plain_text objects and escaped fallback text. */
function expectNeverParsed(s: SlackBotUnderTest): void {
  const sent = rendered(s);
  expect(sent.length).toBeGreaterThan(0);
  for (const message of sent) {
    const text = String(message.text ?? '');
    for (const piece of ['<!channel>', '<@U123>', '<!here>']) expect(text, `${message.where} text`).not.toContain(piece);
    for (const object of textObjects(message.blocks)) {
      if (object.type === 'mrkdwn') {
        for (const piece of DANGEROUS) expect(object.text, `${message.where} ${object.path} (mrkdwn)`).not.toContain(piece);
      }
    }
    // Any string in the blocks holding a piece of the title is the text of a plain_text object.
    const plainPaths = new Set(textObjects(message.blocks).filter((o) => o.type === 'plain_text').map((o) => `${o.path}.text`));
    for (const found of strings(message.blocks, 'blocks')) {
      if (DANGEROUS.some((piece) => found.text.includes(piece))) expect(plainPaths, `${message.where} ${found.path}`).toContain(found.path);
    }
  }
}

describe('Slack: user text is shown as typed, never parsed', () => {
  it('a title with <!channel>, <@U123>, *bold* and @here pings nobody and formats nothing', async () => {
    const s = await start();
    const { responseName } = await s.slash(`/incident declare ${TITLE} sev=P1 service=checkout`);
    const pages = await s.waitForPages(Object.values(P1_PAGES));
    const reply = await s.fake.waitForResponse(responseName, 10_000);
    const room = s.warRoom('inc-1-channel-u123-bold-here');
    expect(room).toBeDefined();
    await s.fake.waitFor(() => s.pinnedBoard(room!), 10_000, 'the pinned board');
    const announcement = await s.fake.waitFor(() => s.postsIn(BROADCAST_CHANNEL)[0], 10_000, 'the broadcast');
    // Acknowledge once, so a chat.update is in the record too.
    const click = await s.click(pages.pete!, SLACK_ID.pete!);
    await s.fake.waitForResponse(click.responseName, 10_000);
    await s.fake.waitForCall('chat.update', () => true, 10_000);
    await s.bot.runtime.settle();

    expectNeverParsed(s);
    // The title is there, escaped, in every fallback text that shows it …
    expect(announcement.args.text).toBe(`INC-1 [P1] ${ESCAPED_TITLE} declared by Alice Declarer. War room: #inc-1-channel-u123-bold-here.`);
    expect(String(pages.pete!.args.text)).toContain(ESCAPED_TITLE);
    expect((reply.body as { text: string }).text).toContain(`INC-1 declared: ${ESCAPED_TITLE}.`);
    // … and as typed in the plain_text blocks.
    const header = textObjects(s.pinnedBoard(room!)!.args.blocks).find((o) => o.path.startsWith('blocks[0]'));
    expect(header).toMatchObject({ type: 'plain_text', text: `:rotating_light: INC-1 [P1] ${TITLE}` });
    // Posts never ask Slack to link names.
    for (const call of s.fake.callsTo('chat.postMessage')) expect(call.args.link_names).toBe('false');
    expect(s.errors()).toEqual([]);
  });

  it('text Slack delivers escaped (&lt; &gt; &amp;) is decoded once, so it is neither shown as entities nor parsed', async () => {
    const s = await start();
    // What Slack sends for a user typing: /incident declare DB <-> cache & <!here> sev=P3 service=checkout
    const { responseName } = await s.slash('/incident declare DB &lt;-&gt; cache &amp; &lt;!here&gt; sev=P3 service=checkout');
    const reply = await s.fake.waitForResponse(responseName, 10_000);
    expect((reply.body as { text: string }).text).toContain('INC-1 declared: DB &lt;-&gt; cache &amp; &lt;!here&gt;.');
    expect((await s.bot.runtime.store.get('INC-1'))?.title).toBe('DB <-> cache & <!here>');
    const [page] = Object.values(await s.waitForPages(['pete']));
    const header = textObjects(page!.args.blocks)[0];
    expect(header).toMatchObject({ type: 'plain_text', text: ':rotating_light: PAGE INC-1 [P3] DB <-> cache & <!here>' });
    expect(s.warRoom('inc-1-db-cache-here')).toBeDefined();
    expectNeverParsed(s);
  });

  it('the same title typed into the modal (which Slack delivers raw) is just as harmless', async () => {
    const s = await start();
    const { view } = await openDeclareModal(s);
    const res = await postInteraction(s.url, SIGNING_SECRET, viewSubmission(view, SLACK_ID.alice!, { title: TITLE, sev: 'P1', service: 'checkout', summary: '<!everyone> & *more*' }));
    expect(res.status).toBe(200);
    await s.waitForPages(Object.values(P1_PAGES));
    const dm = await s.fake.waitFor(() => s.dmsTo(SLACK_ID.alice!)[0], 10_000, 'the result by DM');
    expect(dm.args.text).toBe(`INC-1 declared: ${ESCAPED_TITLE}. War room #inc-1-channel-u123-bold-here; paging 5 roles.`);
    expect((await s.bot.runtime.store.get('INC-1'))?.title).toBe(TITLE);
    await s.fake.waitFor(() => s.postsIn(BROADCAST_CHANNEL)[0], 10_000, 'the broadcast');
    await s.bot.runtime.settle();
    expectNeverParsed(s);
  });
});
