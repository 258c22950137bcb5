/** Shared by the actions tests: a config with actions, a recording executor and direct handler calls. */
import { InProcessOutbox } from '../../adapters/memory/outbox.js';
import { InProcessScheduler } from '../../adapters/memory/scheduler.js';
import { MemoryStore } from '../../adapters/memory/store.js';
import { ACTION_HANDLERS, type ActionCommand } from '../../src/commands/actions.js';
import { spokenTo } from '../../src/commands/dispatch.js';
import type { ActionContext, ActionExecutor, ActionExecutors, ActionOutcome } from '../../src/actions/ports.js';
import type { Incident } from '../../src/incidents/types.js';
import type { NamedAction } from '../../src/actions/schema.js';
import type { ActionParams } from '../../src/actions/types.js';
import { Muster } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import type { Caller } from '../../src/kernel/caller.js';
import type { CommandDeps } from '../../src/commands/deps.js';
import type { MusterConfig } from '../../src/config/schema.js';
import type { TimelineEvent } from '../../src/incidents/types.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import type { IncidentStore } from '../../src/ports.js';
import { FakeChat, testConfig } from '../support/fixture.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

export const ACTIONS = {
  allowedPrograms: ['/bin/echo'],
  catalog: {
    failover: {
      title: 'Fail the database over',
      executor: { kind: 'http', url: 'http://127.0.0.1:9/failover', secretEnv: 'TEST_FAILOVER_SECRET' },
      params: { cluster: { type: 'enum', values: ['orders', 'payments'] } },
      policy: { delegate: { roles: ['ops', 'commander'], severities: ['P1'], ttl: '1h' }, breakGlass: true },
    },
    rollback: {
      title: 'Roll back a release',
      executor: { kind: 'exec', program: '/bin/echo', args: ['--service', '{service}'] },
      params: { service: { type: 'string', pattern: '[a-z-]+' } },
      policy: { approval: { approvers: 1, teams: ['sre'], people: ['dora'] } },
    },
    purge: {
      title: 'Purge the CDN',
      executor: { kind: 'http', url: 'http://127.0.0.1:9/purge', secretEnv: 'TEST_PURGE_SECRET', idempotent: true },
      policy: { approval: { approvers: 2, expires: '10m' } },
    },
    nuke: {
      title: 'Delete everything',
      executor: { kind: 'http', url: 'http://127.0.0.1:9/nuke', secretEnv: 'TEST_NUKE_SECRET' },
    },
  },
};

export function actionsConfig(extra: (raw: Record<string, unknown>) => void = () => {}): MusterConfig {
  return testConfig((raw) => {
    raw.actions = structuredClone(ACTIONS);
    raw.audiences = { security: { kind: 'chat', conversation: 'console:#security', severities: ['P1'], events: ['declared'] } };
    extra(raw);
  });
}

/** Records every call and what the timeline held at that moment (audit before act). */
export class RecordingExecutor implements ActionExecutor {
  readonly calls: Array<{ action: string; params: ActionParams; context: ActionContext; timelineTypes: string[] }> = [];
  outcome: ActionOutcome = { ok: true, status: 200, output: 'done', durationMs: 5 };

  constructor(private readonly store?: IncidentStore) {}

  async run(action: NamedAction, params: ActionParams, context: ActionContext): Promise<ActionOutcome> {
    const timeline = this.store ? await this.store.timeline(context.incident) : [];
    this.calls.push({ action: action.name, params, context, timelineTypes: timeline.map((e) => e.type) });
    return this.outcome;
  }
}

export interface ActionHarness {
  clock: ManualClock;
  store: MemoryStore;
  chat: FakeChat;
  muster: Muster;
  events: TimelineEvent[];
  executor: RecordingExecutor;
  commands: typeof ACTION_HANDLERS;
  say(person: string, text: string, conversation?: string): ReturnType<Muster['dispatch']>;
  act(person: string, command: ActionCommand, args: string, conversation?: string): ReturnType<(typeof ACTION_HANDLERS)['run']>;
  advance(ms: number): Promise<void>;
  deps: CommandDeps;
  ofType(type: TimelineEvent['type']): Promise<TimelineEvent[]>;
}

export async function actionHarness(options: { config?: MusterConfig; logger?: Logger; runtime?: { executors?: ActionExecutors; dryRun?: (incident: Incident, action: string) => boolean } } = {}): Promise<ActionHarness> {
  const config = options.config ?? actionsConfig();
  const logger = options.logger ?? silentLogger;
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
  const store = new MemoryStore(() => clock.now());
  const scheduler = new InProcessScheduler(clock, { realTime: false });
  const outbox = new InProcessOutbox({ attempts: 3, baseDelayMs: 1 });
  const chat = new FakeChat();
  const executor = new RecordingExecutor(store);
  const executors = options.runtime?.executors ?? { http: executor, exec: executor };
  const dryRun = options.runtime?.dryRun;
  const muster = new Muster({ auditKey: TEST_AUDIT_KEY, config, store, scheduler, outbox, chat, clock, logger, executors, ...(dryRun ? { dryRun } : {}) });
  const events: TimelineEvent[] = [];
  muster.onEvent((event) => events.push(event));
  await muster.start({ watchdog: false });
  const commands = ACTION_HANDLERS;
  const deps = muster.commandDeps;
  let request = 0;
  const say = async (person: string, text: string, conversation = 'console:#general') => {
    const [, name = '', args = ''] = /^\/(\w+)\s*(.*)$/s.exec(text) ?? [];
    request += 1;
    const reply = await muster.dispatch({ name, args, actor: `console:${person}`, conversation, requestId: `r${request}` });
    await outbox.idle();
    return reply;
  };
  const act = async (person: string, command: ActionCommand, args: string, conversation = 'console:#general') => {
    const caller: Caller = { ref: `console:${person}`, name: person, conversation, ...(config.people[person] ? { person } : {}) };
    // As dispatch hands it over: the presenter speaks to the caller.
    const reply = await commands[command](args, caller, spokenTo(caller, deps));
    await outbox.idle();
    return reply;
  };
  const advance = async (ms: number) => {
    clock.advance(ms);
    await scheduler.runDue();
    await outbox.idle();
  };
  const ofType = async (type: TimelineEvent['type']) => (await store.timeline('INC-1')).filter((e) => e.type === type);
  return { clock, store, chat, muster, events, executor, commands, say, act, advance, deps, ofType };
}
