import type { Caller } from '../kernel/caller.js';
import type { CommandDeps } from './deps.js';
import type { Reply } from '../kernel/request.js';
import { normaliseIncidentId } from './parse-incident.js';
import { tokenize } from './tokenize.js';
import { formatClock } from '../config/duration.js';
import { DomainError } from '../errors.js';
import type { Incident } from '../incidents/types.js';
import { isLead } from '../drills/leads.js';
import { approveLiveActions, scoredDrills } from '../drills/live.js';
import { drillBlocker, drillsPaused, launchDrill, setDrillsPaused } from '../drills/launch.js';
import { describeWindows } from '../drills/planner.js';
import { scoreOf, scorecardMessage } from '../drills/scorecard.js';

/**
 * /drill: leads start, stop, pause and review unannounced drills. A drill is
 * a real muster marked DRILL; the kill switch (pause) stops running drills at
 * once and keeps new ones from starting.
 */

type DrillAction = (words: string[], caller: Caller, deps: CommandDeps) => Promise<Reply>;

const reply = (text: string, tone: Reply['message']['tone'] = 'info'): Reply => ({ visibility: 'ephemeral', message: { text, tone } });

function requireLead(deps: CommandDeps, caller: Caller): void {
  if (!isLead(deps.config, caller.person)) throw new DomainError('forbidden', deps.present.t('drill.leadsOnly'));
}


const start: DrillAction = async ([scenarioId], caller, deps) => {
  const { t } = deps.present;
  requireLead(deps, caller);
  const scenarios = deps.incidents.library.playbooks.filter((playbook) => playbook.drill);
  const scenario = scenarioId ? scenarios.find((playbook) => playbook.id === scenarioId) : undefined;
  if (!scenario) throw new DomainError('usage', t('drill.unknownScenario', { value: scenarioId ?? '', allowed: scenarios.map((s) => s.id).join(', ') || '-' }), t('usage.drill'));
  const blocker = await drillBlocker(deps.store, deps.present.t);
  if (blocker) throw new DomainError('conflict', blocker);
  const incident = await launchDrill({ service: deps.incidents, config: deps.config }, scenario, { startedBy: caller.name, origin: caller.conversation });
  return reply(t('drill.started', { id: incident.id, scenario: scenario.title, room: incident.roomName }), 'alert');
};

async function drillNamed(deps: CommandDeps, word: string | undefined): Promise<Incident> {
  const id = word ? normaliseIncidentId(word) : undefined;
  const incident = id ? await deps.store.get(id) : undefined;
  if (!incident?.drill) throw new DomainError('not_found', deps.present.t('drill.notADrill', { id: word ?? '' }), deps.present.t('usage.drill'));
  return incident;
}

const stop: DrillAction = async ([id], caller, deps) => {
  requireLead(deps, caller);
  const incident = await drillNamed(deps, id);
  await deps.incidents.stopDrill(incident.id, caller.name, deps.present.t('drill.stoppedBy', { person: deps.present.personName(caller.name) }));
  return reply(deps.present.t('drill.stopAck', { id: incident.id }), 'success');
};

const pause: DrillAction = async (_words, caller, deps) => {
  requireLead(deps, caller);
  await setDrillsPaused(deps.store, true);
  const stopped = await deps.incidents.stopDrills(deps.present.t('drill.killSwitch'), caller.name);
  return reply(deps.present.t('drill.pausedAck', { stopped: stopped.join(', ') || '-' }), 'warning');
};

const resume: DrillAction = async (_words, caller, deps) => {
  requireLead(deps, caller);
  await setDrillsPaused(deps.store, false);
  return reply(deps.present.t('drill.resumedAck'), 'success');
};

const list: DrillAction = async (_words, _caller, deps) => {
  const drills = await deps.store.listActiveDrills();
  const paused = (await drillsPaused(deps.store)) ? ` ${deps.present.t('drill.pausedNote')}` : '';
  if (drills.length === 0) return reply(`${deps.present.t('drill.none')}${paused}`);
  const fields = drills.map((incident) => ({ label: incident.id, value: `${incident.drill?.scenario} · ${deps.present.t(`status.${incident.status}`)} · ${incident.roomName}` }));
  return { visibility: 'ephemeral', message: { title: deps.present.t('drill.listTitle'), text: paused.trim(), fields } };
};

const report: DrillAction = async ([id], _caller, deps) => {
  const incident = id ? await drillNamed(deps, id) : (await scoredDrills(deps.store))[0];
  const score = incident ? scoreOf(incident) : undefined;
  if (!incident || !score) return reply(deps.present.t('drill.noReport'));
  return { visibility: 'ephemeral', message: scorecardMessage({ config: deps.config, present: deps.present }, incident, score) };
};

/** The last drills as a text chart: one bar per drill against the assembly target. */
const trend: DrillAction = async ([team], _caller, deps) => {
  const { t } = deps.present;
  if (team && !deps.config.teams[team]) throw new DomainError('usage', t('error.unknownTeam', { value: team, allowed: Object.keys(deps.config.teams).join(', ') }));
  const drills = (await scoredDrills(deps.store, team)).slice(0, 12).reverse();
  if (drills.length === 0) return reply(t('drill.noReport'));
  const times = drills.map((incident) => scoreOf(incident)?.assembledMs).filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
  const median = times.length > 0 ? formatClock(times[Math.floor((times.length - 1) / 2)] as number) : '-';
  const breaches = drills.filter((incident) => scoreOf(incident)?.breached).length;
  const scale = Math.max(...drills.map((incident) => scoreOf(incident)?.assembledMs ?? scoreOf(incident)?.targetMs ?? 1), 1);
  const fields = drills.map((incident) => {
    const score = scoreOf(incident);
    const ms = score?.assembledMs;
    const bar = '█'.repeat(Math.max(1, Math.round(((ms ?? scale) / scale) * 20)));
    return { label: `${incident.id} ${new Date(score?.at ?? incident.declaredAt).toISOString().slice(0, 10)}`, value: `${bar} ${ms !== undefined ? formatClock(ms) : t('drill.notAssembled')}${score?.breached ? ' ✗' : ' ✓'}` };
  });
  return { visibility: 'ephemeral', message: { title: t('drill.trendTitle', { team: team ?? t('drill.allTeams') }), text: t('drill.trendSummary', { count: drills.length, median, breaches }), fields } };
};

/** The windows leads configured; never the planned moments (nobody may predict a drill). */
const schedule: DrillAction = async (_words, caller, deps) => {
  requireLead(deps, caller);
  const schedules = deps.config.drills;
  const fields = Object.entries(schedules).map(([id, drill]) => ({
    label: `${id} (${drill.scenario})`,
    value: deps.present.t('drill.scheduleLine', { windows: describeWindows(drill), teams: drill.teams.join(', '), max: drill.monthlyMax }),
  }));
  if (fields.length === 0) return reply(deps.present.t('drill.noSchedules'));
  const paused = (await drillsPaused(deps.store)) ? deps.present.t('drill.pausedNote') : '';
  return { visibility: 'ephemeral', message: { title: deps.present.t('drill.scheduleTitle'), text: paused, fields } };
};

/** Live actions run for real only after a lead approves them at start; not the lead who started the drill. */
const approveLive: DrillAction = async ([id], caller, deps) => {
  const { t } = deps.present;
  requireLead(deps, caller);
  const incident = await drillNamed(deps, id);
  const drill = incident.drill;
  if (!drill || drill.live.length === 0) throw new DomainError('conflict', t('drill.noLive', { id: incident.id }));
  if (drill.startedBy === caller.name) throw new DomainError('forbidden', t('drill.liveSelf'));
  await approveLiveActions(deps.incidents, incident.id, caller.name);
  return reply(t('drill.liveApproved', { id: incident.id, person: deps.present.personName(caller.name), actions: drill.live.join(', ') }), 'success');
};

const ACTIONS: Record<string, DrillAction> = { start, stop, pause, resume, list, report, trend, schedule, 'approve-live': approveLive };

export async function handleDrill(args: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const [first, ...rest] = tokenize(args).map((token) => token.text);
  const action = first ? ACTIONS[first.toLowerCase()] : undefined;
  if (!action) return reply(deps.present.t('usage.drill'));
  return action(rest, caller, deps);
}
