/**
 * A chat that holds a page back before sending it (Discord's global limit in
 * a storm) asks delivery whether it is still wanted. Delivery answers from the
 * page's fence read again: a role acked meanwhile makes the chat throw
 * NoLongerWantedError, and delivery settles the page as superseded, never
 * delivered.
 */
import { describe, expect, it } from 'vitest';
import { NoLongerWantedError, type Destination, type Message, type SendOptions } from '../../src/ports.js';
import { harness } from '../support/fixture.js';

const MIN = 60_000;

describe('a page held back by the chat', () => {
  it('is asked again before it goes: wanted while the role pages, superseded once someone acked it', async () => {
    const h = await harness();
    const answers: boolean[] = [];
    const send = h.chat.send.bind(h.chat);
    h.chat.send = async (to: Destination, message: Message, options?: SendOptions) => {
      if (to.kind === 'person' && to.person === 'pam' && options?.stillWanted) {
        answers.push(await options.stillWanted());
        // While pam's page waits at the platform, pete takes tech (straight through dispatch:
        // h.say would wait for the outbox, which is waiting for this very send).
        await h.muster.dispatch({ name: 'incident', args: 'ack INC-1 tech', actor: 'console:pete', conversation: 'console:#general', requestId: 'pete-ack' });
        answers.push(await options.stillWanted());
        if (!answers.at(-1)) throw new NoLongerWantedError('held back, then no longer wanted');
      }
      return send(to, message, options);
    };
    await h.say('alice', '/incident declare Checkout down sev=P3 service=checkout');
    await h.advance(5 * MIN); // step 2: pam, tech's backup, is paged

    expect(answers).toEqual([true, false]);
    expect(h.chat.pagesTo('pam').filter((d) => /\/incident ack/.test(JSON.stringify(d.message)))).toEqual([]);
    const timeline = await h.store.timeline('INC-1');
    const pams = timeline.filter((event) => event.person === 'pam' && event.type.startsWith('page.')).map((event) => event.type);
    expect(pams).toContain('page.superseded');
    expect(pams).not.toContain('page.delivered');
    const incident = await h.store.get('INC-1');
    expect(incident?.slots.find((slot) => slot.role === 'tech')).toMatchObject({ state: 'acked', ackedBy: 'pete' });
  });
});
