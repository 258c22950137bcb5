/**
 * The first pages go out before the war room exists, so they name it without
 * a link; once it opens, each is edited in place to link it. Never a second
 * ping: the edit is the same message.
 */
import { describe, expect, it } from 'vitest';
import type { Destination, Message, OpenedRoom, RoomRequest } from '../../src/ports.js';
import { harness } from '../support/fixture.js';

const FIRST_PAGED = ['cara', 'pete', 'sam', 'pia', 'cody'];

function dms(h: Awaited<ReturnType<typeof harness>>, person: string) {
  return h.chat.delivered.filter((d) => d.to.kind === 'person' && d.to.person === person);
}

/** Holds the room's opening until `release` is called, as when Slack is slow to create channels. */
function holdRoom(h: Awaited<ReturnType<typeof harness>>): () => void {
  const openRoom = h.chat.openRoom.bind(h.chat);
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  h.chat.openRoom = async (request: RoomRequest): Promise<OpenedRoom> => (await held, openRoom(request));
  return release;
}

describe('first pages gain the room link once it opens', () => {
  it('each page sent before the room opened is edited, once, to link it, and nobody is pinged twice', async () => {
    const h = await harness();
    // The room opens only once every first page is out.
    const pagesOut = holdRoom(h);
    const send = h.chat.send.bind(h.chat);
    h.chat.send = async (to: Destination, message: Message) => {
      const ref = await send(to, message);
      if (FIRST_PAGED.every((person) => h.chat.pagesTo(person).length > 0)) pagesOut();
      return ref;
    };
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    const incident = (await h.store.get('INC-1'))!;
    expect(incident.room).toBe('test:#inc-1-checkout-down');
    for (const person of FIRST_PAGED) {
      const [page, edit, ...more] = dms(h, person);
      expect(page!.message.room, `${person}'s page as sent`).toBeUndefined();
      expect(page!.message.text).toContain('#inc-1-checkout-down');
      expect(edit, `${person}'s page edited`).toMatchObject({ edit: true, message: { room: incident.room } });
      expect(edit!.message.buttons?.[0]?.command).toBe(page!.message.buttons?.[0]?.command);
      expect(more).toEqual([]);
      expect(h.chat.pagesTo(person)).toHaveLength(1);
    }
    expect(incident.slots.flatMap((slot) => slot.pages).filter((page) => page.unlinkedRef)).toEqual([]);
  });

  it('a page delivered just after the room opened, though committed before, is linked by its receipt', async () => {
    const h = await harness();
    const send = h.chat.send.bind(h.chat);
    let opened: () => void = () => undefined;
    const roomOpen = new Promise<void>((resolve) => (opened = resolve));
    h.muster.onEvent((event) => event.type === 'room.opened' && opened());
    h.chat.send = async (to: Destination, message: Message) => {
      if (to.kind === 'person' && to.person === 'pete') await roomOpen;
      return send(to, message);
    };
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    const incident = (await h.store.get('INC-1'))!;
    const [page, edit, ...more] = dms(h, 'pete');
    expect(page!.message.room).toBeUndefined();
    expect(edit).toMatchObject({ edit: true, message: { room: incident.room } });
    expect(more).toEqual([]);
  });

  it('a page whose role someone else took before the room opened is left as it was', async () => {
    const h = await harness();
    const release = holdRoom(h);
    let paged: () => void = () => undefined;
    const petePaged = new Promise<void>((resolve) => (paged = resolve));
    h.muster.onEvent((event) => event.type === 'page.delivered' && event.person === 'pete' && paged());
    const declared = h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    await petePaged;
    const reply = await h.muster.dispatch({ name: 'incident', args: 'assign INC-1 tech cole', actor: 'console:alice', conversation: 'console:#general', requestId: 'assign-cole' });
    expect(reply.message.text).not.toContain('nothing changed');
    release();
    await declared;
    await h.outbox.idle();
    expect(dms(h, 'pete').filter((d) => d.edit)).toEqual([]);
    expect(dms(h, 'cara').filter((d) => d.edit)).toHaveLength(1);
  });
});
