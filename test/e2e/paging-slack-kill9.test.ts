/**
 * Waking the tech lead on Slack with the real Redis (issue 14), the bot as its
 * own process in production mode (BullMQ timers and outbox), against local
 * fakes of Slack, Twilio and ntfy in this process. Minutes are seconds here:
 * push at once, the text at +2 s, the call at +8 s (ops: +6 s).
 *
 * The tech lead (pete) ignores chat and push and gets the text; the bot is
 * killed with SIGKILL between the text and the call and started again; the
 * call comes exactly once, never early and before the chain moves on to the
 * backup; pressing 1 (a signed Gather to the real route) staffs the slot.
 * Ops (sam) acknowledges in chat after his text: his call never comes.
 * test/e2e/paging-console.test.ts covers the same on the console with a
 * test clock; what is new here is Slack, Redis and the kill.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_CONFIG_YAML } from '../support/fixture.js';
import { fakeNtfy } from '../support/paging/fake-providers.js';
import { FakeTwilio } from '../support/paging/fake-twilio.js';
import { freePort } from '../support/redis-cluster.js';
import { cleanupPrefix, newPrefix, REDIS_URL, until } from '../support/redis.js';
import { FakeSlack } from '../support/slack/fake-slack.js';
import { postSlashCommand } from '../support/slack/signed.js';
import { kill9, startSlackProcess } from './slack-process.js';

const SECRET = 'paging-kill9-signing-secret';
const SID = `AC${'c3'.repeat(16)}`;
const AUTH = 'twilio-auth-token-for-the-slack-kill9-e2e';
const PUBLIC = 'https://muster.example.test';
const PHONE = { pete: '+4915100000002', sam: '+4915100000003' } as const;
const SMS_MS = 2_000;
const CALL_MS = { pete: 8_000, sam: 6_000 } as const;
/** The fixture's chain pages the backup 5 minutes after the primary: a call after that is not on time. */
const BACKUP_MS = 5 * 60_000;

const work = mkdtempSync(join(tmpdir(), 'muster-paging-kill9-'));
const redis = new Redis(REDIS_URL, { lazyConnect: true });

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  redis.disconnect();
});

function writeConfig(twilioUrl: string, ntfyUrl: string): string {
  const raw = parse(TEST_CONFIG_YAML) as { people: Record<string, Record<string, unknown>>; channels?: unknown; paging?: unknown };
  for (const [id, person] of Object.entries(raw.people)) person.slack = `U${id.toUpperCase()}`;
  for (const id of ['pete', 'sam'] as const) {
    Object.assign(raw.people[id]!, {
      phone: PHONE[id],
      ntfy: `${id}-pages`,
      notify: { P1: [{ after: '0s', via: ['chat', 'ntfy'] }, { after: `${SMS_MS / 1000}s`, via: ['sms'] }, { after: `${CALL_MS[id] / 1000}s`, via: ['voice'] }] },
    });
  }
  raw.channels = { broadcast: 'CINCIDENTS' };
  raw.paging = { twilio: { accountSid: SID, from: '+15005550006', baseUrl: twilioUrl }, ntfy: { baseUrl: ntfyUrl } };
  const file = join(work, 'muster.yaml');
  writeFileSync(file, stringify(raw));
  return file;
}

interface SlotDoc {
  role: string;
  state: string;
  ackedBy?: string;
  pages: Array<{ person: string; at: number; sent?: Array<{ kind: string; state: string }> }>;
}

async function slots(prefix: string): Promise<SlotDoc[]> {
  const doc = await redis.hget(`${prefix}incident:INC-1`, 'doc');
  return doc ? (JSON.parse(doc) as { slots: SlotDoc[] }).slots : [];
}

const slot = async (prefix: string, role: string) => (await slots(prefix)).find((candidate) => candidate.role === role);

describe('Slack, real Redis: the tech lead is texted, the bot is killed, the call comes once and 1 staffs the slot', () => {
  it('text at +2 s, kill -9, the call at +8 s exactly once, press 1; ops acked in chat is never called', async () => {
    const prefix = newPrefix();
    const fake = await FakeSlack.start();
    fake.addChannel('ops', { id: 'COPS', members: ['UALICE', 'USAM'] });
    fake.addChannel('incidents', { id: 'CINCIDENTS' });
    const twilio = await new FakeTwilio(SID, AUTH).start();
    const ntfy = await fakeNtfy().start();
    const [port, httpPort] = [await freePort(), await freePort()];
    const options = {
      configFile: writeConfig(twilio.url, ntfy.url), prefix, port, apiUrl: fake.apiUrl, signingSecret: SECRET,
      env: { MUSTER_HTTP_PORT: String(httpPort), MUSTER_PUBLIC_URL: PUBLIC, MUSTER_PAGING_KEY: 'k'.repeat(40), TWILIO_AUTH_TOKEN: AUTH },
    };
    const slash = (user: string, text: string, name: string) =>
      postSlashCommand(`http://127.0.0.1:${port}/slack/events`, SECRET, { command: '/incident', text, user_id: user, channel_id: 'COPS', response_url: fake.responseUrl(name), trigger_id: name });
    const to = (path: string, phone: string) => twilio.requests.filter((r) => r.path.endsWith(path) && new URLSearchParams(r.body).get('To') === phone);
    let bot: ChildProcess | undefined;
    try {
      bot = await startSlackProcess(options);
      expect((await slash('UALICE', 'declare Checkout failing sev=P1 service=checkout', 'declare')).status).toBe(200);

      // Push at once, then the texts; neither person answers them.
      await until(() => ['pete-pages', 'sam-pages'].every((topic) => ntfy.requests.some((r) => JSON.parse(r.body).topic === topic)), 'both pushes');
      const pagedAt = { pete: (await slot(prefix, 'tech'))!.pages[0]!.at, sam: (await slot(prefix, 'ops'))!.pages[0]!.at };
      await until(() => to('/Messages.json', PHONE.pete).length > 0 && to('/Messages.json', PHONE.sam).length > 0, 'both texts');
      for (const id of ['pete', 'sam'] as const) expect(to('/Messages.json', PHONE[id])[0]!.at).toBeGreaterThanOrEqual(pagedAt[id] + SMS_MS);

      // Ops acknowledges in chat before his call.
      expect((await slash('USAM', 'ack INC-1', 'ack')).status).toBe(200);
      await until(async () => (await slot(prefix, 'ops'))?.ackedBy === 'sam', 'ops acked by sam');

      // Killed once the tech lead's text is on the record, before his call.
      await until(async () => (await slot(prefix, 'tech'))?.pages[0]?.sent?.some((sent) => sent.kind === 'sms'), 'the text on the record');
      await kill9(bot);
      expect(to('/Calls.json', PHONE.pete)).toHaveLength(0);
      bot = await startSlackProcess(options);

      const [call] = await until(() => (to('/Calls.json', PHONE.pete).length > 0 ? to('/Calls.json', PHONE.pete) : undefined), 'the call after the restart', { timeoutMs: 60_000 });
      expect(call!.at).toBeGreaterThanOrEqual(pagedAt.pete + CALL_MS.pete);
      expect(call!.at).toBeLessThan(pagedAt.pete + BACKUP_MS);
      const twiml = new URLSearchParams(call!.body).get('Twiml') ?? '';
      expect(twiml).toContain('You are paged as');
      const action = /action="([^"]+)"/.exec(twiml)![1]!.replace(/&amp;/g, '&');
      const pressed = await twilio.callBot(action, `http://127.0.0.1:${httpPort}${action.slice(PUBLIC.length)}`, { CallSid: `CA${'1'.repeat(32)}`, Digits: '1', From: PHONE.pete });
      expect(pressed.status).toBe(200);
      expect(pressed.text).toContain('Acknowledged');
      await until(async () => (await slot(prefix, 'tech'))?.ackedBy === 'pete', 'tech acked by pete');
      // The kill may land inside a board draw: its lease (10 s, renewed while drawing; src/delivery/delivery.ts) outlives the dead holder, so the board can lag that long.
      await until(() => fake.callsTo('chat.update').some((update) => /Pete[^"]*acked/.test(JSON.stringify(update.args))), 'the board showing pete acked', { timeoutMs: 25_000 });

      // Everything committed went out; nothing was doubled, and the acked ops lead was never called.
      await until(async () => (await redis.hlen(`${prefix}outbox:pending`)) === 0, 'the outbox to drain', { timeoutMs: 30_000 });
      expect(to('/Calls.json', PHONE.pete)).toHaveLength(1);
      expect(to('/Calls.json', PHONE.sam)).toHaveLength(0);
      expect(to('/Messages.json', PHONE.pete)).toHaveLength(1);
      expect(to('/Messages.json', PHONE.sam)).toHaveLength(1);
    } finally {
      if (bot) await kill9(bot);
      await fake.close();
      await twilio.close();
      await ntfy.close();
      await cleanupPrefix(prefix);
    }
  }, 120_000);
});
