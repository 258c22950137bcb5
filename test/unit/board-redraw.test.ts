import { describe, expect, it } from 'vitest';
import { Delivery } from '../../src/delivery/delivery.js';
import { boardStateKey, boardStateOf, formatBoardState, parseBoardState } from '../../src/delivery/board-state.js';
import type { IncidentStore } from '../../src/ports.js';

/** The board state as a draw reads it under its lease. */
const readBoardState = async (store: IncidentStore, id: string) => boardStateOf(store, id, await store.getValue(boardStateKey(id)));
import type { Destination, Message } from '../../src/ports.js';
import { silentLogger } from '../../src/logger.js';
import { FakeChat, harness } from '../support/fixture.js';

/** A chat whose board edits wait at a gate, so draws pile up behind the one in flight. */
class GatedChat extends FakeChat {
  gate: Promise<void> | undefined;
  override async update(to: Destination, ref: string, message: Message): Promise<void> {
    await this.gate;
    return super.update(to, ref, message);
  }
}

describe('board redraws', () => {
  it('draws once for every ask that waited behind a draw in flight, showing the latest version', async () => {
    const h = await harness();
    await h.say('alice', '/incident declare Checkout down sev=P1 service=checkout');
    const chat = new GatedChat();
    const delivery = new Delivery(h.store, chat, h.muster.present, silentLogger);
    const before = (await h.store.get('INC-1'))!;
    await h.store.setValue(boardStateKey('INC-1'), formatBoardState({ ref: 'board-1', version: before.version - 1 }));
    const leases: string[] = [];
    const acquire = h.store.acquireLease.bind(h.store);
    h.store.acquireLease = (key, owner, ttl) => (key.startsWith('board:') && leases.push(owner), acquire(key, owner, ttl));
    let open: () => void = () => undefined;
    chat.gate = new Promise((resolve) => (open = resolve));
    const inFlight = delivery.deliver({ id: 'INC-1-board-a', incident: 'INC-1', kind: 'board' });
    await h.say('pete', '/incident ack INC-1');
    await h.say('cara', '/incident ack INC-1');
    const waiting = ['b', 'c', 'd'].map((n) => delivery.deliver({ id: `INC-1-board-${n}`, incident: 'INC-1', kind: 'board' }));
    open();
    await Promise.all([inFlight, ...waiting]);
    const edits = chat.delivered.filter((d) => d.edit);
    expect(edits).toHaveLength(2);
    // The three asks that waited made one draw: one lease and one read of the record, not three.
    expect(leases.filter((owner) => owner === leases[0])).toHaveLength(2);
    const latest = (await h.store.get('INC-1'))!;
    expect(await readBoardState(h.store, 'INC-1')).toEqual({ ref: 'board-1', version: latest.version });
    expect(JSON.stringify(edits[1]!.message)).toContain('Cara');
  });

  it('reads a board stored the old way (bare reference, version apart)', async () => {
    const h = await harness();
    await h.store.setValue('board-ref:INC-9', '1712345678.000100');
    await h.store.setValue('board-drawn:INC-9', '7');
    expect(await readBoardState(h.store, 'INC-9')).toEqual({ ref: '1712345678.000100', version: 7 });
    expect(parseBoardState(undefined)).toEqual({ version: 0 });
    expect(parseBoardState(formatBoardState({ ref: 'a|b', version: 3 }))).toEqual({ ref: 'a|b', version: 3 });
  });
});
