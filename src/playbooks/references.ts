import type { MusterConfig } from '../config/schema.js';
import { parseParams } from '../actions/params.js';
import type { ActionConfig } from '../actions/schema.js';

type Path = Array<string | number>;
interface Problem {
  path: Path;
  message: string;
  hint: string;
}
type Loose = Record<string, unknown>;

const asArray = (value: unknown): Loose[] => (Array.isArray(value) ? (value as Loose[]) : []);

/** Every step with its YAML path, parallel children included. */
function stepsWithPaths(playbook: Loose): Array<{ step: Loose; path: Path }> {
  return asArray(playbook.steps).flatMap((step, index) => [
    { step, path: ['steps', index] },
    ...asArray(step.steps).map((child, childIndex) => ({ step: child, path: ['steps', index, 'steps', childIndex] })),
  ]);
}

function checkIds(all: Array<{ step: Loose; path: Path }>, out: Problem[]): void {
  const seen = new Set<string>();
  for (const { step, path } of all) {
    const id = String(step.id ?? '');
    if (seen.has(id)) out.push({ path: [...path, 'id'], message: `step id "${id}" is used twice`, hint: 'give every step its own id' });
    seen.add(id);
  }
}

function checkTargets(playbook: Loose, out: Problem[]): void {
  const top = asArray(playbook.steps);
  const ids = top.map((step) => String(step.id));
  top.forEach((step, index) => {
    for (const field of ['next', 'yes', 'no'] as const) {
      const target = step[field];
      if (target === undefined || target === 'end') continue;
      const at = ids.indexOf(String(target));
      if (at < 0) {
        out.push({ path: ['steps', index, field], message: `step "${String(step.id)}" points at a missing step "${String(target)}"`, hint: `use one of: ${ids.join(', ')}, or end` });
      } else if (at <= index) {
        out.push({ path: ['steps', index, field], message: `step "${String(step.id)}" jumps back to "${String(target)}", which makes a cycle`, hint: 'point only at later steps; repeat work with a new step' });
      }
    }
  });
}

function checkRolesAndActions(config: MusterConfig, all: Array<{ step: Loose; path: Path }>, out: Problem[]): void {
  const roles = Object.keys(config.roles);
  const actionTable: Loose = config.actions.catalog;
  const audiences = ['war-room', ...Object.keys(config.audiences)];
  for (const { step, path } of all) {
    if (typeof step.role === 'string' && !config.roles[step.role]) {
      out.push({ path: [...path, 'role'], message: `unknown role "${step.role}"`, hint: `use one of: ${roles.join(', ')}` });
    }
    if (step.kind === 'action' && typeof step.action === 'string' && !actionTable?.[step.action]) {
      const known = Object.keys(actionTable ?? {});
      out.push({ path: [...path, 'action'], message: `unknown action "${step.action}"`, hint: known.length > 0 ? `use one of: ${known.join(', ')}` : 'declare it under actions: in muster.yaml' });
    } else if (step.kind === 'action' && typeof step.action === 'string') {
      checkParams(config.actions.catalog[step.action], step, path, out);
    }
    if (step.kind === 'notify' && typeof step.audience === 'string' && !audiences.includes(step.audience)) {
      out.push({ path: [...path, 'audience'], message: `unknown audience "${step.audience}"`, hint: `use one of: ${audiences.join(', ')}` });
    }
  }
}

/** Each parameter a step sets must exist on its action and pass its check (required ones may come at run time). */
function checkParams(action: ActionConfig | undefined, step: Loose, path: Path, out: Problem[]): void {
  if (!action) return;
  for (const [name, value] of Object.entries((step.params as Loose | undefined) ?? {})) {
    const spec = action.params[name];
    if (!spec) {
      out.push({ path: [...path, 'params', name], message: `action "${String(step.action)}" has no parameter "${name}"`, hint: `use: ${Object.keys(action.params).join(', ') || '(none)'}` });
      continue;
    }
    const check = parseParams({ ...action, params: { [name]: { ...spec, required: true } } }, { [name]: String(value) });
    if (!check.ok) out.push({ path: [...path, 'params', name], message: `parameter "${name}" fails the action's check: ${check.problem}`, hint: 'fix the value, or leave it to be given at run time' });
  }
}

/** Cross checks the schema can't make: ids, jump targets and cycles, roles, actions, audiences. */
export function playbookReferences(config: MusterConfig): (data: unknown) => Problem[] {
  return (data) => {
    if (!data || typeof data !== 'object') return [];
    const playbook = data as Loose;
    const all = stepsWithPaths(playbook);
    const out: Problem[] = [];
    checkIds(all, out);
    checkTargets(playbook, out);
    checkRolesAndActions(config, all, out);
    return out;
  };
}
