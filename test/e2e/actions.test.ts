/**
 * Privileged actions end to end on the whole bot (memory adapters) with the
 * real executors: until src/commands routes `/incident run|approve|deny|grants|break-glass`
 * (wired by the maintainer), a tiny router in front of dispatch plays that part.
 */
import { createHmac } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecExecutor } from '../../adapters/executors/exec.js';
import { HttpExecutor } from '../../adapters/executors/http.js';
import { ACTION_HANDLERS, type ActionCommand } from '../../src/commands/actions.js';
import { verifyAudit } from '../../src/actions/audit-cli.js';
import { actionSecrets } from '../../src/config/action-secrets.js';
import { isDomainError } from '../../src/errors.js';
import { spokenTo } from '../../src/commands/dispatch.js';
import { actionHarness, actionsConfig } from '../unit/actions-support.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const ROUTES: Record<string, ActionCommand> = { run: 'run', approve: 'approve', deny: 'deny', grants: 'grants', 'break-glass': 'breakGlass' };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'muster-e2e-'));
  const program = join(dir, 'rollback.js');
  await writeFile(program, `#!${process.execPath}\nprocess.stdout.write('rolled back: ' + JSON.stringify(process.argv.slice(2)))\n`);
  await chmod(program, 0o755);
  const secret = 'e2e-failover-secret';
  const verified: boolean[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const expected = `sha256=${createHmac('sha256', secret).update(`${String(req.headers['x-muster-timestamp'])}.${body}`).digest('hex')}`;
      verified.push(req.headers['x-muster-signature'] === expected);
      res.statusCode = req.headers['x-muster-signature'] === expected ? 202 : 401;
      res.end('failover accepted');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  cleanups.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  const config = actionsConfig((raw) => {
    const actions = raw.actions as { allowedPrograms: string[]; catalog: Record<string, { executor: Record<string, unknown> }> };
    actions.allowedPrograms = [program];
    actions.catalog.failover!.executor.url = `http://127.0.0.1:${port}/failover`;
    actions.catalog.rollback!.executor.program = program;
  });
  const { secrets } = actionSecrets(config.actions, { TEST_FAILOVER_SECRET: secret });
  const h = await actionHarness({
    config,
    runtime: { executors: { http: new HttpExecutor({ secrets }), exec: new ExecExecutor({ allowedPrograms: config.actions.allowedPrograms }) } },
  });
  const commands = ACTION_HANDLERS;
  /** `say`, with the actions subcommands routed to their handlers and errors answered like dispatch does. */
  const say = async (person: string, text: string, conversation = 'console:#general') => {
    const match = /^\/incident\s+(run|approve|deny|grants|break-glass)\b\s*(.*)$/s.exec(text);
    if (!match) return h.say(person, text, conversation);
    const caller = { ref: `console:${person}`, name: person, conversation, ...(config.people[person] ? { person } : {}) };
    try {
      return await commands[ROUTES[match[1]!]!](match[2] ?? '', caller, spokenTo(caller, h.deps));
    } catch (error) {
      if (isDomainError(error)) return { visibility: 'ephemeral' as const, message: { text: error.message } };
      throw error;
    }
  };
  return { h, say, verified };
}

describe('privileged actions, end to end', () => {
  it('a P1: the staffed ops lead fails over by grant (signed HTTP), a rollback needs and gets a second person (exec, no shell)', async () => {
    const { h, say, verified } = await setup();
    await say('alice', '/incident declare Orders database down sev=P1 service=checkout');
    const room = 'test:#inc-1-orders-database-down';
    await say('sam', '/incident ack');
    // The duration is real time (an HTTP executor): under load it may read 0:01.
    expect((await say('sam', '/incident run failover cluster=orders', room)).message.text).toMatch(/^RUN-1: failover on INC-1 completed \(202, 0:0\d\)\.$/);
    expect(verified).toEqual([true]);

    const requested = await say('pete', '/incident run rollback service=checkout', room);
    expect(requested.message.text).toContain('Approval requested as REQ-1 from Dora Duty, Sam SRE, Sid SRE, Mona Manager');
    const buttons = h.chat.delivered.find((d) => d.message.buttons?.some((b) => b.command.includes('REQ-1')))?.message.buttons;
    expect(buttons?.map((b) => b.command)).toEqual(['/incident approve INC-1 REQ-1', '/incident deny INC-1 REQ-1']);
    expect((await say('pete', buttons![0]!.command, room)).message.text).toContain('cannot approve your own request');
    expect((await say('sid', buttons![0]!.command, room)).message.text).toContain('RUN-2: rollback on INC-1 completed (0');
    const completed = h.events.filter((e) => e.type === 'action.completed').map((e) => e.data.output);
    expect(completed).toEqual(['failover accepted', 'rolled back: ["--service","checkout"]']);

    const texts = h.chat.delivered.filter((d) => d.to.kind === 'room' && d.to.conversation === room).map((d) => d.message.text);
    expect(texts).toEqual(expect.arrayContaining([
      'RUN-1: Sam SRE is running failover with cluster=orders (delegation grant as ops).',
      expect.stringMatching(/^RUN-1: failover completed \(202, 0:0\d\)\.$/),
      'RUN-2: Pete Payments is running rollback with service=checkout (approved by Sid SRE).',
    ]));
    expect((await say('cara', '/incident grants', room)).message.fields?.[0]).toMatchObject({ label: 'Sam SRE', value: 'failover as ops, until 11:00:00 CET' });
    expect(await verifyAudit(h.store, TEST_AUDIT_KEY)).toMatchObject({ ok: true });
  });
});
