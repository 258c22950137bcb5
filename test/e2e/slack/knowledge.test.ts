import { describe, expect, it } from 'vitest';
import { SLACK_ID, buttons, slackBots, viewSubmission, type OpenedView } from '../../support/slack/bot.js';
import { postInteraction } from '../../support/slack/signed.js';

/**
 * The knowledge loop on Slack, through Bolt and the fake Web API: resolve, the
 * task's DM, File it opening the learn modal, the submitted entry, then a
 * similar incident declared later gets it posted in its war room.
 */

const start = slackBots();

/** The view_submission of a form of text inputs (the learn modal). */
function formSubmission(view: OpenedView, user: string, values: Record<string, string | null>) {
  const payload = viewSubmission(view, user, { title: null, sev: null, service: null, summary: null });
  payload.view.state.values = Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, { value: { type: 'plain_text_input', value } }]),
  ) as never;
  return payload;
}

describe('Slack: the knowledge loop', () => {
  it('resolve, file the entry through the form, declare a similar incident, see it suggested in the war room', async () => {
    const s = await start();
    await s.slash('/incident declare Checkout times out on card payments sev=P2 service=checkout');
    const pages = await s.waitForPages(['cara', 'pete']);
    await s.click(pages.cara!, SLACK_ID.cara!);
    await s.fake.waitFor(async () => (await s.bot.runtime.store.get('INC-1'))?.slots.some((slot) => slot.ackedBy === 'cara'), 10_000, 'cara acked');
    await s.slash('/incident resolve INC-1 rolled back');

    const task = await s.fake.waitFor(() => s.dmsTo(SLACK_ID.cara!).find((call) => JSON.stringify(call.args).includes('What did INC-1 teach us?')), 10_000, 'the task DM');
    expect(buttons(task).map((b) => b.value)).toEqual(['/incident learn INC-1', '/incident learn INC-1 skip']);

    const triggerId = 'trigger-learn-1';
    await s.click(task, SLACK_ID.cara!, { triggerId });
    const open = await s.fake.waitForCall('views.open', (call) => call.args.trigger_id === triggerId, 10_000);
    const view = open.response?.view as OpenedView;
    expect(JSON.parse(view.private_metadata)).toMatchObject({ command: '/incident learn INC-1' });
    expect(view.blocks.map((b) => [b.block_id, Boolean(b.optional)])).toEqual([['rootCause', false], ['resolution', false], ['prevention', true], ['module', false], ['faultType', false]]);
    expect(view.blocks[3]!.element).toMatchObject({ initial_value: 'checkout' });

    const submitted = formSubmission(view, SLACK_ID.cara!, {
      rootCause: 'Database connection pool exhausted by a slow query',
      resolution: '1. Restart the payment gateway\n2. Raise the pool size to 200',
      prevention: null,
      module: 'checkout/payments',
      faultType: 'capacity',
    });
    expect((await postInteraction(s.url, 'test-secret', submitted)).status).toBe(200);
    const filed = await s.fake.waitFor(() => s.dmsTo(SLACK_ID.cara!).find((call) => String(call.args.text).includes('Knowledge entry for INC-1 filed')), 10_000, 'the filed reply');
    expect(filed).toBeDefined();
    const entry = (await s.bot.runtime.store.get('INC-1'))?.knowledge?.entry;
    expect(entry).toMatchObject({ resolution: ['Restart the payment gateway', 'Raise the pool size to 200'], module: 'checkout/payments', filedBy: 'cara' });

    await s.slash('/incident declare Card payments timing out at checkout sev=P2 service=checkout');
    const room = await s.fake.waitFor(() => s.warRoom('inc-2-card-payments-timing-out-at-checkout'), 10_000, 'the second war room');
    const suggestion = await s.fake.waitFor(() => s.postsIn(room).find((call) => JSON.stringify(call.args).includes('Seen before?')), 10_000, 'the similar incidents in the war room');
    const shown = JSON.stringify(suggestion.args);
    expect(shown).toContain('INC-1 [P2] Checkout times out on card payments');
    expect(shown).toContain('Restart the payment gateway');
    expect(shown).toContain('Module checkout/payments · fault type capacity');
    expect(buttons(suggestion).map((b) => b.value)).toEqual(['/kb show INC-1']);

    // Opening the suggestion from the war room counts for the weekly report.
    await s.click(suggestion, SLACK_ID.sam!);
    await s.fake.waitFor(async () => (await s.bot.runtime.store.get('INC-2'))?.knowledge?.opened?.includes('INC-1'), 10_000, 'the suggestion counted as opened');
    expect(s.errors()).toEqual([]);
  });

  it('with the dashboard under MUSTER_PUBLIC_URL, each suggestion links its postmortem, and the link click is only acknowledged', async () => {
    const url = 'https://muster.example.com/dashboard/incidents/INC-1/postmortem';
    const s = await start({ env: { dashboardToken: 'dashboard-token-for-the-e2e-test', httpPort: 0, raw: { MUSTER_PUBLIC_URL: 'https://muster.example.com' } } });
    await s.slash('/incident declare Checkout times out on card payments sev=P2 service=checkout');
    await s.waitForPages(['cara', 'pete']);
    await s.slash('/incident resolve INC-1 rolled back');
    await s.slash('/incident learn INC-1 rootCause="Pool exhausted" resolution="Restart the payment gateway" module=checkout faultType=capacity');
    await s.fake.waitFor(async () => (await s.bot.runtime.store.get('INC-1'))?.knowledge?.entry !== undefined, 10_000, 'the entry filed');
    await s.slash('/incident declare Card payments timing out at checkout sev=P2 service=checkout');
    const room = await s.fake.waitFor(() => s.warRoom('inc-2-card-payments-timing-out-at-checkout'), 10_000, 'the second war room');
    const suggestion = await s.fake.waitFor(() => s.postsIn(room).find((call) => JSON.stringify(call.args).includes('Seen before?')), 10_000, 'the similar incidents');
    expect(JSON.stringify(suggestion.args)).toContain(`Postmortem: ${url}`);
    expect(buttons(suggestion).map((b) => b.url ?? b.value)).toEqual(['/kb show INC-1', url]);
    const click = await s.click(suggestion, SLACK_ID.sam!, { url });
    expect(click.res.status).toBe(200);
    expect(s.errors()).toEqual([]);
  });
});
