/**
 * First pages against Slack's documented rate limits (#12): the real bot in
 * production mode (startSlackBot, RedisStore, BullMQ) and FakeSlack enforcing
 * Tier 2 on conversations.create and conversations.invite (about 20 a minute)
 * and about one chat.postMessage a second per channel. 50 P1s are declared at
 * once, each on its own service, so each pages its own tech lead beside the
 * four shared role holders. A sample is, for each responder, the time from
 * the batch's start until their first page DM reached the fake: with 50
 * rooms to make at 20 a minute, a page that waited for its room would take
 * minutes. The floor is the same DM posted by a plain Web API call at once.
 */
import { parse } from 'yaml';
import type { MusterEnv } from '../src/config/env.js';
import { musterConfigSchema, type MusterConfig } from '../src/config/schema.js';
import { startSlackBot } from '../src/main.js';
import { randomAuditKey } from '../src/audit/key.js';
import { FAKE_SLACK, FakeSlack, type RecordedCall } from '../test/support/slack/fake-slack.js';
import { postSlashCommand } from '../test/support/slack/signed.js';
import { benchSlackConfigYaml, slackId } from './config.js';
import { REDIS_URL } from './redis.js';
import { CountingLogger, sleep } from './stats.js';

const SIGNING_SECRET = 'bench-tier-secret';
const OPS_CHANNEL = 'COPS';
const BROADCAST_CHANNEL = 'CINCIDENTS';

/** The bench org plus one service (and a one-person team) per declare. */
function tieredConfig(declares: number): MusterConfig {
  const raw = parse(benchSlackConfigYaml(BROADCAST_CHANNEL)) as {
    people: Record<string, { name: string; slack?: string }>;
    teams: Record<string, unknown>;
    services: Record<string, unknown>;
  };
  for (let i = 0; i < declares; i += 1) {
    raw.people[`tech${i}`] = { name: `Tech ${i}` };
    raw.teams[`svc${i}`] = { manager: 'mona', rotation: { primary: [`tech${i}`], start: '2026-01-05' } };
    raw.services[`svc${i}`] = { team: `svc${i}` };
  }
  for (const [id, person] of Object.entries(raw.people)) person.slack = slackId(id);
  return musterConfigSchema.parse(raw);
}

function isPage(call: RecordedCall): boolean {
  return call.method === 'chat.postMessage' && call.response?.ok === true && JSON.stringify(call.args.blocks ?? '').includes('/incident ack');
}

export interface TierResults {
  /** Per responder: batch start -> first page DM at the fake, ms. */
  firstPages: number[];
  /** Batch start -> the last war room created, ms (informational). */
  lastRoomMs: number;
  /** Calls the fake answered 429. */
  limited: number;
  /** The floor: the same DMs as plain Web API calls, all at once, ms each. */
  floor: number[];
}

export async function firstPagesUnderTierLimits(prefix: string, declares: number): Promise<TierResults> {
  const fake = await FakeSlack.start({ tierLimits: true });
  fake.addChannel('ops', { id: OPS_CHANNEL, members: [slackId('alice')] });
  fake.addChannel('incidents', { id: BROADCAST_CHANNEL });
  const env: MusterEnv = {
    logLevel: 'error', logLevelSet: true, redisPrefix: prefix, redisUrl: REDIS_URL, auditKey: randomAuditKey(), port: 0,
    slackBotToken: FAKE_SLACK.botToken, slackSigningSecret: SIGNING_SECRET, slackApiUrl: fake.apiUrl,
  };
  const bot = await startSlackBot({ env, config: tieredConfig(declares), logger: new CountingLogger('slack-tiers') });
  try {
    const url = `http://127.0.0.1:${bot.port}/slack/events`;
    const startedAt = Date.now();
    await Promise.all(
      Array.from({ length: declares }, (_, i) =>
        postSlashCommand(url, SIGNING_SECRET, {
          command: '/incident', text: `declare Tier ${i} is failing sev=P1 service=svc${i}`, user_id: slackId('alice'),
          channel_id: OPS_CHANNEL, response_url: fake.responseUrl(`tier-${i}`), trigger_id: `tier-${i}-${startedAt}`,
        }),
      ),
    );
    const responders = new Set([...Array.from({ length: declares }, (_, i) => slackId(`tech${i}`)), ...['cara', 'sam', 'pia', 'cody'].map(slackId)]);
    const first = new Map<string, number>();
    const until = Date.now() + 120_000;
    while (first.size < responders.size && Date.now() < until) {
      for (const call of fake.calls) {
        if (!isPage(call)) continue;
        const user = fake.channel(String(call.args.channel))?.members;
        const person = [...(user ?? [])].find((member) => responders.has(member) && member !== FAKE_SLACK.botUserId);
        if (person && !first.has(person)) first.set(person, call.at - startedAt);
      }
      await sleep(20);
    }
    const rooms = fake.calls.filter((call) => call.method === 'conversations.create' && call.response?.ok === true);
    const lastRoomMs = rooms.length > 0 ? Math.max(...rooms.map((call) => call.at)) - startedAt : Number.NaN;
    const limited = fake.calls.filter((call) => call.httpStatus === 429).length;
    const floor = await floorDms(fake, [...responders].map((_, i) => `UFLOOR${i}`));
    return { firstPages: [...first.values()], lastRoomMs, limited, floor };
  } finally {
    await bot.stop();
    await fake.close();
  }
}

/** As many DMs as there were responders, as plain chat.postMessage calls all at once, to fresh users (no limit is hit). */
async function floorDms(fake: FakeSlack, users: string[]): Promise<number[]> {
  return Promise.all(
    users.map(async (user) => {
      const channel = fake.dmWith(user);
      const started = Date.now();
      await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FAKE_SLACK.botToken}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ channel, text: 'floor' }),
      });
      return Date.now() - started;
    }),
  );
}
