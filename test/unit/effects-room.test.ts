import { describe, expect, it } from 'vitest';
import { Effects } from '../../src/kernel/effects.js';
import type { Incident } from '../../src/incidents/types.js';

const incident = (room: string) => ({ id: 'INC-1', declaredAt: 1_000, room, roomName: '#inc-1-x' }) as unknown as Incident;

describe('who is let in as they are paged', () => {
  it('nobody while the room is still opening (its opening invites everyone paged by then); everyone paged after it opened', () => {
    expect(new Effects(incident('pending:INC-1'), 5_000, 'muster').roomOpenedEarlier).toBe(false);
    expect(new Effects(incident('slack:C1'), 5_000, 'muster').roomOpenedEarlier).toBe(true);
    expect(new Effects(incident('slack:C1'), 1_000, 'muster').roomOpenedEarlier).toBe(false); // the declare itself
  });
});
