import type { Caller } from '../kernel/caller.js';
import type { DispatchDeps } from '../commands/dispatch.js';
import { normaliseIncidentId } from '../commands/parse-incident.js';
import { splitOptions, tokenize } from '../commands/tokenize.js';
import type { Reply } from '../kernel/request.js';
import { DomainError } from '../errors.js';
import type { Incident } from '../incidents/types.js';
import { parseParams } from './params.js';
import { activeGrants } from './policy.js';
import type { ActionExecutors } from './ports.js';
import { cut, formatParams } from './record.js';
import { approveRequest, breakGlass, denyRequest, namedAction, requestRun, type RunnerDeps, type RunResult } from './runner.js';
import type { NamedAction } from './schema.js';

/**
 * The chat side of privileged actions, with the handler shape of
 * commands/incident-handlers.ts, for `/incident run|approve|deny|grants|break-glass`.
 * Executors are injected once (src/main.ts picks them); `dryRun` lets drills
 * turn every run of an incident into a plan.
 */
export interface ActionRuntime {
  executors: ActionExecutors;
  /** True for runs that must only be planned; default: a drill's actions, except those it lets run live. */
  dryRun?: (incident: Incident, action: string) => boolean;
}

export type ActionHandler = (args: string, caller: Caller, deps: DispatchDeps) => Promise<Reply>;

export interface ActionCommands {
  run: ActionHandler;
  approve: ActionHandler;
  deny: ActionHandler;
  grants: ActionHandler;
  breakGlass: ActionHandler;
}

const REQUEST_RE = /^req-(\d+)$/i;

function reply(text: string, tone: Reply['message']['tone'], visibility: Reply['visibility'] = 'ephemeral'): Reply {
  return { visibility, message: { text, tone } };
}

/** The incident a command is about: named (INC-n), or implied by the war room it was typed in. */
async function findIncident(deps: DispatchDeps, caller: Caller, named: string | undefined): Promise<Incident> {
  const t = deps.present.t;
  const id = named ?? (await deps.store.findByRoom(caller.conversation));
  if (!id) throw new DomainError('usage', t('error.noIncidentHere'), t('usage.incident'));
  const incident = await deps.store.get(id);
  if (!incident) throw new DomainError('not_found', t('error.notFound', { id }));
  return incident;
}

interface Parsed {
  incident?: string;
  words: string[];
  options: Map<string, string>;
}

function parse(args: string): Parsed {
  const { words, options } = splitOptions(tokenize(args));
  const incident = words[0] ? normaliseIncidentId(words[0]) : undefined;
  return { ...(incident ? { incident } : {}), words: incident ? words.slice(1) : words, options };
}

function usage(deps: DispatchDeps, message: string): DomainError {
  const actions = Object.keys(deps.config.actions.catalog).join(', ') || '-';
  return new DomainError('usage', message, deps.present.t('usage.actions', { actions }));
}

function actionNamed(deps: DispatchDeps, name: string | undefined): NamedAction {
  const allowed = Object.keys(deps.config.actions.catalog).join(', ') || '-';
  const action = name ? namedAction(deps.config, name) : undefined;
  if (!action) throw usage(deps, deps.present.t('error.unknownAction', { value: name ?? '', allowed }));
  return action;
}

function paramsOf(deps: DispatchDeps, action: NamedAction, options: Map<string, string>) {
  const parsed = parseParams(action, Object.fromEntries(options));
  if (!parsed.ok) throw usage(deps, deps.present.t('error.badParams', { action: action.name, problem: parsed.problem }));
  return parsed.params;
}

function requestId(deps: DispatchDeps, word: string | undefined): string {
  const match = word ? REQUEST_RE.exec(word) : null;
  if (!match) throw usage(deps, deps.present.t('error.needRequest'));
  return `REQ-${Number(match[1])}`;
}

function runnerDeps(runtime: ActionRuntime, deps: DispatchDeps): RunnerDeps {
  return { config: deps.config, present: deps.present, logger: deps.logger, service: deps.service, executors: runtime.executors, now: deps.now };
}

const actor = (caller: Caller) => ({ name: caller.name, ...(caller.person ? { person: caller.person } : {}) });

/** Turns a runner result into what the caller reads. */
function describe(result: RunResult, incident: Incident, deps: DispatchDeps): Reply {
  const { present } = deps;
  const t = present.t;
  const kinds: { [K in RunResult['kind']]: (r: Extract<RunResult, { kind: K }>) => Reply } = {
    refused: (r) => {
      const spec = deps.config.actions.catalog[r.action];
      const approvers = spec ? describeApproverNames(deps, r.action) : '-';
      return reply(t('reply.actionRefused', { reason: t(`refusal.${r.reason}`, { action: r.action, approvers }) }), 'warning');
    },
    requested: (r) => reply(t('reply.approvalRequested', {
      request: r.request.id, who: r.approvers, needs: r.request.needs, time: present.time(r.request.expiresAt),
    }), 'info'),
    approved: (r) => reply(t('reply.approvalRecorded', { request: r.request.id, have: r.request.approvals.length, needs: r.request.needs }), 'success'),
    denied: (r) => reply(t('reply.requestDenied', { request: r.request.id }), 'info'),
    ran: (r) => {
      const values = {
        run: r.started.run, action: r.started.action, id: incident.id, status: String(r.outcome.status),
        duration: present.elapsed(r.outcome.durationMs), output: cut(r.outcome.output, 500),
      };
      if (r.plan) return reply(t('reply.actionDryRun', { ...values, plan: JSON.stringify(r.plan) }), 'info');
      return reply(t(r.outcome.ok ? 'reply.actionRan' : 'reply.actionFailed', values), r.outcome.ok ? 'success' : 'warning', 'channel');
    },
  };
  return (kinds[result.kind] as (r: RunResult) => Reply)(result);
}

function describeApproverNames(deps: DispatchDeps, action: string): string {
  const named = namedAction(deps.config, action);
  if (!named?.policy.approval) return '-';
  const { approval } = named.policy;
  const names = [...(approval.people ?? []).map((p) => deps.present.personName(p)), ...(approval.teams ?? [])];
  return names.length > 0 ? names.join(', ') : deps.present.t('approvers.anyone');
}

/** In a drill every action is a dry run unless the drill lets it run live (DESIGN.md §5, §6). */
/** In a drill every action is a dry run, except a `live` one after a lead approved the live actions. */
export function drillDryRun(incident: Incident, action: string): boolean {
  const drill = incident.drill;
  return drill !== undefined && !(drill.live.includes(action) && drill.liveApprovedBy !== undefined);
}

/** The handlers to wire into /incident; see the module note. */
export function createActionCommands(runtime: ActionRuntime): ActionCommands {
  const dry = (incident: Incident, action: string) => ({ dryRun: (runtime.dryRun ?? drillDryRun)(incident, action) });
  return {
    run: async (args, caller, deps) => {
      const parsed = parse(args);
      const action = actionNamed(deps, parsed.words[0]);
      const params = paramsOf(deps, action, parsed.options);
      const incident = await findIncident(deps, caller, parsed.incident);
      const result = await requestRun(runnerDeps(runtime, deps), incident.id, actor(caller), action, params, dry(incident, action.name));
      return describe(result, incident, deps);
    },
    approve: async (args, caller, deps) => {
      const parsed = parse(args);
      const request = requestId(deps, parsed.words[0]);
      const incident = await findIncident(deps, caller, parsed.incident);
      const pending = incident.actions?.requests.find((candidate) => candidate.id === request);
      const result = await approveRequest(runnerDeps(runtime, deps), incident.id, actor(caller), request, dry(incident, pending?.action ?? ''));
      return describe(result, incident, deps);
    },
    deny: async (args, caller, deps) => {
      const parsed = parse(args);
      const request = requestId(deps, parsed.words[0]);
      const reason = [...parsed.words.slice(1), parsed.options.get('reason') ?? ''].join(' ').trim().slice(0, 500);
      const incident = await findIncident(deps, caller, parsed.incident);
      const result = await denyRequest(runnerDeps(runtime, deps), incident.id, actor(caller), request, reason);
      return describe(result, incident, deps);
    },
    grants: async (args, caller, deps) => {
      const parsed = parse(args);
      const incident = await findIncident(deps, caller, parsed.incident);
      return listGrants(incident, deps);
    },
    breakGlass: async (args, caller, deps) => {
      const parsed = parse(args);
      const action = actionNamed(deps, parsed.words[0]);
      const reason = (parsed.options.get('reason') ?? parsed.words.slice(1).join(' ')).trim().slice(0, 500);
      parsed.options.delete('reason');
      const params = paramsOf(deps, action, parsed.options);
      const incident = await findIncident(deps, caller, parsed.incident);
      const result = await breakGlass(runnerDeps(runtime, deps), incident.id, actor(caller), action, params, reason, dry(incident, action.name));
      return describe(result, incident, deps);
    },
  };
}

/** `/incident grants`: the grants in force now and the requests still waiting. */
function listGrants(incident: Incident, deps: DispatchDeps): Reply {
  const { present } = deps;
  const t = present.t;
  const now = deps.now();
  const grants = activeGrants(incident, deps.config, now);
  const pending = (incident.actions?.requests ?? []).filter((request) => request.status === 'pending' && now < request.expiresAt);
  const fields = [
    ...grants.map((grant) => ({
      label: present.personName(grant.person),
      value: t('reply.grantLine', { action: grant.action, role: present.roleName(grant.role), time: present.time(grant.until) }),
    })),
    ...pending.map((request) => ({
      label: `${request.id} (${t('reply.requestsTitle')})`,
      value: t('reply.requestLine', {
        action: `${request.action} ${formatParams(request.params)}`, person: present.personName(request.requestedBy),
        have: request.approvals.length, needs: request.needs, time: present.time(request.expiresAt),
      }),
    })),
  ];
  const text = grants.length === 0 ? t('reply.grantsNone', { id: incident.id }) : '';
  return { visibility: 'ephemeral', message: { title: t('reply.grantsTitle', { id: incident.id }), text, fields, tone: 'info' } };
}
