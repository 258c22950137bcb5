import { CommitOutcomeUnknownError, DomainError, isDomainError } from '../errors.js';
import type { Logger } from '../logger.js';
import { actorName, personForActor } from '../incidents/directory.js';
import { StoreUnavailableError } from '../ports.js';
import { handleIncident } from './incident-handlers.js';
import { handleOncall } from './oncall.js';
import { handleDrill } from './drills.js';
import { handleKb } from './kb.js';
import type { CommandDeps } from './deps.js';
import type { Caller } from '../kernel/caller.js';
import { ZodError } from 'zod';
import { TEXT_LIMITS } from '../kernel/text.js';
import { commandRequestSchema, type CommandRequest, type DispatchOptions, type Reply } from '../kernel/request.js';

type Handler = (args: string, caller: Caller, deps: CommandDeps) => Promise<Reply>;

const COMMANDS: Record<string, Handler> = {
  incident: handleIncident,
  oncall: handleOncall,
  drill: handleDrill,
  kb: handleKb,
};

/** A platform retries for minutes at most; a day is a safe dedupe window. */
const REQUEST_TTL_MS = 24 * 3_600_000;
/** A handler that dies lets go of its request this soon, so the platform's next redelivery runs it. */
const RUNNING_TTL_MS = 30_000;

/**
 * The one entry point for every chat: validate, dedupe by request id, run the
 * use case, and turn every failure into a reply a person can act on.
 */
export async function dispatch(request: CommandRequest, deps: CommandDeps, options: DispatchOptions = {}): Promise<Reply> {
  const t = deps.present.t;
  try {
    // Too long to be a command: answered like any bad input, before the request schema would call it a bug.
    if (typeof request.args === 'string' && request.args.length > TEXT_LIMITS.command) {
      throw new DomainError('usage', t('error.tooLong', { field: 'command', limit: TEXT_LIMITS.command, length: request.args.length }));
    }
    const valid = commandRequestSchema.parse(request);
    const name = valid.name.replace(/^\//, '').toLowerCase();
    const handler = COMMANDS[name];
    if (!handler) {
      throw new DomainError('unknown_command', t('error.unknownCommand', { name: valid.name, known: Object.keys(COMMANDS).map((c) => `/${c}`).join(', ') }));
    }
    const claim = await deps.store.claimRequest(valid.requestId, RUNNING_TTL_MS);
    if (claim.state === 'running') return { visibility: 'ephemeral', message: { text: '' }, duplicate: true };
    if (claim.state === 'done') return { ...rememberedReply(claim.outcome, deps), duplicate: true };
    const person = personForActor(deps.config, valid.actor);
    const caller: Caller = {
      ref: valid.actor,
      name: actorName(deps.config, valid.actor),
      conversation: valid.conversation,
      requestId: valid.requestId,
      ...(options.accepted ? { accepted: options.accepted } : {}),
      ...(person ? { person } : {}),
      ...(valid.actorName ? { displayName: valid.actorName } : {}),
    };
    if (!person && valid.actorName) deps.present.rememberChatName(caller.name, valid.actorName);
    return await remembered(valid.requestId, deps, () => handler(valid.args, caller, spokenTo(caller, deps)));
  } catch (error) {
    return errorReply(error, request, deps);
  }
}

/** A handler's replies are read by its caller, so its presenter speaks in their zone (CommandDeps.present). */
export function spokenTo(caller: Caller, deps: CommandDeps): CommandDeps {
  return { ...deps, present: deps.present.forPerson(caller.person ?? caller.ref) };
}

/**
 * Runs a request's handler and remembers its reply, so a redelivery after
 * success answers the same. A handler that fails (the store went away, a bug)
 * is forgotten instead, so the platform's redelivery runs it again.
 */
async function remembered(requestId: string, deps: CommandDeps, run: () => Promise<Reply>): Promise<Reply> {
  let reply: Reply;
  try {
    reply = await run();
  } catch (error) {
    if (isDomainError(error)) {
      const answer = errorReply(error, { requestId } as CommandRequest, deps);
      await deps.store.finishRequest(requestId, JSON.stringify({ reply: answer }), REQUEST_TTL_MS).catch(() => undefined);
      return answer;
    }
    await deps.store.releaseRequest(requestId).catch(() => undefined);
    throw error;
  }
  // A form is answered afresh each time (its trigger is single use); everything else is remembered.
  if (!reply.form) await deps.store.finishRequest(requestId, JSON.stringify({ reply }), REQUEST_TTL_MS).catch(() => undefined);
  return reply;
}

/** What a finished request answered: its reply, or (a declare that crashed before replying) the incident it made. */
function rememberedReply(outcome: string, deps: CommandDeps): Reply {
  try {
    const parsed = JSON.parse(outcome) as { reply?: Reply; incident?: string };
    if (parsed.reply) return parsed.reply;
    if (parsed.incident) return { visibility: 'ephemeral', message: { text: deps.present.t('reply.alreadyDeclared', { id: parsed.incident }) } };
  } catch {
    // An outcome this version cannot read: say nothing twice rather than guess.
  }
  return { visibility: 'ephemeral', message: { text: '' } };
}

function errorReply(error: unknown, request: CommandRequest, deps: CommandDeps): Reply {
  const t = deps.present.t;
  if (isDomainError(error)) {
    const text = error.detail ? `${error.message}\n${error.detail}` : error.message;
    return { visibility: 'ephemeral', message: { text, tone: 'warning' } };
  }
  if (error instanceof CommitOutcomeUnknownError) {
    deps.logger.warn({ requestId: request.requestId, incident: error.incident }, 'store went away mid-write; outcome unknown');
    return { visibility: 'ephemeral', message: { text: t('error.outcomeUnknown', { id: error.incident }), tone: 'warning' } };
  }
  if (error instanceof ZodError) {
    // An adapter handed over a request the core cannot read: say so, without a stack in the log.
    const problem = error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`).join('; ');
    deps.logger.warn({ requestId: request.requestId, command: request.name, problem }, 'malformed command request; refused');
    return { visibility: 'ephemeral', message: { text: t('error.badRequest', { problem }), tone: 'warning' } };
  }
  if (error instanceof StoreUnavailableError) {
    deps.logger.warn({ requestId: request.requestId, err: error.message }, 'store unavailable; command refused');
    return { visibility: 'ephemeral', message: { text: t('error.degraded'), tone: 'warning' } };
  }
  deps.logger.error({ requestId: request.requestId, command: request.name, err: error }, 'command failed');
  return { visibility: 'ephemeral', message: { text: t('error.internal', { requestId: request.requestId }), tone: 'warning' } };
}
