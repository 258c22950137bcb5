import type { Caller } from '../kernel/caller.js';
import type { CommandDeps } from './deps.js';
import { normaliseIncidentId } from './parse-incident.js';
import { splitOptions, tokenize } from './tokenize.js';
import type { Reply } from '../kernel/request.js';
import { DomainError } from '../errors.js';
import type { Incident } from '../incidents/types.js';
import { parseParams } from '../actions/params.js';
import { activeGrants } from '../actions/policy.js';
import { cut, formatParams } from '../actions/record.js';
import { namedAction, type RunResult } from '../actions/runner.js';
import { describeProblem } from '../actions/readiness.js';
import type { NamedAction } from '../actions/schema.js';

/**
 * The chat side of privileged actions, `/incident run|approve|deny|grants|break-glass`:
 * parse, find the incident, call the action use cases (deps.actions) and say
 * what happened.
 */
export type ActionHandler = (args: string, caller: Caller, deps: CommandDeps) => Promise<Reply>;

const REQUEST_RE = /^req-(\d+)$/i;

function reply(text: string, tone: Reply['message']['tone'], visibility: Reply['visibility'] = 'ephemeral'): Reply {
  return { visibility, message: { text, tone } };
}

/** The incident a command is about: named (INC-n), or implied by the war room it was typed in. */
async function findIncident(deps: CommandDeps, caller: Caller, named: string | undefined): Promise<Incident> {
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

function usage(deps: CommandDeps, message: string): DomainError {
  const actions = Object.keys(deps.config.actions.catalog).join(', ') || '-';
  return new DomainError('usage', message, deps.present.t('usage.actions', { actions }));
}

function actionNamed(deps: CommandDeps, name: string | undefined): NamedAction {
  const allowed = Object.keys(deps.config.actions.catalog).join(', ') || '-';
  const action = name ? namedAction(deps.config, name) : undefined;
  if (!action) throw usage(deps, deps.present.t('error.unknownAction', { value: name ?? '', allowed }));
  return action;
}

function paramsOf(deps: CommandDeps, action: NamedAction, options: Map<string, string>) {
  const parsed = parseParams(action, Object.fromEntries(options));
  if (!parsed.ok) throw usage(deps, deps.present.t('error.badParams', { action: action.name, problem: parsed.problem }));
  return parsed.params;
}

function requestId(deps: CommandDeps, word: string | undefined): string {
  const match = word ? REQUEST_RE.exec(word) : null;
  if (!match) throw usage(deps, deps.present.t('error.needRequest'));
  return `REQ-${Number(match[1])}`;
}

const actor = (caller: Caller) => ({ name: caller.name, ...(caller.person ? { person: caller.person } : {}) });

/** Turns a runner result into what the caller reads. */
function describe(result: RunResult, incident: Incident, deps: CommandDeps): Reply {
  const { present } = deps;
  const t = present.t;
  const kinds: { [K in RunResult['kind']]: (r: Extract<RunResult, { kind: K }>) => Reply } = {
    refused: (r) => {
      const spec = deps.config.actions.catalog[r.action];
      const approvers = spec ? describeApproverNames(deps, r.action) : '-';
      const problem = r.problem ? describeProblem(t, r.problem) : '';
      return reply(t('reply.actionRefused', { reason: t(`refusal.${r.reason}`, { action: r.action, approvers, problem }) }), 'warning');
    },
    requested: (r) => reply(t('reply.approvalRequested', {
      request: r.request.id, who: r.approvers, needs: r.request.needs, time: present.deadline(r.request.expiresAt),
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

function describeApproverNames(deps: CommandDeps, action: string): string {
  const named = namedAction(deps.config, action);
  if (!named?.policy.approval) return '-';
  const { approval } = named.policy;
  const names = [...(approval.people ?? []).map((p) => deps.present.personName(p)), ...(approval.teams ?? [])];
  return names.length > 0 ? names.join(', ') : deps.present.t('approvers.anyone');
}

export const ACTION_HANDLERS = {
  run: async (args, caller, deps) => {
    const parsed = parse(args);
    const action = actionNamed(deps, parsed.words[0]);
    const params = paramsOf(deps, action, parsed.options);
    const incident = await findIncident(deps, caller, parsed.incident);
    return describe(await deps.actions.run(incident, actor(caller), action, params), incident, deps);
  },
  approve: async (args, caller, deps) => {
    const parsed = parse(args);
    const request = requestId(deps, parsed.words[0]);
    const incident = await findIncident(deps, caller, parsed.incident);
    return describe(await deps.actions.approve(incident, actor(caller), request), incident, deps);
  },
  deny: async (args, caller, deps) => {
    const parsed = parse(args);
    const request = requestId(deps, parsed.words[0]);
    const reason = [...parsed.words.slice(1), parsed.options.get('reason') ?? ''].join(' ').trim().slice(0, 500);
    const incident = await findIncident(deps, caller, parsed.incident);
    if (!reason) return denyForm(deps, incident.id, request);
    return describe(await deps.actions.deny(incident, actor(caller), request, reason), incident, deps);
  },
  grants: async (args, caller, deps) => {
    const parsed = parse(args);
    return listGrants(await findIncident(deps, caller, parsed.incident), deps);
  },
  breakGlass: async (args, caller, deps) => {
    const parsed = parse(args);
    const action = actionNamed(deps, parsed.words[0]);
    const reason = (parsed.options.get('reason') ?? parsed.words.slice(1).join(' ')).trim().slice(0, 500);
    parsed.options.delete('reason');
    const params = paramsOf(deps, action, parsed.options);
    const incident = await findIncident(deps, caller, parsed.incident);
    return describe(await deps.actions.breakGlass(incident, actor(caller), action, params, reason), incident, deps);
  },
} satisfies Record<string, ActionHandler>;

export type ActionCommand = keyof typeof ACTION_HANDLERS;

/**
 * A denial without a reason is not recorded: the requester needs to know what
 * to change. Chats with modals (the Deny button) ask for it in a form; the
 * console shows the usage naming the reason.
 */
function denyForm(deps: CommandDeps, incident: string, request: string): Reply {
  const t = deps.present.t;
  return {
    visibility: 'ephemeral',
    message: { text: t('error.denyNeedsReason', { id: incident, request }), tone: 'warning' },
    form: {
      id: 'deny',
      title: t('form.deny.title', { request }),
      submitLabel: t('form.deny.submit'),
      command: `/incident deny ${incident} ${request}`,
      inputs: [{ name: 'reason', label: t('form.deny.reason'), kind: 'text' }],
    },
  };
}

/** `/incident grants`: the grants in force now and the requests still waiting. */
function listGrants(incident: Incident, deps: CommandDeps): Reply {
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
        have: request.approvals.length, needs: request.needs, time: present.deadline(request.expiresAt),
      }),
    })),
  ];
  const text = grants.length === 0 ? t('reply.grantsNone', { id: incident.id }) : '';
  return { visibility: 'ephemeral', message: { title: t('reply.grantsTitle', { id: incident.id }), text, fields, tone: 'info' } };
}
