import { DomainError } from '../errors.js';
import type { Incident } from '../incidents/types.js';
import { isActive, roomPending } from '../incidents/types.js';
import { parseIncidentCommand, type IncidentCommand } from './parse-incident.js';
import type { Caller } from '../kernel/caller.js';
import type { CommandDeps } from './deps.js';
import type { Reply } from '../kernel/request.js';
import { declareFormFor } from './declare-form.js';
import { duplicateDeclareReply, openOnService } from './declare-duplicate.js';
import { isActionCommand, routeActionCommand } from './action-routes.js';
import { handleLearn, isLearnCommand } from './learn.js';
import { timelineLines, milestones } from '../reports/postmortem.js';
import { attachPlaybook, completeStep, decideStep, skipStep, stepLines } from '../playbooks/runner.js';
import { runOf } from '../playbooks/run-state.js';

type Action<A extends IncidentCommand['action']> = (
  command: Extract<IncidentCommand, { action: A }>,
  caller: Caller,
  deps: CommandDeps,
) => Promise<Reply>;

const ephemeral = (text: string, tone: Reply['message']['tone'] = 'info'): Reply => ({ visibility: 'ephemeral', message: { text, tone } });

/** The incident a command is about: named, implied by the war room, or the caller's only open page. */
async function findIncident(
  deps: CommandDeps,
  caller: Caller,
  named: string | undefined,
  fallback?: (active: Incident[]) => Incident[],
): Promise<Incident> {
  const t = deps.present.t;
  const id = named ?? (await deps.store.findByRoom(caller.conversation));
  if (id) {
    const incident = await deps.store.get(id);
    if (!incident) throw new DomainError('not_found', t('error.notFound', { id }));
    return incident;
  }
  const candidates = fallback ? fallback(await deps.store.listActive()) : [];
  if (candidates.length === 1 && candidates[0]) return candidates[0];
  throw new DomainError('usage', t('error.noIncidentHere'), t('usage.incident'));
}

const declare: Action<'declare'> = async (command, caller, deps) => {
  const t = deps.present.t;
  const anyway = command.anyway;
  const open = anyway ? [] : await openOnService(deps, command.service);
  if (open.length > 0) return duplicateDeclareReply(deps, command, open);
  const related = anyway && 'link' in anyway ? anyway.link : [];
  const { incident, roomError, problems, roomOpening } = await deps.incidents.declare({
    ...(related.length > 0 ? { related } : {}),
    title: command.title,
    severity: command.severity,
    ...(command.service ? { service: command.service } : {}),
    ...(command.summary ? { summary: command.summary } : {}),
    declaredBy: caller.name,
    ...(caller.displayName ? { declaredByName: caller.displayName } : {}),
    origin: caller.conversation,
    ...(caller.requestId ? { requestId: caller.requestId } : {}),
    ...(caller.accepted ? { onCommitted: caller.accepted } : {}),
  });
  const lines = [
    roomError
      ? t('reply.declaredNoRoom', { id: incident.id, reason: roomError })
      : t(roomOpening ? 'reply.declaredRoomOpening' : 'reply.declared', { id: incident.id, title: incident.title, room: incident.roomName, count: incident.slots.length }),
  ];
  if (problems.length > 0) lines.push(t('reply.roomProblems', { problems: problems.join('; ') }));
  const warn = roomError !== undefined || problems.length > 0;
  return { visibility: 'channel', message: { text: lines.join('\n'), tone: warn ? 'warning' : 'alert' } };
};

const declareForm: Action<'declareForm'> = async (_command, _caller, deps) => ({
  visibility: 'ephemeral',
  message: { text: deps.present.t('usage.incident') },
  form: declareFormFor(deps),
});

const pagedFor = (person: string) => (active: Incident[]) =>
  active.filter((candidate) => candidate.slots.some((slot) => slot.state === 'paging' && slot.pages.some((page) => page.person === person)));

/**
 * A bare ack outside a war room from someone paged in several incidents:
 * which one? Their open pages, a button each (the console lists the commands).
 */
async function openPagesChoice(deps: CommandDeps, caller: Caller, command: Extract<IncidentCommand, { action: 'ack' }>, person: string): Promise<Reply | undefined> {
  if (command.incident || (await deps.store.findByRoom(caller.conversation))) return undefined;
  const pages = pagedFor(person)(await deps.store.listActive());
  if (pages.length < 2) return undefined;
  const { present } = deps;
  const rolesOf = (incident: Incident) => incident.slots
    .filter((slot) => slot.state === 'paging' && slot.pages.some((page) => page.person === person) && (!command.role || slot.role === command.role))
    .map((slot) => slot.role);
  const choices = pages.filter((incident) => rolesOf(incident).length > 0);
  return {
    visibility: 'ephemeral',
    message: {
      title: present.t('reply.openPagesTitle'),
      text: present.t('reply.openPages'),
      fields: choices.map((incident) => ({
        label: `${incident.id} [${incident.severity}]`,
        value: `${present.incidentParams(incident).title} · ${present.roleList(rolesOf(incident))}`,
      })),
      buttons: choices.map((incident) => ({
        label: present.t('button.ackIncident', { id: incident.id, roles: present.roleList(rolesOf(incident)) }),
        command: `/incident ack ${incident.id}${command.role ? ` ${command.role}` : ''}`,
        style: 'primary' as const,
      })),
      tone: 'info',
    },
  };
}

const ack: Action<'ack'> = async (command, caller, deps) => {
  const t = deps.present.t;
  const person = caller.person;
  if (!person) throw new DomainError('forbidden', t('error.unknownPerson'));
  const choice = await openPagesChoice(deps, caller, command, person);
  if (choice) return choice;
  const incident = await findIncident(deps, caller, command.incident, pagedFor(person));
  const result = await deps.incidents.ack(incident.id, person, command.role);
  const roles = deps.present.roleList(result.roles);
  const key = result.already ? 'reply.alreadyAcked' : 'reply.acked';
  return ephemeral(t(key, { name: deps.present.personName(person), roles, id: incident.id }), result.already ? 'info' : 'success');
};

/** `/incident join`: lets the caller into the war room (what a second declarer on the same service is offered). */
const join: Action<'join'> = async (command, caller, deps) => {
  const t = deps.present.t;
  if (!caller.person) throw new DomainError('forbidden', t('error.unknownPerson'));
  const incident = await findIncident(deps, caller, command.incident);
  const problems = await deps.incidents.join(incident.id, caller.person);
  const text = [t('reply.joined', { id: incident.id, room: incident.roomName }), ...(problems.length > 0 ? [t('reply.roomProblems', { problems: problems.join('; ') })] : [])];
  return { visibility: 'ephemeral', message: { text: text.join('\n'), tone: problems.length > 0 ? 'warning' : 'success', ...(roomPending(incident) ? {} : { room: incident.room }) } };
};

const status: Action<'status'> = async (command, caller, deps) => {
  const incident = await findIncident(deps, caller, command.incident, (active) => active);
  return { visibility: 'ephemeral', message: deps.present.board(incident) };
};

const list: Action<'list'> = async (_command, _caller, deps) => {
  const { present } = deps;
  const active = await deps.store.listActive();
  if (active.length === 0) return ephemeral(present.t('reply.listEmpty'));
  const fields = active.map((incident) => ({
    label: `${incident.id} [${incident.severity}]`,
    value: `${incident.title} · ${present.t(`status.${incident.status}`)} · ${incident.roomName}`,
  }));
  return { visibility: 'ephemeral', message: { title: present.t('reply.listTitle'), text: '', fields } };
};

/** Resolving needs a stake in the incident: declarer, a staffed responder or the duty manager. */
function mayResolve(incident: Incident, caller: Caller, deps: CommandDeps): boolean {
  if (caller.name === incident.declaredBy) return true;
  if (incident.slots.some((slot) => slot.ackedBy !== undefined && slot.ackedBy === caller.person)) return true;
  const duty = deps.config.dutyManager;
  if ('person' in duty) return duty.person === caller.person;
  return caller.person !== undefined && deps.config.teams[duty.team]?.rotation.primary.includes(caller.person) === true;
}

const resolveAction: Action<'resolve'> = async (command, caller, deps) => {
  const t = deps.present.t;
  const incident = await findIncident(deps, caller, command.incident);
  if (!isActive(incident)) throw new DomainError('conflict', t('error.alreadyResolved', { id: incident.id }));
  if (!mayResolve(incident, caller, deps)) throw new DomainError('forbidden', t('error.forbiddenResolve', { id: incident.id }));
  await deps.incidents.resolve(incident.id, caller.name, command.note);
  return { visibility: 'channel', message: { text: t('reply.resolved', { id: incident.id }), tone: 'success' } };
};

/** Changing an incident's shape needs the same stake as resolving it. */
async function changeable(deps: CommandDeps, caller: Caller, named: string | undefined): Promise<Incident> {
  const t = deps.present.t;
  const incident = await findIncident(deps, caller, named);
  if (!isActive(incident)) throw new DomainError('conflict', t('error.alreadyResolved', { id: incident.id }));
  if (!mayResolve(incident, caller, deps)) throw new DomainError('forbidden', t('error.forbiddenChange', { id: incident.id }));
  return incident;
}

const sev: Action<'sev'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  await deps.incidents.changeSeverity(incident.id, caller.name, command.severity, command.reason);
  return { visibility: 'channel', message: { text: deps.present.t('reply.sevChanged', { id: incident.id, severity: command.severity }), tone: 'alert' } };
};

const escalate: Action<'escalate'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  const role = await deps.incidents.escalate(incident.id, caller.name, command.target, command.reason);
  return ephemeral(deps.present.t('reply.escalated', { id: incident.id, name: deps.present.roleName(role) }), 'success');
};

const assign: Action<'assign'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  await deps.incidents.assign(incident.id, caller.name, command.role, command.person);
  const { present } = deps;
  return ephemeral(present.t('reply.assigned', { id: incident.id, person: present.personName(command.person), role: present.roleName(command.role) }), 'success');
};

const mitigateAction: Action<'mitigate'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  await deps.incidents.mitigate(incident.id, caller.name, command.note);
  return { visibility: 'channel', message: { text: deps.present.t('reply.mitigated', { id: incident.id }), tone: 'success' } };
};

const update: Action<'update'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  await deps.incidents.postUpdate(incident.id, caller.name, command.text);
  return ephemeral(deps.present.t('reply.updatePosted', { id: incident.id }), 'success');
};

const snooze: Action<'snooze'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  await deps.incidents.snooze(incident.id, caller.name, command.forMs, command.reason);
  return ephemeral(deps.present.t('reply.snoozed', { id: incident.id, minutes: Math.round(command.forMs / 60_000) }), 'info');
};

const playbook: Action<'playbook'> = async (command, caller, deps) => {
  const { present } = deps;
  const incident = await changeable(deps, caller, command.incident);
  const chosen = deps.incidents.library.get(command.playbook);
  if (!chosen) throw new DomainError('usage', present.t('error.unknownPlaybook', { value: command.playbook, allowed: deps.incidents.library.ids().join(', ') || '-' }));
  await deps.incidents.apply(incident.id, caller.name, (fx, ctx) => attachPlaybook(ctx, fx, chosen));
  return ephemeral(present.t('reply.playbookAttached', { id: incident.id, title: chosen.title }), 'success');
};

const steps: Action<'steps'> = async (command, caller, deps) => {
  const { present } = deps;
  const incident = await findIncident(deps, caller, command.incident, (active) => active);
  const run = runOf(incident);
  if (!run) throw new DomainError('not_found', present.t('error.noPlaybook', { id: incident.id }));
  const fields = stepLines({ config: deps.config, present }, incident);
  return { visibility: 'ephemeral', message: { title: present.t('reply.stepsTitle', { id: incident.id, title: run.definition.title }), text: '', fields } };
};

const done: Action<'done'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  await deps.incidents.apply(incident.id, caller.name, (fx, ctx) => completeStep(ctx, fx, command.step, ['check', 'notify']));
  return ephemeral(deps.present.t('reply.stepDone', { step: command.step }), 'success');
};

const skip: Action<'skip'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  await deps.incidents.apply(incident.id, caller.name, (fx, ctx) => skipStep(ctx, fx, command.step, command.reason));
  return ephemeral(deps.present.t('reply.stepSkipped', { step: command.step }), 'info');
};

const skipForm: Action<'skipForm'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  const { t } = deps.present;
  return {
    visibility: 'ephemeral',
    message: { text: t('error.skipNeedsReason'), tone: 'warning' },
    form: {
      id: 'skip',
      title: t('form.skip.title'),
      submitLabel: t('form.skip.submit'),
      command: `/incident skip ${incident.id} ${command.step}`,
      inputs: [{ name: 'reason', label: t('form.skip.reason'), kind: 'text' }],
    },
  };
};

const decide: Action<'decide'> = async (command, caller, deps) => {
  const incident = await changeable(deps, caller, command.incident);
  await deps.incidents.apply(incident.id, caller.name, (fx, ctx) => decideStep(ctx, fx, command.step, command.answer));
  return ephemeral(deps.present.t('reply.stepDone', { step: `${command.step} (${command.answer})` }), 'success');
};

/** The whole timeline in chat, newest entries last; `muster export` has every entry and the postmortem. */
const TIMELINE_FIELDS = 40;
const timeline: Action<'timeline'> = async (command, caller, deps) => {
  const { present } = deps;
  const incident = await findIncident(deps, caller, command.incident, (active) => active);
  const events = await deps.store.timeline(incident.id);
  const lines = timelineLines(incident, events, present);
  const marks = milestones(incident, events, present)
    .map((mark) => `${present.t(`milestone.${mark.name}`)} ${mark.at !== undefined ? present.time(mark.at) : present.t('postmortem.notReached')}${mark.sincePrevious ? ` (+${mark.sincePrevious})` : ''}`)
    .join(' → ');
  // The declare entry always shows (who declared it, and when), then the newest entries.
  const shown = lines.length > TIMELINE_FIELDS ? [...lines.slice(0, 1), ...lines.slice(-(TIMELINE_FIELDS - 1))] : lines;
  const fields = [
    { label: present.t('reply.timelineMilestones'), value: marks },
    ...shown.map((line) => ({ label: `${present.time(line.at)} +${line.sinceDeclared} · ${line.who}`, value: line.detail ? `${line.what}: ${line.detail}` : line.what })),
  ];
  const more = lines.length - shown.length;
  const text = more > 0 ? present.t('reply.timelineMore', { count: more, id: incident.id }) : '';
  return { visibility: 'ephemeral', message: { title: present.t('reply.timelineTitle', { id: incident.id, title: incident.title }), text, fields } };
};

const help: Action<'help'> = async (_command, _caller, deps) => ephemeral(deps.present.t('usage.incident'));

const ACTIONS: { [A in IncidentCommand['action']]: Action<A> } = {
  declare,
  declareForm,
  ack,
  status,
  join,
  list,
  resolve: resolveAction,
  mitigate: mitigateAction,
  update,
  snooze,
  playbook,
  steps,
  done,
  skip,
  skipForm,
  decide,
  sev,
  escalate,
  assign,
  timeline,
  help,
};

export async function handleIncident(args: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  if (isActionCommand(args)) return routeActionCommand(args, caller, deps);
  if (isLearnCommand(args)) return handleLearn(args, caller, deps);
  const command = parseIncidentCommand(args, { config: deps.config, t: deps.present.t });
  const action = ACTIONS[command.action] as Action<typeof command.action>;
  return action(command as never, caller, deps);
}
