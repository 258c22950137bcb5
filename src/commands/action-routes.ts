import { ACTION_HANDLERS, type ActionCommand } from './actions.js';
import { DomainError } from '../errors.js';
import { runOf } from '../playbooks/run-state.js';
import { completeStep } from '../playbooks/runner.js';
import type { Caller } from '../kernel/caller.js';
import type { CommandDeps } from './deps.js';
import { normaliseIncidentId } from './parse-incident.js';
import { tokenize } from './tokenize.js';
import { quote } from '../kernel/form-args.js';
import type { Reply } from '../kernel/request.js';

/** The /incident words that belong to privileged actions. */
const ROUTES: Record<string, ActionCommand> = {
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
export async function routeActionCommand(args: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const trimmed = args.trim();
  const first = trimmed.split(/\s+/, 1)[0] ?? '';
  if (Object.keys(deps.config.actions.catalog).length === 0) throw new DomainError('usage', deps.present.t('error.noActions'));
  const handler = ACTION_HANDLERS[ROUTES[first.toLowerCase()] as ActionCommand];
  const rest = trimmed.slice(first.length).trim();
  const step = first.toLowerCase() === 'run' ? await actionStepFor(rest, caller, deps) : undefined;
  const reply = await handler(step ? step.args : rest, caller, deps);
  await closeCompletedActionSteps(deps, caller, step?.incident ?? (await incidentOf(rest, caller, deps)));
  return reply;
}

async function incidentOf(rest: string, caller: Caller, deps: CommandDeps): Promise<string | undefined> {
  const named = normaliseIncidentId(rest.split(/\s+/, 1)[0] ?? '');
  return named ?? (await deps.store.findByRoom(caller.conversation));
}

interface StepRun {
  incident: string;
  args: string;
}

/** `run [INC-n] <step> [overrides…]` on an open action step: the step's action with its params, overrides typed last. */
async function actionStepFor(rest: string, caller: Caller, deps: CommandDeps): Promise<StepRun | undefined> {
  const tokens = tokenize(rest);
  const named = tokens[0] ? normaliseIncidentId(tokens[0].text) : undefined;
  const target = (named ? tokens[1] : tokens[0])?.text;
  const id = named ?? (await deps.store.findByRoom(caller.conversation));
  const incident = id ? await deps.store.get(id) : undefined;
  const run = incident ? runOf(incident) : undefined;
  const step = run?.definition.steps
    .flatMap((candidate) => (candidate.kind === 'parallel' ? candidate.steps : [candidate]))
    .find((candidate) => candidate.id === target);
  if (!incident || !run || !target || !step || step.kind !== 'action' || run.steps[step.id]?.status !== 'open') return undefined;
  const params = Object.entries(step.params).map(([key, value]) => `${key}=${quote(String(value))}`);
  const overrides = rest.slice(rest.indexOf(target) + target.length).trim();
  return { incident: incident.id, args: [incident.id, step.action, ...params, overrides].filter(Boolean).join(' ') };
}

/**
 * An action step is done once its action has completed since the step
 * opened, however it got there: run by a grant, approved later, or
 * break-glass.
 */
async function closeCompletedActionSteps(deps: CommandDeps, caller: Caller, incidentId: string | undefined): Promise<void> {
  if (!incidentId) return;
  const incident = await deps.store.get(incidentId);
  const run = incident ? runOf(incident) : undefined;
  if (!incident || !run) return;
  const open = run.definition.steps
    .flatMap((candidate) => (candidate.kind === 'parallel' ? candidate.steps : [candidate]))
    .filter((step) => step.kind === 'action' && run.steps[step.id]?.status === 'open');
  if (open.length === 0) return;
  const completed = (await deps.store.timeline(incidentId)).filter((event) => event.type === 'action.completed' && event.data.ok === true);
  for (const step of open) {
    const openedAt = run.steps[step.id]?.openedAt ?? 0;
    const action = step.kind === 'action' ? step.action : '';
    if (!completed.some((event) => event.data.action === action && event.at >= openedAt)) continue;
    await deps.incidents.apply(incidentId, caller.name, (fx, ctx) => completeStep(ctx, fx, step.id, ['action']));
  }
}
