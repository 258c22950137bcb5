import { afterEach, describe, expect, it } from 'vitest';
import type { MusterEnv } from '../../../src/config/env.js';
import { startSlackBot, StartupError, type RunningBot } from '../../../src/main.js';
import { FAKE_SLACK, FakeSlack } from '../../support/slack/fake-slack.js';
import { SIGNING_SECRET, recordingLogger, slackBots, slackConfig } from '../../support/slack/bot.js';
import { postEvent, postSigned } from '../../support/slack/signed.js';

const start = slackBots();

const fakes: FakeSlack[] = [];
const bots: RunningBot[] = [];
afterEach(async () => {
  while (bots.length > 0) await bots.pop()!.stop();
  while (fakes.length > 0) await fakes.pop()!.close();
});

function envFor(fake: FakeSlack, overrides: Partial<MusterEnv>): MusterEnv {
  return { logLevel: 'warn', logLevelSet: true, redisPrefix: 'muster:', port: 0, slackBotToken: FAKE_SLACK.botToken, slackApiUrl: fake.apiUrl, ...overrides };
}

describe('Slack: setting the app up', () => {
  it('answers the Events API url_verification challenge and Slack’s ssl_check on the Request URL', async () => {
    const s = await start();
    const challenge = await postEvent(s.url, SIGNING_SECRET, { token: 'fake-verification-token', challenge: 'c-123', type: 'url_verification' });
    expect(challenge.status).toBe(200);
    expect(challenge.json).toEqual({ challenge: 'c-123' });
    const ssl = await postSigned(s.url, SIGNING_SECRET, 'ssl_check=1&token=fake-verification-token', 'application/x-www-form-urlencoded');
    expect(ssl.status).toBe(200);
    expect(s.fake.calls.filter((call) => call.method !== 'auth.test')).toEqual([]);
  });

  it('a wrong bot token stops start-up with a StartupError, nothing left listening', async () => {
    const fake = await FakeSlack.start();
    fakes.push(fake);
    const attempt = startSlackBot({ env: envFor(fake, { slackBotToken: 'xoxb-wrong', slackSigningSecret: SIGNING_SECRET }), config: slackConfig(), logger: recordingLogger() });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toThrow(/Slack would not start: .*invalid_auth.*SLACK_BOT_TOKEN/s);
  });

  it('a wrong app token (Socket Mode) stops start-up with a StartupError instead of hanging', async () => {
    const fake = await FakeSlack.start();
    fakes.push(fake);
    const attempt = startSlackBot({ env: envFor(fake, { slackAppToken: 'xapp-wrong' }), config: slackConfig(), logger: recordingLogger() });
    const settled = await Promise.race([
      attempt.then(
        (bot) => {
          bots.push(bot);
          return 'started';
        },
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still starting'), 10_000)),
    ]);
    expect(settled).toBeInstanceOf(StartupError);
    expect(String(settled)).toContain('invalid_auth');
    expect(fake.socketConnectionCount).toBe(0);
  });

  it('Socket Mode needs no HTTP port and no signing secret', async () => {
    const s = await start({ socketMode: true });
    expect(s.bot.port).toBeUndefined();
    await s.fake.waitForSocketClient(10_000);
  });
});
