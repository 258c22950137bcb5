import { describe, expect, it } from 'vitest';
import { roomName, unicodeRoomName } from '../../src/incidents/room-name.js';
import { harness } from '../support/fixture.js';

describe('war room names', () => {
  it('a title with no Latin letters is named by its service, never a bare number', () => {
    expect(roomName('INC-7', '支付失败', 'checkout')).toBe('inc-7-checkout');
    expect(roomName('INC-7', '支付失败')).toBe('inc-7');
    expect(roomName('INC-42', 'Checkout is FAILING!! <!channel> 💥', 'checkout')).toBe('inc-42-checkout-is-failing-channel');
  });

  it('keeps the title in its own script for chats that allow it, only when that says more', () => {
    expect(unicodeRoomName('INC-7', '支付失败', 'checkout')).toBe('inc-7-支付失败');
    expect(unicodeRoomName('INC-8', 'Checkout 支付失败', 'checkout')).toBe('inc-8-checkout-支付失败');
    expect(unicodeRoomName('INC-9', 'Checkout is failing', 'checkout')).toBeUndefined();
  });

  it('a Chinese title declared on checkout opens #inc-1-checkout', async () => {
    const h = await harness();
    const reply = await h.say('alice', '/incident declare 支付失败 sev=P3 service=checkout');
    expect(reply.message.text).toContain('#inc-1-checkout');
    expect((await h.store.get('INC-1'))?.roomName).toBe('#inc-1-checkout');
  });
});
