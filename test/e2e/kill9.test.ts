/**
 * kill -9 at random moments in the first second after Slack's ack (#12): the
 * real bot as its own process in production mode (real Redis, BullMQ) against
 * the fake Slack in this process. After each kill the bot is started again;
 * every trial must end with the incident, every first page exactly once, and
 * the war room opened once. The moment of each kill comes from a seeded
 * generator (half of them inside the first 100 ms, while the first pages are
 * still on their way), so a failing trial can be replayed.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { kill9, startSlackProcess } from './slack-process.js';
import { TEST_CONFIG_YAML } from '../support/fixture.js';
import { cleanupPrefix, newPrefix, REDIS_URL, sleep, until } from '../support/redis.js';
import { FakeSlack } from '../support/slack/fake-slack.js';
import { postSlashCommand } from '../support/slack/signed.js';
import { seeded } from '../support/seeded.js';
import { freePort } from '../support/redis-cluster.js';

const TRIALS = 20;
/** Every first page is out this soon after the restart: the send claim (10 s) plus room for a loaded machine. */
const RESTART_PAGES_WITHIN_MS = 20_000;
const SECRET = 'kill9-signing-secret';
const RESPONDERS = ['UCARA', 'UPETE', 'USAM', 'UPIA', 'UCODY'];
const ROOM = 'inc-1-checkout-failing';

const work = mkdtempSync(join(tmpdir(), 'muster-kill9-'));
const configFile = join(work, 'muster.yaml');
const raw = parse(TEST_CONFIG_YAML) as { people: Record<string, { slack?: string }>; channels?: unknown };
for (const [id, person] of Object.entries(raw.people)) person.slack = `U${id.toUpperCase()}`;
raw.channels = { broadcast: 'CINCIDENTS' };
writeFileSync(configFile, stringify(raw));

const redis = new Redis(REDIS_URL, { lazyConnect: true });

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  redis.disconnect();
});



/** Starts the bot from the sources and resolves once it logs that Slack requests are served. */
const startBot = (fake: FakeSlack, prefix: string, port: number): Promise<ChildProcess> =>
  startSlackProcess({ configFile, prefix, port, apiUrl: fake.apiUrl, signingSecret: SECRET });

/** Pages (DMs with the Acknowledge button) each responder got, by Slack user. */
function pagesByUser(fake: FakeSlack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of fake.messages) {
    if (!JSON.stringify(message.blocks ?? '').includes('/incident ack INC-1')) continue;
    const channel = fake.channel(message.channel);
    const user = [...(channel?.members ?? [])].find((member) => RESPONDERS.includes(member));
    if (user) counts.set(user, (counts.get(user) ?? 0) + 1);
  }
  return counts;
}

describe('kill -9 between the platform making the war room and the commit that records it', () => {
  it('the restarted bot adopts the room the dead one made instead of opening a second', async () => {
    const prefix = newPrefix();
    const fake = await FakeSlack.start();
    fake.addChannel('ops', { id: 'COPS', members: ['UALICE'] });
    fake.addChannel('incidents', { id: 'CINCIDENTS' });
    // The room is made, then its topic hangs: the bot dies inside the room's attempt.
    fake.delayNext('conversations.setTopic', 30_000);
    const port = await freePort();
    let bot: ChildProcess | undefined;
    try {
      bot = await startBot(fake, prefix, port);
      await postSlashCommand(`http://127.0.0.1:${port}/slack/events`, SECRET, {
        command: '/incident', text: 'declare Checkout failing sev=P1 service=checkout', user_id: 'UALICE',
        channel_id: 'COPS', response_url: fake.responseUrl('declare'), trigger_id: 'kill9-room',
      });
      await until(() => fake.callsTo('conversations.setTopic').length > 0, 'the room made and its topic asked for', { timeoutMs: 30_000 });
      await kill9(bot);
      bot = await startBot(fake, prefix, port);
      await until(async () => {
        const doc = await redis.hget(`${prefix}incident:INC-1`, 'doc');
        return doc !== null && !(JSON.parse(doc) as { room: string }).room.startsWith('pending:');
      }, 'the restarted bot to record the war room', { timeoutMs: 60_000 });
      const rooms = [...fake.channels.values()].filter((channel) => channel.name.startsWith('inc-1'));
      expect(rooms.map((channel) => channel.name)).toEqual([ROOM]);
      const doc = JSON.parse((await redis.hget(`${prefix}incident:INC-1`, 'doc'))!) as { room: string };
      expect(doc.room).toBe(`slack:${rooms[0]!.id}`);
    } finally {
      if (bot) await kill9(bot);
      await fake.close();
      await cleanupPrefix(prefix);
    }
  }, 120_000);
});

describe('kill -9 in the first second after Slack acknowledged a declare', () => {
  const random = seeded(912);

  for (let trial = 1; trial <= TRIALS; trial += 1) {
    // Half the trials inside the first 100 ms, where the pages are still on their way to Slack.
    const killAfterMs = Math.floor(random() * (trial % 2 === 1 ? 100 : 1000));
    it(`trial ${trial}: killed ${killAfterMs} ms after the ack, the restarted bot finishes the muster once`, async () => {
      const prefix = newPrefix();
      const fake = await FakeSlack.start();
      fake.addChannel('ops', { id: 'COPS', members: ['UALICE'] });
      fake.addChannel('incidents', { id: 'CINCIDENTS' });
      const port = await freePort();
      let bot: ChildProcess | undefined;
      try {
        bot = await startBot(fake, prefix, port);
        const res = await postSlashCommand(`http://127.0.0.1:${port}/slack/events`, SECRET, {
          command: '/incident', text: 'declare Checkout failing sev=P1 service=checkout', user_id: 'UALICE',
          channel_id: 'COPS', response_url: fake.responseUrl('declare'), trigger_id: `kill9-${trial}`,
        });
        expect(res.status).toBe(200);
        await sleep(killAfterMs);
        await kill9(bot);
        bot = await startBot(fake, prefix, port);
        const restarted = Date.now();
        await until(() => RESPONDERS.every((user) => (pagesByUser(fake).get(user) ?? 0) >= 1), 'every responder paged after the restart', { timeoutMs: 60_000 });
        // A dead worker's send claims lapse within seconds (10 s, src/delivery/delivery.ts), so its pages go out soon after the restart.
        expect(Date.now() - restarted).toBeLessThan(RESTART_PAGES_WITHIN_MS);
        const room = await until(() => [...fake.channels.values()].find((channel) => channel.name.startsWith(ROOM)), 'the war room', { timeoutMs: 60_000 });
        await until(() => fake.messages.some((message) => message.channel === room.id && String(message.text ?? '').includes('declared by')), 'the room greeting', { timeoutMs: 60_000 });
        // Every committed message delivered (sends happen before their mark), then nothing was doubled.
        await until(async () => (await redis.hlen(`${prefix}outbox:pending`)) === 0, 'the outbox to drain', { timeoutMs: 60_000 });
        expect(Object.fromEntries(pagesByUser(fake))).toEqual(Object.fromEntries(RESPONDERS.map((user) => [user, 1])));
        expect([...fake.channels.values()].filter((channel) => channel.name.startsWith('inc-1'))).toHaveLength(1);
      } finally {
        if (bot) await kill9(bot);
        await fake.close();
        await cleanupPrefix(prefix);
      }
    }, 120_000);
  }
});
