/**
 * 2,000 random command texts through the real Slack receiver: signed slash
 * command requests into Bolt's HTTP receiver, the bot's replies read back
 * from the acks and the response_url posts. None may get a 5xx, the
 * internal-error reply or an error-level log line, and the audit trail the
 * commands wrote must still verify.
 */
import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../../../src/actions/audit-cli.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { randomText } from '../../support/fuzz-text.js';
import { seeded } from '../../support/seeded.js';
import { slackBots } from '../../support/slack/bot.js';

const start = slackBots();
const COMMANDS = 2_000;
/** Requests in flight at once: Slack sends commands concurrently too. */
const PARALLEL = 4;

describe('Slack: random command texts', () => {
  it(`${COMMANDS.toLocaleString('en')} of them: no 5xx, no "something went wrong", no error log, and the audit trail verifies`, async () => {
    const s = await start({ env: { auditKey: TEST_AUDIT_KEY } });
    const random = seeded(4242);
    const texts = Array.from({ length: COMMANDS }, (_, i) => ({ command: i % 5 === 0 ? '/oncall' : '/incident', text: randomText(random) }));
    const failures: string[] = [];
    const answered: Array<{ name: string; trigger: string; ack: string; text: string }> = [];
    for (let i = 0; i < texts.length; i += PARALLEL) {
      await Promise.all(texts.slice(i, i + PARALLEL).map(async ({ command, text }) => {
        const { res, responseName, triggerId } = await s.slash(text, { command });
        answered.push({ name: responseName, trigger: triggerId, ack: res.text, text: `${command} ${text}` });
        if (res.status >= 500) failures.push(`${res.status} for ${JSON.stringify(text.slice(0, 80))}`);
        if (/something went wrong/i.test(res.text)) failures.push(`internal error in the ack for ${JSON.stringify(text.slice(0, 80))}`);
      }));
    }
    // Every command gets an answer: in its ack, posted to its response_url (after the ack), or a form opened.
    const replied = () => new Set(s.fake.responses.map((response) => response.name));
    const forms = () => new Set(s.fake.callsTo('views.open').map((call) => String(call.args.trigger_id)));
    const unanswered = () => {
      const [names, opened] = [replied(), forms()];
      return answered.filter((a) => a.ack.trim() === '' && !names.has(a.name) && !opened.has(a.trigger));
    };
    await s.fake.waitFor(() => unanswered().length === 0 || undefined, 30_000, 'an answer to every command').catch(() => undefined);
    expect(unanswered().map((a) => JSON.stringify(a.text.slice(0, 80)))).toEqual([]);
    await s.bot.runtime.settle();
    for (const response of s.fake.responses) {
      if (/something went wrong/i.test(JSON.stringify(response.body))) failures.push(`internal error on ${response.name}`);
    }
    expect(failures).toEqual([]);
    expect(s.errors()).toEqual([]);
    const report = await verifyAudit(s.bot.runtime.store, TEST_AUDIT_KEY);
    expect(report.ok, JSON.stringify(report)).toBe(true);
    // Some of the texts are real declares: the trail checked is not empty.
    expect(report.incidents).toBeGreaterThan(0);
  });
});
