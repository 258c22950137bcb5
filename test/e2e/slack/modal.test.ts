import { describe, expect, it } from 'vitest';
import { OPS_CHANNEL, P1_PAGES, SLACK_ID, openDeclareModal, slackBots, viewSubmission as submission } from '../../support/slack/bot.js';
import { postInteraction } from '../../support/slack/signed.js';

const start = slackBots();

describe('Slack: the declare modal', () => {
  it('/incident declare alone opens a modal with title, severity, service and summary', async () => {
    const s = await start();
    const { view, triggerId, responseName } = await openDeclareModal(s);
    const opened = s.fake.views.find((v) => v.trigger_id === triggerId);
    expect(opened?.via).toBe('views.open');
    expect(view.callback_id).toBe('muster_form');
    expect(JSON.parse(view.private_metadata)).toEqual({ command: '/incident declare', channel: OPS_CHANNEL });
    expect(view.blocks.map((b) => [b.type, b.block_id, b.element.type, Boolean(b.optional)])).toEqual([
      ['input', 'title', 'plain_text_input', false],
      ['input', 'sev', 'static_select', false],
      ['input', 'service', 'static_select', true],
      ['input', 'summary', 'plain_text_input', true],
    ]);
    const sev = view.blocks[1]!.element as { options: Array<{ value: string }>; initial_option?: { value: string } };
    expect(sev.options.map((o) => o.value)).toEqual(['P1', 'P2', 'P3']);
    expect(sev.initial_option?.value).toBe('P1');
    expect((view.blocks[2]!.element as { options: Array<{ value: string }> }).options.map((o) => o.value)).toEqual(['checkout']);
    expect(view.blocks[3]!.element).toMatchObject({ multiline: true });
    // Opening the modal declares nothing and posts nothing to the response_url.
    await s.bot.runtime.settle();
    expect(await s.bot.runtime.store.listRecent(5)).toEqual([]);
    expect(s.fake.responsesTo(responseName)).toEqual([]);
    expect(s.fake.callsTo('conversations.create')).toEqual([]);
  });

  it('submitting the modal declares the incident and tells the user by DM', async () => {
    const s = await start();
    const { view } = await openDeclareModal(s);
    const res = await postInteraction(
      s.url,
      'test-secret',
      submission(view, SLACK_ID.alice!, { title: 'Checkout failing', sev: 'P1', service: 'checkout', summary: 'Card payments return 500\nsince 09:00' }),
    );
    expect(res.status).toBe(200);
    // An empty ack closes the modal.
    expect(res.text).toBe('');

    await s.waitForPages(Object.values(P1_PAGES));
    const dm = await s.fake.waitFor(() => s.dmsTo(SLACK_ID.alice!)[0], 10_000, 'the result by DM to the declarer');
    expect(dm.args.text).toBe('INC-1 declared: Checkout failing. War room #inc-1-checkout-failing; paging 5 roles.');
    const incident = await s.bot.runtime.store.get('INC-1');
    expect(incident).toMatchObject({ title: 'Checkout failing', severity: 'P1', service: 'checkout', summary: 'Card payments return 500 since 09:00', declaredBy: 'alice' });
    const room = s.warRoom('inc-1-checkout-failing');
    expect(room).toBeDefined();
    await s.fake.waitFor(() => s.pinnedBoard(room!), 10_000, 'the pinned board');
    expect(s.errors()).toEqual([]);
  });

  it('a modal without the optional fields declares with the defaults; a resubmitted view declares once', async () => {
    const s = await start();
    const { view } = await openDeclareModal(s, SLACK_ID.mona!);
    const payload = submission(view, SLACK_ID.mona!, { title: 'Search "v2" is slow', sev: 'P3', service: 'checkout', summary: null });
    expect((await postInteraction(s.url, 'test-secret', payload)).status).toBe(200);
    expect((await postInteraction(s.url, 'test-secret', payload, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    const dm = await s.fake.waitFor(() => s.dmsTo(SLACK_ID.mona!)[0], 10_000, 'the result by DM');
    expect(dm.args.text).toBe('INC-1 declared: Search "v2" is slow. War room #inc-1-search-v2-is-slow; paging 1 role.');
    await s.waitForPages(['pete']);
    await s.bot.runtime.settle();
    expect(await s.bot.runtime.store.listRecent(5)).toHaveLength(1);
    expect(s.dmsTo(SLACK_ID.mona!)).toHaveLength(1);
    expect(s.fake.callsTo('conversations.create')).toHaveLength(1);
  });

  it('a modal submitted with a P1 but no service is answered by DM with what is missing, and declares nothing', async () => {
    const s = await start();
    const { view } = await openDeclareModal(s);
    await postInteraction(s.url, 'test-secret', submission(view, SLACK_ID.alice!, { title: 'Checkout failing', sev: 'P1', service: null, summary: null }));
    const dm = await s.fake.waitFor(() => s.dmsTo(SLACK_ID.alice!)[0], 10_000, 'the refusal by DM');
    expect(String(dm.args.text)).toContain('add service=NAME');
    expect(await s.bot.runtime.store.listRecent(5)).toEqual([]);
  });
});
