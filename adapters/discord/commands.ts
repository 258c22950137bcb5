import { REST, Routes } from 'discord.js';
import { SEVERITIES, type MusterConfig } from '../../src/config/schema.js';

/**
 * The guild slash commands and how their typed options become the command
 * text the core parses: the same grammar a person types on Slack or the
 * console, so there is one parser for every chat.
 */

const STRING = 3;
const SUBCOMMAND = 1;

interface OptionDef {
  type: typeof STRING;
  name: string;
  description: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: Array<{ name: string; value: string }>;
  max_length?: number;
}

interface SubcommandDef {
  type: typeof SUBCOMMAND;
  name: string;
  description: string;
  options?: OptionDef[];
}

export interface CommandDef {
  name: string;
  description: string;
  type: 1;
  options?: Array<SubcommandDef | OptionDef>;
}

const text = (name: string, description: string, extra: Partial<OptionDef> = {}): OptionDef => ({ type: STRING, name, description, ...extra });
const incidentOption = text('incident', 'Incident id, e.g. INC-42 (default: this war room)');
const sub = (name: string, description: string, options: OptionDef[] = []): SubcommandDef => ({
  type: SUBCOMMAND,
  name,
  description,
  ...(options.length > 0 ? { options } : {}),
});

/** How each subcommand's options are written back as command words (in this order). */
export const POSITIONAL: Record<string, string[]> = {
  ack: ['incident', 'role'],
  status: ['incident'],
  join: ['incident'],
  list: [],
  resolve: ['incident', 'note'],
  mitigate: ['incident', 'note'],
  update: ['incident', 'text'],
  snooze: ['incident', 'for', 'reason'],
  sev: ['incident', 'severity', 'reason'],
  escalate: ['incident', 'target', 'reason'],
  assign: ['incident', 'role', 'person'],
  handoff: ['incident', 'person'],
  playbook: ['incident', 'playbook'],
  steps: ['incident'],
  timeline: ['incident'],
  done: ['incident', 'step'],
  skip: ['incident', 'step', 'reason'],
  decide: ['incident', 'step', 'answer'],
  run: ['incident', 'target', 'params'],
  approve: ['incident', 'request'],
  deny: ['incident', 'request', 'reason'],
  grants: ['incident'],
  'break-glass': ['incident', 'action', 'reason', 'params'],
};

/** Options written as typed (key=value lists), not quoted into one word. */
const RAW_OPTIONS = new Set(['params']);

/** `/incident learn` options as the entry's field names (Discord option names are lower-case). */
const LEARN_FIELDS: Record<string, string> = { root_cause: 'rootCause', resolution: 'resolution', prevention: 'prevention', module: 'module', fault_type: 'faultType' };

/** `/incident learn`'s options as the text the grammar reads: the fields as name="value", or skip and its reason. */
export function learnArgs(options: Record<string, string | undefined>, quoteValue: (value: string) => string): string {
  const incident = options.incident?.trim();
  const head = ['learn', ...(incident ? [/^inc-\d+$/i.test(incident) ? incident : quoteValue(incident)] : [])];
  const reason = options.skip_reason?.trim();
  if (reason) return [...head, 'skip', quoteValue(reason)].join(' ');
  const fields = Object.entries(LEARN_FIELDS).flatMap(([option, field]) => {
    const value = options[option]?.trim();
    return value ? [`${field}=${quoteValue(value)}`] : [];
  });
  return [...head, ...fields].join(' ');
}

/** True when `/incident learn` has nothing but the incident: the form asks for the rest. */
export function learnWantsForm(options: Record<string, string | undefined>): boolean {
  return [...Object.keys(LEARN_FIELDS), 'skip_reason'].every((name) => !options[name]?.trim());
}

/** /oncall's subcommands: their options in grammar order; `for` and take's `reason` go as key=value. */
export const ONCALL_POSITIONAL: Record<string, string[]> = {
  now: ['team'],
  at: ['time', 'team'],
  cover: ['team', 'position', 'person', 'when', 'reason'],
  swap: ['team', 'position', 'person', 'shift', 'for'],
  take: ['team', 'position', 'until', 'reason', 'for'],
  changes: ['team'],
  cancel: ['id'],
  accept: ['id'],
  decline: ['id'],
  test: ['person'],
};

function oncallCommand(): CommandDef {
  const team = (required: boolean) => text('team', required ? 'Team id' : 'Team id (default: all teams)', { required, autocomplete: true });
  const position = text('position', 'primary (default) or backup', { choices: [{ name: 'primary', value: 'primary' }, { name: 'backup', value: 'backup' }] });
  const person = (description: string) => text('person', description, { required: true, autocomplete: true });
  const forWhom = text('for', 'On whose behalf (managers and the duty manager)', { autocomplete: true });
  const id = text('id', 'Change id, e.g. CHG-12', { required: true });
  return {
    name: 'oncall',
    description: 'Who is on call, and shift changes: cover, swap, take',
    type: 1,
    options: [
      sub('now', 'Who is on call now and next', [team(false)]),
      sub('at', 'Who is on call at a moment', [text('time', 'e.g. friday 03:00, 2026-12-24 18:00 (team time zone)', { required: true }), team(false)]),
      sub('cover', 'Someone holds a shift for an interval', [
        team(true), person('Who covers (a person id, or me)'),
        text('when', 'e.g. tonight, until tomorrow 09:00, 2026-12-24 18:00 to 2026-12-27 09:00', { required: true }),
        position, text('reason', 'Why', { max_length: 500 }),
      ]),
      sub('swap', 'Ask someone to trade shifts (they accept or decline)', [
        team(true), person('Who to trade with'), text('shift', 'A moment inside the shift to offer (default: your next)'), position, forWhom,
      ]),
      sub('take', 'Take the pager now', [
        team(true), text('until', 'e.g. 4h, tomorrow 09:00 (default: until the shift ends)'), position, text('reason', 'Why', { max_length: 500 }), forWhom,
      ]),
      sub('changes', 'Pending and accepted shift changes', [team(false)]),
      sub('cancel', 'Cancel a shift change', [id]),
      sub('accept', 'Accept a swap you were asked for', [id]),
      sub('decline', 'Decline a swap you were asked for', [id]),
      sub('test', 'Send a test through each of your contact methods (phone, push, email)', [text('person', 'Whose methods (default: yours; managers may name anyone)', { autocomplete: true })]),
    ],
  };
}

/** A /oncall subcommand's options as the grammar's words: the time phrases quoted whole, `for=` and take's `reason=` as options. */
/**
 * A person option as the grammar reads it: a mention typed or picked into it
 * (`<@123>`, `<@!123>`) becomes the ref `discord:123`, which the core looks up
 * in people.<id>.discord; anything else (a person id from autocomplete) stays.
 */
export function personWord(value: string): string {
  const mention = /^<@!?(\d+)>$/.exec(value);
  return mention ? `discord:${mention[1]}` : value;
}

/** /oncall's person options (`for` names whom a manager acts for). */
const ONCALL_PEOPLE = new Set(['person', 'for']);
/** /incident's person options (escalate's target may also be a team). */
const INCIDENT_PEOPLE = new Set(['person', 'target']);

export function oncallArgs(subcommand: string, options: Record<string, string | undefined>): string {
  const words = (ONCALL_POSITIONAL[subcommand] ?? []).flatMap((name) => {
    const typed = options[name]?.trim();
    if (!typed) return [];
    const value = ONCALL_PEOPLE.has(name) ? personWord(typed) : typed;
    if (name === 'for' || (name === 'reason' && subcommand === 'take')) return [`${name}=${quoteWord(value)}`];
    return [quoteWord(value)];
  });
  return [subcommand, ...words].join(' ');
}

/** The commands `muster discord register` puts on the guild. */
export function discordCommands(config: MusterConfig): CommandDef[] {
  const severities = SEVERITIES.filter((level) => config.severities[level]).map((level) => ({ name: level, value: level }));
  const severity = (required: boolean) => text('severity', 'How bad it is', { required, choices: severities });
  return [
    {
      name: 'incident',
      description: 'Declare, acknowledge and run incidents',
      type: 1,
      options: [
        sub('declare', 'Declare an incident (opens a form without a title)', [
          text('title', 'What is broken', { max_length: 200 }),
          severity(false),
          text('service', 'The affected service', { autocomplete: true }),
          text('summary', 'What is known so far', { max_length: 2000 }),
          text('anyway', 'Declare beside the incidents open on the service (e.g. INC-4), or yes'),
        ]),
        sub('ack', 'Acknowledge a page', [incidentOption, text('role', 'The role you take (default: the one you were paged for)')]),
        sub('status', 'Show an incident (default: this war room)', [incidentOption]),
        sub('join', 'Join an incident\'s war room', [incidentOption]),
        sub('list', 'List active incidents'),
        sub('resolve', 'Resolve an incident', [incidentOption, text('note', 'What fixed it')]),
        sub('mitigate', 'Mark an incident mitigated', [incidentOption, text('note', 'What was done')]),
        sub('update', 'Post a status update to the war room and the broadcast channel', [
          text('text', 'The update', { required: true, max_length: 3000 }),
          incidentOption,
        ]),
        sub('snooze', 'Hold the update reminders for a while', [
          text('for', 'How long, e.g. 30m (at most 24h)', { required: true }),
          text('reason', 'Why', { required: true }),
          incidentOption,
        ]),
        sub('sev', 'Change the severity', [severity(true), incidentOption, text('reason', 'Why')]),
        sub('escalate', 'Page a team or person', [text('target', 'Team or person id', { required: true }), text('reason', 'Why they are needed', { required: true }), incidentOption]),
        sub('assign', 'Assign a role to a person', [
          text('role', 'Role id', { required: true }),
          text('person', 'Person id', { required: true }),
          incidentOption,
        ]),
        sub('handoff', 'Hand the commander role to a person', [text('person', 'Person id', { required: true }), incidentOption]),
        sub('playbook', 'Attach a playbook', [text('playbook', 'Playbook id', { required: true }), incidentOption]),
        sub('steps', 'Show the playbook steps', [incidentOption]),
        sub('timeline', 'The timeline with the durations between milestones', [incidentOption]),
        sub('done', 'Mark a playbook step done (a notify step sends its message)', [text('step', 'Step id', { required: true }), incidentOption]),
        sub('skip', 'Skip a playbook step', [text('step', 'Step id', { required: true }), text('reason', 'Why', { required: true }), incidentOption]),
        sub('decide', 'Answer a decision step', [
          text('step', 'Step id', { required: true }),
          text('answer', 'yes or no', { required: true, choices: [{ name: 'yes', value: 'yes' }, { name: 'no', value: 'no' }] }),
          incidentOption,
        ]),
        sub('run', 'Run a privileged action or an action step', [
          text('target', 'Action id or step id', { required: true }),
          text('params', 'Parameters as key=value key=value'),
          incidentOption,
        ]),
        sub('approve', 'Approve an action request', [text('request', 'Request id, e.g. REQ-3', { required: true }), incidentOption]),
        sub('deny', 'Deny an action request', [text('request', 'Request id', { required: true }), text('reason', 'Why', { required: true }), incidentOption]),
        sub('grants', 'Show who may run which actions now', [incidentOption]),
        sub('learn', 'File what was learned (opens a form without fields), or skip it with a reason', [
          incidentOption,
          text('root_cause', 'What caused it', { max_length: 2000 }),
          text('resolution', 'What fixed it: steps separated by ;', { max_length: 2000 }),
          text('prevention', 'How to prevent it', { max_length: 2000 }),
          text('module', 'Product module, e.g. checkout', { max_length: 80 }),
          text('fault_type', 'Fault type, e.g. timeout, capacity, config-change', { max_length: 80 }),
          text('skip_reason', 'Skip the knowledge task instead: why there is nothing to file', { max_length: 500 }),
        ]),
        sub('break-glass', 'Run an action without approval (alerts security)', [
          text('action', 'Action id', { required: true }),
          text('reason', 'Why this cannot wait', { required: true }),
          text('params', 'Parameters as key=value key=value'),
          incidentOption,
        ]),
      ],
    },
    oncallCommand(),
    { name: 'drill', description: 'Drills', type: 1, options: [text('action', 'What to do')] },
    {
      name: 'kb',
      description: 'The knowledge base: what past incidents taught',
      type: 1,
      options: [
        sub('search', 'Search by symptom or by fix', [text('words', 'e.g. checkout timeout, restart the payment gateway', { required: true, max_length: 500 })]),
        sub('show', "An incident's knowledge entry, history and task", [text('incident', 'Incident id, e.g. INC-42', { required: true })]),
        sub('edit', 'Change a filed entry (the history keeps the old values)', [
          text('incident', 'Incident id, e.g. INC-42', { required: true }),
          text('changes', 'field=value ..., e.g. prevention="alert at 80%" (rootCause, resolution, module, faultType...)', { required: true, max_length: 3000 }),
        ]),
      ],
    },
  ];
}

/** Quotes a value so the tokenizer reads it back as one word (as formArgs does). */
export function quoteWord(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ').trim();
  if (!flat.includes('"')) return `"${flat}"`;
  if (!flat.includes("'")) return `'${flat}'`;
  return `"${flat.replace(/"/g, "'")}"`;
}

/**
 * A subcommand's options as the text after the command name. Positional
 * values go in grammar order and quoted; an incident id is left bare so the
 * parser recognises it.
 */
export function positionalArgs(subcommand: string, options: Record<string, string | undefined>): string {
  const order = POSITIONAL[subcommand] ?? [];
  const words = order.flatMap((name) => {
    const typed = options[name]?.trim();
    if (!typed) return [];
    const value = INCIDENT_PEOPLE.has(name) ? personWord(typed) : typed;
    if (RAW_OPTIONS.has(name)) return [value];
    if (name === 'reason' && subcommand === 'break-glass') return [`reason=${quoteWord(value)}`];
    return [name === 'incident' && /^inc-\d+$/i.test(value) ? value : quoteWord(value)];
  });
  return [subcommand, ...words].join(' ');
}

export interface RegisterSettings {
  token: string;
  applicationId: string;
  guildId: string;
  apiUrl?: string;
}

/** One Discord REST request may take this long (the chat port's client too: rest.ts). */
export const DISCORD_REQUEST_TIMEOUT_MS = 10_000;

/** Replaces the guild's slash commands with Muster's (one bulk overwrite, ids stay stable); a Discord that never answers fails it. */
export async function registerCommands(settings: RegisterSettings, config: MusterConfig): Promise<string[]> {
  const rest = new REST({ ...(settings.apiUrl ? { api: settings.apiUrl } : {}), timeout: DISCORD_REQUEST_TIMEOUT_MS }).setToken(settings.token);
  const body = discordCommands(config);
  const saved = (await rest.put(Routes.applicationGuildCommands(settings.applicationId, settings.guildId), { body })) as Array<{ name: string }>;
  return saved.map((command) => command.name);
}
