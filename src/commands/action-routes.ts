import type { ActionCommands } from '../actions/commands.js';
import { DomainError } from '../errors.js';
import { runOf } from '../playbooks/runner.js';
import { completeStep } from '../playbooks/runner.js';
import type { Caller, DispatchDeps } from './dispatch.js';
import { normaliseIncidentId } from './parse-incident.js';
import { tokenize } from './tokenize.js';
import type { Reply } from './types.js';

/** The /incident words that belong to privileged actions. */
const ROUTES: Record<string, keyof ActionCommands> = {
  run: 'run',
  approve: 'approve',
  deny: 'deny',
  grants: 'grants',
  'break-glass': 'breakGlass',
  breakglass: 'breakGlass',
};

export function isActionCommand(args: string): boolean {
  const first = tokenize(args)[0]?.text.toLowerCase();
  return first !== undefined && first in ROUTES;
}

/**
 * Routes /incident run|approve|deny|grants|break-glass to the actions
 * subsystem. `run <step>` on an open action step of the playbook runs the
 * step's action with its parameters (words typed after it override them), and
 * the step is done once the action completed.
 */
export async function routeActionCommand(args: string, caller: Caller, deps: DispatchDeps): Promise<Reply> {
  const [first = '', ...rest] = args.trim().split(/\s+/);
  const commands = deps.actions;
  if (!commands) throw new DomainError('usage', deps.present.t('error.noActions'));
  const handler = commands[ROUTES[first.toLowerCase()] as keyof ActionCommands];
  const restText = args.trim().slice(first.length).trim();
  if (first.toLowerCase() !== 'run') return handler(restText, caller, deps);
  const step = await actionStepFor(rest, caller, deps);
  if (!step) return handler(restText, caller, deps);
  const reply = await handler(step.args, caller, deps);
  await completeIfRan(step, caller, deps);
  return reply;
}

interface StepRun {
  incident: string;
  step: string;
  action: string;
  args: string;
  since: number;
}

async function actionStepFor(words: string[], caller: Caller, deps: DispatchDeps): Promise<StepRun | undefined> {
  const named = words[0] ? normaliseIncidentId(words[0]) : undefined;
  const [target, ...overrides] = named ? words.slice(1) : words;
  const id = named ?? (await deps.store.findByRoom(caller.conversation));
  const incident = id ? await deps.store.get(id) : undefined;
  const run = incident ? runOf(incident) : undefined;
  const step = run?.definition.steps
    .flatMap((candidate) => (candidate.kind === 'parallel' ? candidate.steps : [candidate]))
    .find((candidate) => candidate.id === target);
  if (!incident || !run || !step || step.kind !== 'action' || run.steps[step.id]?.status !== 'open') return undefined;
  const params = Object.entries(step.params).map(([key, value]) => `${key}=${JSON.stringify(String(value))}`);
  return {
    incident: incident.id,
    step: step.id,
    action: step.action,
    args: [incident.id, step.action, ...params, ...overrides].join(' '),
    since: incident.head.seq,
  };
}

async function completeIfRan(step: StepRun, caller: Caller, deps: DispatchDeps): Promise<void> {
  const timeline = await deps.store.timeline(step.incident);
  const done = timeline.some((event) => event.seq > step.since && event.type === 'action.completed' && event.data.action === step.action && event.data.ok === true);
  if (!done) return;
  await deps.service.apply(step.incident, caller.name, (fx, ctx) => completeStep(ctx, fx, step.step, ['action']));
}
