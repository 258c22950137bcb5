/**
 * The Discord request gate: at most N requests start in any rolling second,
 * and an urgent one (a page) overtakes routine ones (rooms, boards, edits)
 * that are still waiting for their place.
 */
import { describe, expect, it } from 'vitest';
import type { REST } from 'discord.js';
import { DiscordRequestGate } from '../../adapters/discord/request-gate.js';

/** A REST stand-in that records the order calls start in and when. */
function recordingRest(): { rest: REST; started: Array<{ route: string; at: number }> } {
  const started: Array<{ route: string; at: number }> = [];
  const answer = async (route: string) => {
    started.push({ route, at: performance.now() });
    return { route };
  };
  const rest = { get: answer, post: answer, put: answer, patch: answer, delete: answer } as unknown as REST;
  return { rest, started };
}

describe('DiscordRequestGate', () => {
  it('serves a waiting page before routine calls queued earlier', async () => {
    const { rest, started } = recordingRest();
    const gate = new DiscordRequestGate(1);
    const routine = gate.rest(rest, false);
    const urgent = gate.rest(rest, true);
    const calls = [
      routine.post('/guilds/1/channels'),
      routine.patch('/channels/2/messages/3'),
      routine.put('/channels/2/messages/pins/3'),
      urgent.post('/channels/4/messages'),
    ];
    expect(gate.waiting).toBe(3);
    await expect(Promise.all(calls)).resolves.toEqual([
      { route: '/guilds/1/channels' },
      { route: '/channels/2/messages/3' },
      { route: '/channels/2/messages/pins/3' },
      { route: '/channels/4/messages' },
    ]);
    expect(started.map((call) => call.route)).toEqual(['/guilds/1/channels', '/channels/4/messages', '/channels/2/messages/3', '/channels/2/messages/pins/3']);
  });

  it('starts at most its budget in any rolling second', async () => {
    const { rest, started } = recordingRest();
    const gate = new DiscordRequestGate(3);
    const routine = gate.rest(rest, false);
    await Promise.all(Array.from({ length: 7 }, (_, i) => routine.get(`/channels/${i}`)));
    expect(started).toHaveLength(7);
    // The fourth call starts a second after the first, the seventh a second after the fourth.
    for (let i = 3; i < started.length; i += 1) expect(started[i]!.at - started[i - 3]!.at).toBeGreaterThanOrEqual(990);
  });
});
