import type { MusterConfig, Severity } from '../config/schema.js';
import { SEVERITIES } from '../config/schema.js';
import { DomainError } from '../errors.js';
import type { Translate } from '../i18n/catalog.js';
import { checkDeclare, severityNamed } from '../incidents/declare-input.js';
import { personNamed } from '../incidents/directory.js';
import { splitOptions, tokenize, type Token } from './tokenize.js';
import { parseDuration } from '../config/duration.js';
import { overLimit } from '../kernel/text.js';

/**
 * `anyway=` on a declare: `INC-n[,INC-m]` declares despite those incidents
 * open on the service and links them (what the warning offers); `yes`
 * declares without looking (automation that knows).
 */
export type Anyway = { link: string[] } | { unchecked: true };

/** The one grammar of /incident, shared by every chat. */
export type IncidentCommand =
  | { action: 'declare'; title: string; severity: Severity; service?: string; summary?: string; anyway?: Anyway }
  | { action: 'join'; incident?: string }
  | { action: 'declareForm' }
  | { action: 'ack'; incident?: string; role?: string }
  | { action: 'status'; incident?: string }
  | { action: 'list' }
  | { action: 'resolve'; incident?: string; note: string }
  | { action: 'mitigate'; incident?: string; note: string }
  | { action: 'update'; incident?: string; text: string }
  | { action: 'playbook'; incident?: string; playbook: string }
  | { action: 'steps'; incident?: string }
  | { action: 'done'; incident?: string; step: string }
  | { action: 'skip'; incident?: string; step: string; reason: string }
  | { action: 'skipForm'; incident?: string; step: string }
  | { action: 'decide'; incident?: string; step: string; answer: 'yes' | 'no' }
  | { action: 'snooze'; incident?: string; forMs: number; reason: string }
  | { action: 'sev'; incident?: string; severity: Severity; reason: string }
  | { action: 'escalate'; incident?: string; target: string; reason: string }
  | { action: 'assign'; incident?: string; role: string; person: string }
  | { action: 'timeline'; incident?: string }
  | { action: 'help' };

const INCIDENT_ID_RE = /^inc-(\d+)$/i;

export function normaliseIncidentId(text: string): string | undefined {
  const match = INCIDENT_ID_RE.exec(text);
  return match ? `INC-${Number(match[1])}` : undefined;
}

interface ParseContext {
  config: MusterConfig;
  t: Translate;
}

type Parser = (tokens: Token[], ctx: ParseContext) => IncidentCommand;

function usage(ctx: ParseContext, message: string): DomainError {
  return new DomainError('usage', message, ctx.t('usage.incident'));
}

function rejectOptions(options: Map<string, string>, allowed: string[], ctx: ParseContext): void {
  for (const key of options.keys()) {
    if (!allowed.includes(key)) {
      throw usage(ctx, ctx.t('error.unknownOption', { key, allowed: allowed.map((k) => `${k}=`).join(', ') || '-' }));
    }
  }
}

/** `declare` alone asks for the form; anything more must be a complete declaration. */
const declare: Parser = (tokens, ctx) => {
  if (tokens.length === 0) return { action: 'declareForm' };
  const { words, options } = splitOptions(tokens);
  rejectOptions(options, ['sev', 'severity', 'service', 'summary', 'title', 'anyway'], ctx);
  const severity = options.get('sev') ?? options.get('severity');
  const service = options.get('service') || undefined;
  const summary = oneLine(options.get('summary'));
  const checked = checkDeclare(ctx.config, ctx.t, {
    title: oneLine(options.get('title')) ?? words.join(' '),
    ...(severity !== undefined ? { severity } : {}),
    ...(service !== undefined ? { service } : {}),
    ...(summary !== undefined ? { summary } : {}),
  });
  if (!checked.ok) throw usage(ctx, checked.problem);
  const anyway = parseAnyway(options.get('anyway'), ctx);
  return { action: 'declare', ...checked.value, ...(anyway ? { anyway } : {}) };
};

function parseAnyway(value: string | undefined, ctx: ParseContext): Anyway | undefined {
  if (value === undefined) return undefined;
  if (/^(yes|true)$/i.test(value.trim())) return { unchecked: true };
  const ids = value.split(',').map((word) => normaliseIncidentId(word.trim()));
  if (ids.length === 0 || ids.some((id) => id === undefined)) throw usage(ctx, ctx.t('error.badAnyway', { value }));
  return { link: [...new Set(ids as string[])] };
};

/** A form's long text may hold line breaks; a title or summary reads as one line. */
function oneLine(value: string | undefined): string | undefined {
  return value?.replace(/[ \t]*[\r\n]+[ \t]*/g, ' ');
}

/** Leading INC-n is optional everywhere: inside a war room the incident is implied. */
function takeIncident(words: string[]): { incident?: string; rest: string[] } {
  const incident = words[0] ? normaliseIncidentId(words[0]) : undefined;
  return incident ? { incident, rest: words.slice(1) } : { rest: words };
}

const ack: Parser = (tokens, ctx) => {
  const { words, options } = splitOptions(tokens);
  rejectOptions(options, ['role'], ctx);
  const { incident, rest } = takeIncident(words);
  const role = options.get('role') ?? rest[0];
  if (role !== undefined && !ctx.config.roles[role]) {
    throw usage(ctx, ctx.t('error.unknownRole', { value: role, allowed: Object.keys(ctx.config.roles).join(', ') }));
  }
  return { action: 'ack', ...(incident ? { incident } : {}), ...(role ? { role } : {}) };
};

const status: Parser = (tokens, ctx) => {
  const { words, options } = splitOptions(tokens);
  rejectOptions(options, [], ctx);
  const { incident } = takeIncident(words);
  return { action: 'status', ...(incident ? { incident } : {}) };
};

const join: Parser = (tokens, ctx) => {
  const parsed = status(tokens, ctx) as Extract<IncidentCommand, { action: 'status' }>;
  return { ...parsed, action: 'join' };
};

const resolve: Parser = (tokens, ctx) => {
  const { words, options } = splitOptions(tokens);
  rejectOptions(options, [], ctx);
  const { incident, rest } = takeIncident(words);
  return { action: 'resolve', ...(incident ? { incident } : {}), note: rest.join(' ').slice(0, 500) };
};

function needWord(word: string | undefined, ctx: ParseContext, what: string): string {
  if (!word) throw usage(ctx, what);
  return word;
}

const sev: Parser = (tokens, ctx) => {
  const { words } = splitOptions(tokens);
  const { incident, rest } = takeIncident(words);
  const configured = SEVERITIES.filter((level) => ctx.config.severities[level]).join(', ');
  const wanted = needWord(rest[0], ctx, ctx.t('error.unknownSeverity', { value: '', allowed: configured }));
  const level = severityNamed(ctx.config, ctx.t, wanted);
  if (!level.ok) throw usage(ctx, level.problem);
  return { action: 'sev', ...(incident ? { incident } : {}), severity: level.value, reason: rest.slice(1).join(' ').slice(0, 500) };
};

const escalate: Parser = (tokens, ctx) => {
  const { words } = splitOptions(tokens);
  const { incident, rest } = takeIncident(words);
  const teams = Object.keys(ctx.config.teams).join(', ');
  const people = Object.keys(ctx.config.people).join(', ');
  const word = needWord(rest[0], ctx, ctx.t('error.unknownTarget', { value: '', teams, people }));
  const target = ctx.config.teams[word] ? word : (personNamed(ctx.config, word) ?? word);
  if (!ctx.config.teams[target] && !ctx.config.people[target]) {
    throw usage(ctx, ctx.t('error.unknownTarget', { value: target, teams, people }));
  }
  // The person paged needs to know why before they join: the reason is required.
  const reason = rest.slice(1).join(' ').trim();
  if (!reason) throw usage(ctx, ctx.t('error.escalateNeedsReason', { target, id: incident ?? 'INC-n' }));
  return { action: 'escalate', ...(incident ? { incident } : {}), target, reason };
};

function parsePerson(word: string | undefined, ctx: ParseContext): string {
  const people = Object.keys(ctx.config.people).join(', ');
  const named = needWord(word, ctx, ctx.t('error.unknownPersonName', { value: '', people }));
  const person = personNamed(ctx.config, named);
  if (!person) throw usage(ctx, ctx.t('error.unknownPersonName', { value: named, people }));
  return person;
}

const assign: Parser = (tokens, ctx) => {
  const { words } = splitOptions(tokens);
  const { incident, rest } = takeIncident(words);
  const roles = Object.keys(ctx.config.roles).join(', ');
  const role = needWord(rest[0], ctx, ctx.t('error.unknownRole', { value: '', allowed: roles }));
  if (!ctx.config.roles[role] && !role.startsWith('expert-')) throw usage(ctx, ctx.t('error.unknownRole', { value: role, allowed: roles }));
  return { action: 'assign', ...(incident ? { incident } : {}), role, person: parsePerson(rest[1], ctx) };
};

/** The commander handing over: assign commander <person>. */
const handoff: Parser = (tokens, ctx) => {
  const { words } = splitOptions(tokens);
  const { incident, rest } = takeIncident(words);
  return { action: 'assign', ...(incident ? { incident } : {}), role: 'commander', person: parsePerson(rest[0], ctx) };
};

const mitigate: Parser = (tokens, ctx) => {
  const parsed = resolve(tokens, ctx) as Extract<IncidentCommand, { action: 'resolve' }>;
  return { ...parsed, action: 'mitigate' };
};

const update: Parser = (tokens, ctx) => {
  const { words } = splitOptions(tokens);
  const { incident, rest } = takeIncident(words);
  const text = rest.join(' ').trim();
  if (!text) throw usage(ctx, ctx.t('error.missingUpdate'));
  return { action: 'update', ...(incident ? { incident } : {}), text: text.slice(0, 3000) };
};

const snooze: Parser = (tokens, ctx) => {
  const { words } = splitOptions(tokens);
  const { incident, rest } = takeIncident(words);
  const forMs = rest[0] ? parseDuration(rest[0]) : undefined;
  const reason = rest.slice(1).join(' ').trim();
  if (forMs === undefined || forMs <= 0 || forMs > 24 * 3_600_000 || !reason) throw usage(ctx, ctx.t('error.snoozeUsage'));
  return { action: 'snooze', ...(incident ? { incident } : {}), forMs, reason: reason.slice(0, 500) };
};

/** The step-level commands: which step, and what else they need. */
function stepWords(tokens: Token[]): { incident?: string; rest: string[] } {
  return takeIncident(splitOptions(tokens).words);
}

const playbookCmd: Parser = (tokens, ctx) => {
  const { incident, rest } = stepWords(tokens);
  const playbook = needWord(rest[0], ctx, ctx.t('error.noPlaybook', { id: incident ?? 'this incident' }));
  return { action: 'playbook', ...(incident ? { incident } : {}), playbook };
};

const stepsCmd: Parser = (tokens) => {
  const { incident } = stepWords(tokens);
  return { action: 'steps', ...(incident ? { incident } : {}) };
};

const doneCmd: Parser = (tokens, ctx) => {
  const { incident, rest } = stepWords(tokens);
  return { action: 'done', ...(incident ? { incident } : {}), step: needWord(rest[0], ctx, ctx.t('error.noStep', { step: '', steps: '…' })) };
};

/** A skip without a reason asks for one (a form in chats that have them: the Skip button). */
const skipCmd: Parser = (tokens, ctx) => {
  const { words, options } = splitOptions(tokens);
  const { incident, rest } = takeIncident(words);
  const step = needWord(rest[0], ctx, ctx.t('error.skipNeedsReason'));
  const reason = (options.get('reason') ?? rest.slice(1).join(' ')).trim();
  if (!reason) return { action: 'skipForm', ...(incident ? { incident } : {}), step };
  return { action: 'skip', ...(incident ? { incident } : {}), step, reason: reason.slice(0, 500) };
};

const decideCmd: Parser = (tokens, ctx) => {
  const { incident, rest } = stepWords(tokens);
  const answer = rest[1]?.toLowerCase();
  if (!rest[0] || (answer !== 'yes' && answer !== 'no')) throw usage(ctx, ctx.t('error.decideUsage'));
  return { action: 'decide', ...(incident ? { incident } : {}), step: rest[0], answer };
};

const timelineCmd: Parser = (tokens, ctx) => {
  const { words, options } = splitOptions(tokens);
  rejectOptions(options, [], ctx);
  const { incident } = takeIncident(words);
  return { action: 'timeline', ...(incident ? { incident } : {}) };
};

const PARSERS: Record<string, Parser> = {
  timeline: timelineCmd,
  playbook: playbookCmd,
  steps: stepsCmd,
  done: doneCmd,
  skip: skipCmd,
  decide: decideCmd,
  update,
  snooze,
  mitigate,
  mitigated: mitigate,
  sev,
  severity: sev,
  escalate,
  assign,
  handoff,
  declare,
  ack,
  acknowledge: ack,
  status,
  join,
  list: () => ({ action: 'list' }),
  resolve,
  help: () => ({ action: 'help' }),
};

export function parseIncidentCommand(args: string, ctx: ParseContext): IncidentCommand {
  const [first, ...rest] = tokenize(args);
  if (!first) return { action: 'help' };
  const parser = PARSERS[first.text.toLowerCase()];
  if (!parser) throw usage(ctx, ctx.t('error.unknownSubcommand', { name: first.text }));
  return withinLimits(parser(rest, ctx), ctx);
}

/** Free text over its documented limit is refused with the field and the limit named; nothing is recorded. */
function withinLimits(command: IncidentCommand, ctx: ParseContext): IncidentCommand {
  const fields = command as Partial<Record<'title' | 'summary' | 'text' | 'note' | 'reason', string>>;
  const over = overLimit({ title: fields.title, summary: fields.summary, update: fields.text, note: fields.note, reason: fields.reason });
  if (over) throw usage(ctx, ctx.t('error.tooLong', { field: over.field, limit: over.limit, length: over.length }));
  return command;
}
